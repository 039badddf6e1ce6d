"""Grading helpers: the guard catches every forbidden route, honest NumPy passes, comparisons can't be fooled."""

from __future__ import annotations

import sys
import threading

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from convbook import grading
from convbook.functional import conv1d as convbook_conv1d
from convbook.functional import conv2d as convbook_conv2d

SAVED_CONV1D = F.conv1d  # a reference taken before grading runs


def honest_corr1d(x, w):
    n = x.shape[-1] - w.shape[-1] + 1
    return np.array([np.sum(x[i : i + w.shape[-1]] * w) for i in range(n)])


def reference(x, w):
    return F.conv1d(torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None])[0, 0].numpy()


X = np.arange(10.0)
W = np.array([1.0, -2.0, 0.5])


def via_torch(x, w):
    return torch.tensor(x).numpy()


def via_saved_reference(x, w):
    return SAVED_CONV1D(torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None])[0, 0].numpy()


def via_alias(x, w):
    import torch.nn.functional as nothing_to_see

    return via_saved_reference.__globals__["np"].asarray(nothing_to_see.relu(torch.zeros(3)))


def via_tensor_method(x, w):
    return honest_corr1d(x, w) + torch.zeros(1).sum().item()


def via_np_convolve(x, w):
    return np.convolve(x, w[::-1], "valid")


def via_np_correlate(x, w):
    return np.correlate(x, w, "valid")


def via_c_correlate(x, w):
    from numpy._core import multiarray

    return multiarray.correlate(x, w, 0)


def via_sliding_window_view(x, w):
    return (np.lib.stride_tricks.sliding_window_view(x, len(w)) * w).sum(-1)


def via_as_strided(x, w):
    n = len(x) - len(w) + 1
    view = np.lib.stride_tricks.as_strided(x, (n, len(w)), (x.strides[0],) * 2)
    return (view * w).sum(-1)


def via_convbook(x, w):
    return convbook_conv1d(x[None, None], w[None, None])[0, 0]


def via_scipy(x, w):
    import scipy.signal

    return scipy.signal.correlate(x, w, "valid")


def via_caught_error(x, w):
    try:
        return torch.tensor(x).numpy()
    except Exception:  # noqa: BLE001 - the student hides the guard's error
        return honest_corr1d(x, w)


def via_setprofile_none(x, w):
    sys.setprofile(None)
    return F.conv1d(torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None])[0, 0].numpy()


def via_threading_setprofile(x, w):
    threading.setprofile(None)
    return honest_corr1d(x, w)


def via_thread(x, w):
    box = []
    thread = threading.Thread(target=lambda: box.append(torch.zeros(1)))
    thread.start()
    thread.join()
    return honest_corr1d(x, w)


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
@pytest.mark.parametrize(
    "cheat",
    [
        via_torch,
        via_saved_reference,
        via_alias,
        via_tensor_method,
        via_np_convolve,
        via_np_correlate,
        via_c_correlate,
        via_sliding_window_view,
        via_as_strided,
        via_convbook,
        via_scipy,
        via_caught_error,
        via_setprofile_none,
        via_threading_setprofile,
        via_thread,
    ],
)
def test_guard_catches(cheat):
    with pytest.raises(grading.ForbiddenCallError) as error:
        grading.check(cheat, reference, X, W)
    assert "forbids" in str(error.value) or "guard" in str(error.value)
    assert sys.getprofile() is None


def test_guard_names_what_was_called():
    with pytest.raises(grading.ForbiddenCallError, match="np.convolve"):
        grading.check(via_np_convolve, reference, X, W)
    with pytest.raises(grading.ForbiddenCallError, match="torch"):
        grading.check(via_saved_reference, reference, X, W)


def test_guard_detects_profiler_removed_without_a_visible_call():
    # a profiler removed by a route the guard can't see (here: ctypes-like, simulated
    # by removing it from a C call the guard skips) is detected after the call
    def sneaky(x, w):
        grading.guard._uninstall(None)  # the guard's own switch-off, reachable from student code
        return honest_corr1d(x, w)

    with pytest.raises(grading.GuardDisabledError, match="switched the grading call guard off"):
        grading.check(sneaky, reference, X, W)


def test_honest_numpy_passes_and_is_fast():
    import time

    start = time.perf_counter()
    for _ in range(20):
        grading.check(honest_corr1d, reference, X, W)
    assert time.perf_counter() - start < 1.0
    assert sys.getprofile() is None


