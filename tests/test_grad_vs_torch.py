"""convbook.grad against torch.autograd over random valid configurations.

Every test draws a valid forward configuration, runs torch's forward pass
with ``requires_grad`` and back-propagates a random ``grad_output``; the
convbook backward pass must give the same gradients (float64, tight
tolerances), batched and unbatched.
"""

import inspect
import warnings

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
import torch.nn.grad
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import arrays

import convbook.functional as F
import convbook.grad as G
from convbook.shapes import pool_output_size

DIMS = [1, 2, 3]
TOL = {"rtol": 1e-10, "atol": 1e-10}


def param(draw, values):
    """Per-dimension values as torch accepts them: an int when all equal (sometimes), else a tuple."""
    values = tuple(values)
    if len(set(values)) == 1 and draw(st.booleans()):
        return values[0]
    return values


def torch_grads(forward, arrays_, grad_output_seed: int):
    """Run ``forward`` on tensors that require grad; back-propagate a random grad_output.

    Returns ``(output, grad_output, [grad of each array])`` as numpy arrays.
    """
    tensors = [torch.from_numpy(a.copy()).requires_grad_() for a in arrays_]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # padding='same' with even kernels: a performance note
        out = forward(*tensors)
    grad_output = np.random.default_rng(grad_output_seed).standard_normal(tuple(out.shape))
    out.backward(torch.from_numpy(grad_output))
    return out.detach().numpy(), grad_output, [t.grad.numpy() for t in tensors]


def assert_close(ours, theirs, what):
    assert ours.shape == theirs.shape, f"{what}: shape {ours.shape} != torch {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{what}: dtype {ours.dtype} != torch {theirs.dtype}"
    np.testing.assert_allclose(ours, theirs, err_msg=what, **TOL)


def batch_shape(draw, channels, size, batched=None):
    batched = draw(st.booleans()) if batched is None else batched
    return ((draw(st.integers(1, 2)),) if batched else ()) + (channels, *size), batched


# ---------------------------------------------------------------- convolution