def test_extra_forbidden_function():
    with pytest.raises(grading.ForbiddenCallError, match="pad"):
        grading.call_guarded(lambda: np.pad(X, 1), forbid=(np.pad,))
    grading.call_guarded(lambda: np.pad(X, 1))


def test_student_cannot_change_the_inputs_the_reference_sees():
    def mutating(x, w):
        out = honest_corr1d(x, w)
        x[:] = 0
        return out

    grading.check(mutating, reference, X, W)


def test_wrong_shape_message():
    with pytest.raises(AssertionError, match=r"expected shape \(8,\), got \(7,\)"):
        grading.check(lambda x, w: honest_corr1d(x, w)[:-1], reference, X, W)


def test_wrong_values_message_names_index():
    def off_by_one_entry(x, w):
        out = honest_corr1d(x, w)
        out[3] += 1
        return out

    with pytest.raises(AssertionError, match=r"first mismatch at index \(3,\)"):
        grading.check(off_by_one_entry, reference, X, W)


def test_wrong_scalar_result_message():
    """0-d results (a loss) get the same message as arrays, not a crash inside the grader."""
    with pytest.raises(AssertionError, match=r"values differ.*expected 1\.0, got 2\.0"):
        grading.assert_same(np.array(2.0), np.array(1.0), "loss")


def test_dtype_checked_when_asked():
    with pytest.raises(AssertionError, match="expected dtype float64, got float32"):
        grading.check(lambda x, w: honest_corr1d(x, w).astype(np.float32), reference, X, W, check_dtype=True)


class AlwaysEqual(np.ndarray):
    def __eq__(self, other):
        return np.ones(self.shape, bool)


class Liar:
    shape = (8,)

    def __array__(self, dtype=None, copy=None):
        return reference(X, W)


@pytest.mark.parametrize(
    "result",
    [
        lambda x, w: np.zeros(8).view(AlwaysEqual),
        lambda x, w: Liar(),
        lambda x, w: list(honest_corr1d(x, w)),
        lambda x, w: np.array([object()] * 8),
    ],
)
def test_tricky_results_rejected(result):
    with pytest.raises(AssertionError, match="returned"):
        grading.check(result, reference, X, W)


def test_patched_numpy_does_not_matter(monkeypatch):
    monkeypatch.setattr(np, "allclose", lambda *a, **k: True)
    monkeypatch.setattr(np, "isclose", lambda a, b, **k: np.ones(np.shape(a), bool))
    monkeypatch.setattr(np.testing, "assert_allclose", lambda *a, **k: None)
    monkeypatch.setattr(torch, "allclose", lambda *a, **k: True)
    with pytest.raises(AssertionError, match="values differ"):
        grading.check(lambda x, w: honest_corr1d(x, w) * 0, reference, X, W)


def test_errors_and_not_implemented_are_reported():
    def unfinished(x, w):
        raise NotImplementedError

    with pytest.raises(AssertionError, match="not implemented"):
        grading.check(unfinished, reference, X, W)
    with pytest.raises(AssertionError, match="raised ZeroDivisionError"):
        grading.check(lambda x, w: 1 / 0, reference, X, W)


def test_check_value():
    from convbook.shapes import conv_output_size

    def mine(input_size, kernel_size, stride=1, padding=0, dilation=1):
        return (input_size + 2 * padding - dilation * (kernel_size - 1) - 1) // stride + 1

    grading.check_value(mine, conv_output_size, 10, 3, stride=2)
    with pytest.raises(AssertionError, match="expected 4, got 5"):
        grading.check_value(lambda *a, **k: 5, conv_output_size, 10, 3, stride=2)
    with pytest.raises(AssertionError, match="expected an int"):
        grading.check_value(lambda *a, **k: 4.0, conv_output_size, 10, 3, stride=2)
    with pytest.raises(grading.ForbiddenCallError):
        grading.check_value(conv_output_size, conv_output_size, 10, 3)


def test_describe_call():
    text = grading.describe_call("conv2d", np.zeros((1, 3, 5, 5)), np.zeros((2, 3, 3, 3)), stride=2, padding=1)
    assert text == "conv2d(shape (1, 3, 5, 5) float64, shape (2, 3, 3, 3) float64, stride=2, padding=1)"


def test_describe_call_shows_arrays_inside_lists_by_shape():
    """A stack's weights (a list of arrays, some None) fit on one line: the message stays readable."""
    weights = [np.zeros((3, 1, 2)), np.zeros((3, 3, 2))]
    text = grading.describe_call("causal_stack", np.zeros((2, 1, 20)), weights, [np.zeros(3), None], [1, 2],
                                 kernels=(np.zeros(2),))
    assert text == ("causal_stack(shape (2, 1, 20) float64, [shape (3, 1, 2) float64, shape (3, 3, 2) float64], "
                    "[shape (3,) float64, None], [1, 2], kernels (shape (2,) float64,))")
    assert "\n" not in text


def test_fresh_rng_seed_in_message(monkeypatch):
    _, a = grading.fresh_rng()
    _, b = grading.fresh_rng()
    assert a != b
    monkeypatch.setenv("CONVBOOK_SEED", "1234")
    rng, seed = grading.fresh_rng()
    assert seed == 1234
    with pytest.raises(AssertionError, match="CONVBOOK_SEED=1234"):
        grading.check(lambda x, w: honest_corr1d(x, w) + 1, reference, X, W, seed=seed)


@pytest.mark.parametrize("ndim", [1, 2, 3])
def test_random_conv_cases_are_valid(ndim):
    rng, _ = grading.fresh_rng()
    ref = grading.torch_reference(f"conv{ndim}d")
    for _ in range(20):
        case = grading.random_conv_case(rng, ndim=ndim)
        assert ref(**case).size > 0


def test_an_allowed_package_may_use_numpy_shortcuts_that_the_student_may_not():
    """convbook's depthwise convolution gathers its columns with as_strided: fine when convbook is allowed;
    the same call in the student's code, or in a student's layer that convbook.nn calls back, is not."""
    from convbook import nn

    x, w = np.ones((2, 8, 16, 16)), np.ones((8, 1, 3, 3))
    strided = np.lib.stride_tricks.as_strided

    def depthwise(x, w):
        return convbook_conv2d(x, w, padding=1, groups=8)

    def own_strides(x, w):
        depthwise(x, w)
        return strided(x, x.shape, x.strides)

    class StridedLayer(nn.Module):
        def forward(self, x):
            return strided(x, x.shape, x.strides)

    def callback(x, w):
        return nn.Sequential(StridedLayer()).forward(depthwise(x, w))

    expected = F.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=1, groups=8).numpy()
    np.testing.assert_allclose(grading.run_guarded(depthwise, x, w, allow=("convbook",)), expected)
    with pytest.raises(grading.ForbiddenCallError, match="convbook"):
        grading.run_guarded(depthwise, x, w)
    for cheat in (own_strides, callback):
        with pytest.raises(grading.ForbiddenCallError, match="as_strided"):
            grading.run_guarded(cheat, x, w, allow=("convbook",))


def test_code_that_claims_to_be_convbook_gets_no_shortcut_where_convbook_is_not_allowed():
    """The exemption trusts a caller's file name, which a student can forge (compile(..., filename=...)). That
    opens nothing where convbook is not allowed: no caller is exempt, and code in convbook's files is itself
    forbidden there. Where it is allowed (11-cnn), convbook's own helpers already hand out a strided view, so a
    forged name adds nothing."""
    from convbook.functional import flat

    namespace = {"np": np}
    exec(compile("def forged(x, w):\n    return np.lib.stride_tricks.as_strided(x, x.shape, x.strides)\n",
                 flat.__file__, "exec"), namespace)
    with pytest.raises(grading.ForbiddenCallError, match="convbook's own implementation"):
        grading.run_guarded(namespace["forged"], X, W)


def test_random_pad_cases_are_valid():
    rng, _ = grading.fresh_rng()
    ref = grading.torch_reference("pad")
    for _ in range(40):
        case = grading.random_pad_case(rng, ndim=int(rng.integers(1, 3)))
        ref(**case)


def test_allow_lets_a_task_use_convbook_but_not_torch():
    def with_convbook(x, w):
        return convbook_conv1d(x[None, None], w[None, None])[0, 0]

    def with_torch(x, w):
        return torch.nn.functional.conv1d(torch.tensor(x)[None, None], torch.tensor(w)[None, None])[0, 0].numpy()

    def switching_off(x, w):
        sys.setprofile(None)
        return with_torch(x, w)

    np.testing.assert_allclose(grading.run_guarded(with_convbook, X, W, allow=("convbook",)), honest_corr1d(X, W))
    with pytest.raises(grading.ForbiddenCallError, match="convbook"):
        grading.run_guarded(with_convbook, X, W)
    for cheat in (with_torch, switching_off):
        with pytest.raises(grading.ForbiddenCallError):
            grading.run_guarded(cheat, X, W, allow=("convbook",))