@st.composite
def conv_case(draw, n: int, for_nn_grad: bool = False):
    """A valid convolution; ``for_nn_grad``: batched, integer padding (what torch.nn.grad accepts)."""
    groups = draw(st.integers(1, 3))
    in_channels, out_channels = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(n))
    dilation = tuple(draw(st.integers(1, 3 if n < 3 else 2)) for _ in range(n))
    effective = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    choice = "int" if for_nn_grad else draw(st.sampled_from(["int", "int", "int", "same", "valid"]))
    if choice == "same":
        stride, padding, pads = (1,) * n, "same", [(e - 1) / 2 for e in effective]
    else:
        stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
        pads = [0] * n if choice == "valid" else [draw(st.integers(0, 3)) for _ in range(n)]
        padding = "valid" if choice == "valid" else param(draw, pads)
    extra = 5 if n < 3 else 3
    size = tuple(draw(st.integers(lo, lo + extra)) for lo in (max(1, int(e - 2 * p)) for e, p in zip(effective, pads)))
    x_shape, batched = batch_shape(draw, in_channels, size, True if for_nn_grad else None)
    x = draw(arrays(x_shape, np.float64))
    weight = draw(arrays((out_channels, in_channels // groups, *kernel), np.float64))
    bias = draw(st.none() | arrays((out_channels,), np.float64))
    kwargs = {"stride": param(draw, stride), "padding": padding, "dilation": param(draw, dilation), "groups": groups}
    return x, weight, bias, kwargs, batched


@pytest.mark.parametrize("n", DIMS)
@settings(max_examples=80)  # x 3 dimensions: the file stays well under 40 s
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_conv_gradients_match_torch(n, data, seed):
    x, weight, bias, kwargs, batched = data.draw(conv_case(n))
    arrays_ = [x, weight] + ([] if bias is None else [bias])

    def forward(xt, wt, bt=None):
        return getattr(TF, f"conv{n}d")(xt, wt, bt, **kwargs)

    _, grad_output, grads = torch_grads(forward, arrays_, seed)
    what = f"conv{n}d {list(x.shape)} {list(weight.shape)} {kwargs}"
    assert_close(getattr(G, f"conv{n}d_input")(x.shape, weight, grad_output, **kwargs), grads[0], "input " + what)
    assert_close(getattr(G, f"conv{n}d_weight")(x, weight.shape, grad_output, **kwargs), grads[1], "weight " + what)
    if bias is not None:
        assert_close(G.conv_bias(grad_output, batched=batched), grads[2], "bias " + what)


@pytest.mark.parametrize("n", DIMS)
@settings(max_examples=40)
@given(data=st.data())
def test_conv_gradients_match_torch_nn_grad(n, data):
    """Batched, integer padding: torch.nn.grad's own functions give the same answer."""
    x, weight, _, kwargs, _ = data.draw(conv_case(n, for_nn_grad=True))
    out = getattr(F, f"conv{n}d")(x, weight, **kwargs)
    grad_output = np.random.default_rng(0).standard_normal(out.shape)
    t = torch.from_numpy
    expected_input = getattr(torch.nn.grad, f"conv{n}d_input")(x.shape, t(weight.copy()), t(grad_output), **kwargs)
    expected_weight = getattr(torch.nn.grad, f"conv{n}d_weight")(t(x.copy()), weight.shape, t(grad_output), **kwargs)
    ours_input = getattr(G, f"conv{n}d_input")(x.shape, weight, grad_output, **kwargs)
    assert_close(ours_input, expected_input.numpy(), "input")
    assert_close(getattr(G, f"conv{n}d_weight")(x, weight.shape, grad_output, **kwargs), expected_weight.numpy(), "w")


@st.composite
def conv_transpose_case(draw, n: int):
    groups = draw(st.integers(1, 3))
    in_channels, out_channels = groups * draw(st.integers(1, 2)), groups * draw(st.integers(1, 2))
    kernel = tuple(draw(st.integers(1, 3)) for _ in range(n))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(n))
    padding = tuple(draw(st.integers(0, 2)) for _ in range(n))
    output_padding = tuple(draw(st.integers(0, max(s, d) - 1)) for s, d in zip(stride, dilation))
    size = tuple(draw(st.integers(1, 5 if n < 3 else 3)) for _ in range(n))
    out = [
        (i - 1) * s - 2 * p + d * (k - 1) + q + 1
        for i, s, p, d, k, q in zip(size, stride, padding, dilation, kernel, output_padding)
    ]
    assume(all(o > 0 for o in out))
    x_shape, batched = batch_shape(draw, in_channels, size)
    x = draw(arrays(x_shape, np.float64))
    weight = draw(arrays((in_channels, out_channels // groups, *kernel), np.float64))
    bias = draw(st.none() | arrays((out_channels,), np.float64))
    kwargs = {
        "stride": param(draw, stride),
        "padding": param(draw, padding),
        "output_padding": param(draw, output_padding),
        "groups": groups,
        "dilation": param(draw, dilation),
    }
    return x, weight, bias, kwargs, batched


@pytest.mark.parametrize("n", DIMS)
@settings(max_examples=80)  # x 3 dimensions: the file stays well under 40 s
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_conv_transpose_gradients_match_torch(n, data, seed):
    x, weight, bias, kwargs, batched = data.draw(conv_transpose_case(n))
    arrays_ = [x, weight] + ([] if bias is None else [bias])

    def forward(xt, wt, bt=None):
        return getattr(TF, f"conv_transpose{n}d")(xt, wt, bt, **kwargs)

    _, grad_output, grads = torch_grads(forward, arrays_, seed)
    what = f"conv_transpose{n}d {list(x.shape)} {list(weight.shape)} {kwargs}"
    ours_input = getattr(G, f"conv_transpose{n}d_input")(x.shape, weight, grad_output, **kwargs)
    assert_close(ours_input, grads[0], "input " + what)
    ours_weight = getattr(G, f"conv_transpose{n}d_weight")(x, weight.shape, grad_output, **kwargs)
    assert_close(ours_weight, grads[1], "weight " + what)
    if bias is not None:
        assert_close(G.conv_bias(grad_output, batched=batched), grads[2], "bias " + what)


def test_input_gradient_is_the_transposed_convolution():
    """The chapter's point: no new machinery, conv2d_input is conv_transpose2d (plus output_padding)."""
    rng = np.random.default_rng(1)
    x, w = rng.standard_normal((2, 3, 10, 8)), rng.standard_normal((4, 3, 3, 2))
    g = rng.standard_normal(F.conv2d(x, w, stride=2).shape)  # (2, 4, 4, 4): the stride never reached row 9
    direct = F.conv_transpose2d(g, w, stride=2, output_padding=(1, 0))  # (9, 8) + the missing row
    np.testing.assert_array_equal(G.conv2d_input(x.shape, w, g, stride=2), direct)


# ---------------------------------------------------------------- pooling


@st.composite
def pool_case(draw, n: int, max_pool: bool):
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(n))
    stride = tuple(draw(st.integers(1, 3)) for _ in range(n))
    padding = tuple(draw(st.integers(0, k // 2)) for k in kernel)
    dilation = tuple(draw(st.integers(1, 3)) for _ in range(n)) if max_pool else (1,) * n
    ceil_mode = draw(st.booleans())
    lows = [max(1, d * (k - 1) + 1 - 2 * p) for d, k, p in zip(dilation, kernel, padding)]
    if n == 3 and not max_pool:
        lows = [max(lo, k) for lo, k in zip(lows, kernel)]
    size = tuple(draw(st.integers(lo, lo + (5 if n < 3 else 2))) for lo in lows)
    default_stride = draw(st.booleans())  # stride=None means stride = kernel_size
    if default_stride:
        stride = kernel
    assume(all(o > 0 for o in pool_output_size(size, kernel, stride, padding, dilation, ceil_mode)))
    x_shape, _ = batch_shape(draw, draw(st.integers(1, 2)), size)
    x = draw(arrays(x_shape, np.float64))
    kwargs = {
        "kernel_size": param(draw, kernel),
        "stride": None if default_stride else param(draw, stride),
        "padding": param(draw, padding),
        "ceil_mode": ceil_mode,
    }
    if max_pool:
        kwargs["dilation"] = param(draw, dilation)
    else:
        kwargs["count_include_pad"] = draw(st.booleans())
        if n > 1:
            kwargs["divisor_override"] = draw(st.none() | st.sampled_from([-3, -1, 1, 2, 5]))
    return x, kwargs


@pytest.mark.parametrize("n", DIMS)
@settings(max_examples=80)  # x 3 dimensions: the file stays well under 40 s
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_max_pool_gradient_matches_torch(n, data, seed):
    """Random floats: no ties, so every window has one argmax."""
    x, kwargs = data.draw(pool_case(n, max_pool=True))
    # A dilated window can fall entirely into padding: convbook refuses it, torch's backward
    # writes out of bounds there (and may crash the process later). See test_max_pool_window_of_only_padding.
    try:
        getattr(F, f"max_pool{n}d")(x, **kwargs)
    except RuntimeError:
        assume(False)
    _, grad_output, (expected,) = torch_grads(lambda t: getattr(TF, f"max_pool{n}d")(t, **kwargs), [x], seed)
    ours = getattr(G, f"max_pool{n}d_backward")(grad_output, x, **kwargs)
    assert_close(ours, expected, f"max_pool{n}d {list(x.shape)} {kwargs}")


@pytest.mark.parametrize("n", DIMS)
@settings(max_examples=80)  # x 3 dimensions: the file stays well under 40 s
@given(data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_avg_pool_gradient_matches_torch(n, data, seed):
    x, kwargs = data.draw(pool_case(n, max_pool=False))
    _, grad_output, (expected,) = torch_grads(lambda t: getattr(TF, f"avg_pool{n}d")(t, **kwargs), [x], seed)
    ours = getattr(G, f"avg_pool{n}d_backward")(grad_output, x, **kwargs)
    assert_close(ours, expected, f"avg_pool{n}d {list(x.shape)} {kwargs}")


@pytest.mark.parametrize("n", DIMS)
@pytest.mark.parametrize(
    "kwargs", [{"kernel_size": 3, "stride": 1}, {"kernel_size": 2, "stride": 1, "padding": 1, "dilation": 2}]
)
def test_max_pool_ties_follow_torch(n, kwargs):
    """Integer-valued input has many ties: the gradient goes where torch sends it
    (the first maximum in row-major order), and overlapping windows add up."""
    x = np.random.default_rng(n).integers(0, 3, size=(2, 2, *(6,) * n)).astype(np.float64)
    t = torch.from_numpy(x.copy()).requires_grad_()
    out = getattr(TF, f"max_pool{n}d")(t, **kwargs)
    out.sum().backward()  # grad_output of ones: the gradient counts how many windows each input won
    ours = getattr(G, f"max_pool{n}d_backward")(np.ones(tuple(out.shape)), x, **kwargs)
    assert_close(ours, t.grad.numpy(), f"ties, max_pool{n}d {kwargs}")
    assert ours.max() > 1, "some input should win several overlapping windows"
    assert ours.sum() == out.numel()


def test_max_pool_window_of_only_padding():
    """padding=1, dilation=3, kernel 2: the first window reads positions -1 and 2 of a
    length-2 signal, both padding. torch returns -inf with index 2 (past the end) and its
    backward writes there, out of bounds; convbook refuses, forward and backward."""
    x = np.array([[0.25, -0.5]])
    out, indices = TF.max_pool1d(torch.from_numpy(x), 2, 1, 1, 3, return_indices=True)
    assert out[0, 0] == -np.inf and indices[0, 0] == 2
    with pytest.raises(RuntimeError, match="padding only"):
        F.max_pool1d(x, 2, 1, 1, 3, return_indices=True)
    with pytest.raises(RuntimeError, match="padding only"):
        G.max_pool1d_backward(np.ones((1, 1)), x, 2, 1, 1, 3)


# ---------------------------------------------------------------- padding


@st.composite
def pad_case(draw):
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    n = draw(st.integers(1, 3))
    size = [draw(st.integers(1, 5)) for _ in range(n)]
    if mode == "constant":
        widths = [draw(st.integers(-2, 3)) for _ in range(2 * n)]
        shape = [draw(st.integers(1, 2)) for _ in range(draw(st.integers(0, 2)))] + size
    else:
        shape = ([draw(st.integers(1, 2))] if draw(st.booleans()) else []) + [draw(st.integers(1, 2))] + size
        widths = []
        for s in reversed(size):  # pad lists the last dimension first
            high = {"reflect": s - 1, "replicate": 3, "circular": s}[mode]
            low = {"reflect": -(s - 1), "replicate": -(s - 1), "circular": -(s - 1)}[mode]
            widths += [draw(st.integers(low, high)), draw(st.integers(low, high))]
    x = draw(arrays(tuple(shape), np.float64))
    return x, tuple(widths), mode


@pytest.mark.parametrize(
    ("shape", "widths"), [((2, 2, 1), (0, 0, -1, 2)), ((2, 4, 3), (-1, 2, 3, -2)), ((1, 3), (-2, 2))]
)
def test_circular_pad_past_the_crop_is_refused(shape, widths):
    """Wrapping further than a negative pad left: torch raises (memory overlap) or, along
    leading dimensions, returns values with a wrong gradient; convbook refuses the forward."""
    with pytest.raises(RuntimeError, match="at most once"):
        F.pad(np.zeros(shape), widths, "circular")


@given(case=pad_case(), seed=st.integers(0, 2**32 - 1))
def test_pad_gradient_matches_torch(case, seed):
    x, widths, mode = case
    try:
        with torch.no_grad():
            TF.pad(torch.from_numpy(x.copy()), widths, mode)
        F.pad(x, widths, mode)  # convbook also refuses reflect/replicate crops to size 0, which torch returns
    except RuntimeError:
        assume(False)  # not a valid forward configuration
    _, grad_output, (expected,) = torch_grads(lambda t: TF.pad(t, widths, mode), [x], seed)
    assert_close(G.pad_backward(grad_output, x.shape, widths, mode), expected, f"pad {list(x.shape)} {widths} {mode}")


# ---------------------------------------------------------------- numerical gradients


def test_numerical_gradient_of_a_polynomial():
    x = np.random.default_rng(0).standard_normal((3, 4))
    np.testing.assert_allclose(G.numerical_gradient(lambda v: np.sum(v**3), x), 3 * x**2, rtol=1e-7, atol=1e-8)
    # An array-valued f: its sum is differentiated.
    np.testing.assert_allclose(G.numerical_gradient(lambda v: 2 * v + 1, x), np.full_like(x, 2.0), atol=1e-8)


def test_numerical_gradient_leaves_its_input_alone():
    x = np.arange(6.0).reshape(2, 3)
    before = x.copy()
    G.numerical_gradient(np.sin, x)
    np.testing.assert_array_equal(x, before)


def test_max_gradient_error_accepts_right_and_rejects_wrong_backward_passes():
    rng = np.random.default_rng(2)
    x, w = rng.standard_normal((1, 2, 6, 5)), rng.standard_normal((3, 2, 2, 3))
    kwargs = {"stride": 2, "padding": 1, "dilation": (1, 2)}

    def forward(a, b):
        return F.conv2d(a, b, **kwargs)

    def backward(g, a, b):
        return G.conv2d_input(a.shape, b, g, **kwargs), G.conv2d_weight(a, b.shape, g, **kwargs)

    def flipped(g, a, b):  # a classic mistake: the input gradient with a flipped kernel
        return G.conv2d_input(a.shape, b[..., ::-1, ::-1], g, **kwargs), G.conv2d_weight(a, b.shape, g, **kwargs)

    assert G.max_gradient_error(forward, [x, w], backward) < 1e-7
    assert G.max_gradient_error(forward, [x, w], flipped) > 1e-2


@pytest.mark.parametrize(
    ("forward", "backward"),
    [
        (
            lambda a: F.avg_pool2d(a, 3, 2, 1, True, False),
            lambda g, a: G.avg_pool2d_backward(g, a, 3, 2, 1, True, False),
        ),
        (lambda a: F.max_pool1d(a, 3, 1, 1), lambda g, a: G.max_pool1d_backward(g, a, 3, 1, 1)),
        (lambda a: F.pad(a, (2, 3), "reflect"), lambda g, a: G.pad_backward(g, a.shape, (2, 3), "reflect")),
        (lambda a: F.pad(a, (2, -1), "circular"), lambda g, a: G.pad_backward(g, a.shape, (2, -1), "circular")),
    ],
)
def test_max_gradient_error_on_pooling_and_padding(forward, backward):
    x = np.random.default_rng(3).standard_normal((2, 5, 6))  # unbatched 2D, or batched 1D
    assert G.max_gradient_error(forward, [x], backward) < 1e-7


# ---------------------------------------------------------------- API and errors


@pytest.mark.parametrize("name", [f"conv{n}d_{w}" for n in DIMS for w in ("input", "weight")])
def test_same_signature_as_torch_nn_grad(name):
    ours = [(p.name, p.default) for p in inspect.signature(getattr(G, name)).parameters.values()]
    theirs = [(p.name, p.default) for p in inspect.signature(getattr(torch.nn.grad, name)).parameters.values()]
    assert ours == theirs
    assert f"torch.nn.grad.{name}" in getattr(G, name).__doc__


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (
            lambda: G.conv2d_input((1, 1, 5, 5), np.ones((1, 1, 3, 3)), np.ones((1, 1, 2, 2))),
            ["grad_output", "(1, 1, 3, 3)"],
        ),
        (lambda: G.conv2d_input((1, 2, 5, 5), np.ones((1, 1, 3, 3)), np.ones((1, 1, 3, 3))), ["channels", "groups"]),
        (lambda: G.conv2d_weight(np.ones((1, 1, 5, 5)), (1, 1, 3, 3), np.ones((1, 1, 3, 3)), stride=0), ["stride"]),
        (lambda: G.conv2d_weight(np.ones((1, 1, 5, 5), int), (1, 1, 3, 3), np.ones((1, 1, 3, 3))), ["floating"]),
        (
            lambda: G.conv1d_weight(np.ones((1, 1, 5)), (1, 1, 3), np.ones((1, 1, 3)), padding="same", stride=2),
            ["same"],
        ),
        (
            lambda: G.conv_transpose1d_input((1, 1, 3), np.ones((1, 1, 2)), np.ones((1, 1, 5))),
            ["grad_output", "(1, 1, 4)"],
        ),
        (
            lambda: G.max_pool2d_backward(np.ones((1, 1, 3, 3)), np.ones((1, 1, 4, 4)), 2),
            ["grad_output", "(1, 1, 2, 2)"],
        ),
        (lambda: G.avg_pool1d_backward(np.ones((1, 2)), np.ones((1, 4)), 2, padding=2), ["padding", "half"]),
        (lambda: G.pad_backward(np.ones((1, 4)), (1, 3), (1, 1), "reflect"), ["grad_output", "(1, 5)"]),
        (lambda: G.pad_backward(np.ones((1, 6)), (1, 3), (3, 0), "reflect"), ["reflect", "less than"]),
        (lambda: G.pad_backward(np.ones((1, 5)), (1, 3), (1, 1), "mirror"), ["mode", "reflect"]),
    ],
)
def test_errors_name_the_parameter_and_the_rule(call, words):
    with pytest.raises((ValueError, TypeError, RuntimeError)) as caught:
        call()
    for word in words:
        assert word in str(caught.value), f"{word!r} missing from {caught.value}"
