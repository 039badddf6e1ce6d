"""Helpers for the autograder test cells of the nbgrader assignments.

How a test cell uses this module (copy this pattern into new assignments)::

    # first code cell of the notebook (a *locked* nbgrader cell, so it is
    # restored at autograde): import grading BEFORE any student code runs, so
    # the private references it saves to numpy cannot be monkeypatched.
    import numpy as np
    from convbook import grading

    # visible test cell (fixed cases from the chapter)
    grading.check(conv2d, grading.torch_reference("conv2d"), x, w, stride=2, padding=1)

    # hidden tests (inside ### BEGIN HIDDEN TESTS / ### END HIDDEN TESTS)
    rng, seed = grading.fresh_rng()
    for _ in range(30):
        case = grading.random_conv_case(rng, ndim=2)
        grading.check(conv2d, grading.torch_reference("conv2d"), **case, seed=seed)

Notebook conventions (solutions/NN-slug/NN-slug.ipynb; copy 01-conv1d's structure):
markdown intro with a task/points table and the rules; cell 2 is the locked ``setup``
cell above; per task a markdown cell, a solution cell (grade_id = the function name,
``### BEGIN SOLUTION`` / ``### END SOLUTION`` inside the ``def``) and a locked autograded
test cell (grade_id ``test_<name>``, points) that starts with
``from convbook import grading``, runs a few visible fixed cases, then random cases
between ``### BEGIN HIDDEN TESTS`` / ``### END HIDDEN TESTS``. Commit without outputs;
regenerate exercises/ with ``tools/make_assignments.sh``.

What the pieces do:

- ``check(fn, reference, *args, **kwargs)`` runs the student's ``fn`` under
  the call guard on copies of the arguments, then (only after it returned,
  in grading's own frames) computes ``reference(*args, **kwargs)`` and
  compares with ``assert_same``. Messages say what was called, what was
  expected and what came back, and the seed of random cases.
- ``call_guarded(fn, *args, **kwargs)``: the call guard alone. While ``fn``
  runs, calling torch, convbook's own implementations, ``scipy.signal``,
  ``scipy.ndimage``, ``np.convolve``/``np.correlate`` or
  ``sliding_window_view``/``as_strided`` raises :class:`ForbiddenCallError`
  (also through saved references and aliases: it looks at what runs, not at
  names). Switching the profiler off counts as a forbidden call.
- ``assert_same(got, expected, what)``: shape, then (optionally) dtype, then
  values with the largest error and the first mismatching index.
- ``check_value(fn, expected_fn, *args, **kwargs)``: for tasks that return
  ints or tuples of ints (output sizes).
- ``describe_call(name, *args, **kwargs)``: ``"conv2d(input shape (1, 3, 5, 5), ...)"``.
- ``fresh_rng()``: a generator seeded from ``os.urandom`` (or the
  ``CONVBOOK_SEED`` environment variable, to reproduce a failure).
- ``random_conv_case(rng, ndim)``, ``random_pad_case(rng, ndim)``: random
  valid configurations for hidden tests.

The guard runs inside the student's kernel: it stops honest mistakes and
casual shortcuts, it is not a sandbox (ctypes, subprocesses, patching this
module from the notebook are not prevented).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

import numpy as np

# Private references, saved at import time: a notebook that patches
# np.allclose, np.testing or np.array later does not change what grading uses.
_ndarray = np.ndarray
_array = np.array
_abs = np.abs
_isnan = np.isnan
_isclose = np.isclose
_argmax = np.argmax
_unravel_index = np.unravel_index
_any = np.any
_logical_not = np.logical_not
_issubdtype = np.issubdtype
_floating = np.floating
_complexfloating = np.complexfloating
_integer = np.integer
_bool_ = np.bool_
_default_rng = np.random.default_rng
_getprofile = sys.getprofile
_setprofile = sys.setprofile
_threading_setprofile = threading.setprofile
_isinstance = isinstance
_type = type

__all__ = [
    "ForbiddenCallError",
    "GuardDisabledError",
    "assert_same",
    "call_guarded",
    "check",
    "check_raises",
    "check_value",
    "describe_call",
    "fresh_rng",
    "random_conv_case",
    "random_pad_case",
    "run_guarded",
    "torch_reference",
]


class ForbiddenCallError(AssertionError):
    """The student's function called a library function the task forbids."""


class GuardDisabledError(ForbiddenCallError):
    """The student's function switched the call guard (the profiler) off."""


# --------------------------------------------------------------------------
# The call guard
# --------------------------------------------------------------------------

_HERE = os.path.abspath(__file__)


def _package_dir(name: str) -> str | None:
    """The directory of package ``name``, found without importing it (importing scipy.signal takes a second)."""
    import importlib.util

    top, _, rest = name.partition(".")
    module = sys.modules.get(top)
    path = getattr(module, "__file__", None) if module is not None else None
    if path is None:
        try:
            spec = importlib.util.find_spec(top)
        except (ImportError, ValueError):
            return None
        path = spec.origin if spec is not None else None
    if not path:
        return None
    directory = os.path.dirname(os.path.abspath(path))
    if rest:
        directory = os.path.join(directory, *rest.split("."))
    return directory + os.sep


def _default_forbidden_dirs(allow: tuple = ()) -> dict[str, str]:
    """Directory prefix -> what to call it in messages (packages in ``allow`` left out)."""
    dirs = {}
    for name, label in [
        ("torch", "torch"),
        ("scipy.signal", "scipy.signal"),
        ("scipy.ndimage", "scipy.ndimage"),
        ("convbook", "convbook's own implementation"),
    ]:
        if name in allow:
            continue
        path = _package_dir(name)
        if path:
            dirs[path] = label
    return dirs


def _impl(f: Any) -> Any:
    return getattr(f, "_implementation", f)


def _default_forbidden_codes() -> dict[Any, str]:
    from numpy.lib import stride_tricks

    codes = {}
    for f, label in [
        (np.convolve, "np.convolve"),
        (np.correlate, "np.correlate"),
        (stride_tricks.sliding_window_view, "numpy.lib.stride_tricks.sliding_window_view"),
        (stride_tricks.as_strided, "numpy.lib.stride_tricks.as_strided"),
        (threading.setprofile, "threading.setprofile (switching the call guard off)"),
        (threading.settrace, "threading.settrace (switching the call guard off)"),
    ]:
        codes[_impl(f).__code__] = label
    for name in ("setprofile_all_threads", "settrace_all_threads"):
        if hasattr(threading, name):
            codes[getattr(threading, name).__code__] = f"threading.{name} (switching the call guard off)"
    return codes


def _default_forbidden_builtins() -> dict[int, str]:
    from numpy._core import multiarray

    builtins = {
        id(sys.setprofile): "sys.setprofile (switching the call guard off)",
        id(sys.settrace): "sys.settrace (switching the call guard off)",
    }
    for name in ("correlate", "correlate2"):
        if hasattr(multiarray, name):
            builtins[id(getattr(multiarray, name))] = f"numpy's C {name} (what np.convolve/np.correlate call)"
    return builtins


_FORBIDDEN_MODULE_PREFIXES = ("torch", "scipy.signal", "scipy.ndimage", "convbook")
_ALLOWED_MODULES = ("convbook.grading",)


class _Guard:
    """A profile function that records (and raises on) forbidden calls."""

    def __init__(self, extra: tuple = (), allow: tuple = ()) -> None:
        self.dirs = _default_forbidden_dirs(allow)
        self.module_prefixes = tuple(m for m in _FORBIDDEN_MODULE_PREFIXES if m not in allow)
        self.codes = _default_forbidden_codes()
        self.builtins = _default_forbidden_builtins()
        for f in extra:
            f = _impl(f)
            label = getattr(f, "__qualname__", repr(f))
            if hasattr(f, "__code__"):
                self.codes[f.__code__] = label
            else:
                self.builtins[id(f)] = label
        self.verdicts: dict[Any, str | None] = {}
        self.violations: list[str] = []
        self.exit_code = None

    def code_verdict(self, code: Any) -> str | None:
        verdict = self.codes.get(code)
        if verdict is None:
            filename = code.co_filename
            if filename and filename != _HERE:
                absolute = os.path.abspath(filename) if not filename.startswith("<") else filename
                for prefix, label in self.dirs.items():
                    if absolute.startswith(prefix):
                        verdict = f"{label} ({code.co_name} in {os.path.basename(filename)})"
                        break
        self.verdicts[code] = verdict
        return verdict

    def builtin_verdict(self, f: Any) -> str | None:
        verdict = self.builtins.get(id(f))
        if verdict is not None:
            return verdict
        module = getattr(f, "__module__", None)
        if module is None:
            owner = getattr(f, "__self__", None)
            if owner is not None:
                module = owner.__name__ if _type(owner) is _type(sys) else _type(owner).__module__
        if module and module.startswith(self.module_prefixes) and not module.startswith(_ALLOWED_MODULES):
            name = getattr(f, "__qualname__", getattr(f, "__name__", repr(f)))
            return f"{module}.{name}"
        return None

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event == "call":
            code = frame.f_code
            verdict = self.verdicts[code] if code in self.verdicts else self.code_verdict(code)
        elif event == "c_call":
            if frame.f_code is self.exit_code:
                return
            verdict = self.builtin_verdict(arg)
        else:
            return
        if verdict is not None:
            self.violations.append(verdict)
            raise ForbiddenCallError(f"this task forbids calling {verdict}; write it with plain NumPy")


_GUARD_CACHE: dict[tuple[tuple, tuple], _Guard] = {}


def _uninstall(guard: _Guard) -> None:
    _setprofile(None)  # first: the guard skips C calls made from this frame
    _threading_setprofile(None)


_GUARD_EXIT_CODE = _uninstall.__code__


def call_guarded(fn: Callable, *args: Any, forbid: tuple = (), allow: tuple = (), **kwargs: Any) -> Any:
    """Call ``fn(*args, **kwargs)`` with the call guard on; return its result.

    Raises :class:`ForbiddenCallError` if ``fn`` called something forbidden
    (even if it caught the error), :class:`GuardDisabledError` if it switched
    the guard off. ``forbid`` adds functions to the default list; ``allow``
    names default packages a task lets students use, e.g. ``("convbook",)``
    when they assemble a network from ``convbook.nn``.
    """
    key = (forbid, allow)
    guard = _GUARD_CACHE.get(key)
    if guard is None:
        guard = _GUARD_CACHE[key] = _Guard(forbid, allow)
        guard.exit_code = _GUARD_EXIT_CODE
    guard.violations = []
    previous = _getprofile()
    _threading_setprofile(guard)
    _setprofile(guard)
    try:
        result = fn(*args, **kwargs)
        still_on = _getprofile() is guard
    except BaseException:
        still_on = _getprofile() is guard
        _uninstall(guard)
        _restore(previous)
        if guard.violations:
            raise ForbiddenCallError(_forbidden_message(fn, guard.violations)) from None
        raise
    _uninstall(guard)
    _restore(previous)
    if guard.violations:
        raise ForbiddenCallError(_forbidden_message(fn, guard.violations))
    if not still_on:
        raise GuardDisabledError(
            f"{_name(fn)} switched the grading call guard off (sys.setprofile or similar); "
            "a function under test must not touch the profiler"
        )
    return result


def _restore(previous: Any) -> None:
    if previous is not None:
        _setprofile(previous)


def _forbidden_message(fn: Any, violations: list[str]) -> str:
    return (
        f"{_name(fn)} called {violations[0]}, which this exercise forbids: "
        "write it with plain NumPy (indexing, slicing, np.sum, np.einsum, np.pad, ... are fine)"
    )


def _name(fn: Any) -> str:
    return getattr(fn, "__name__", repr(fn))


# --------------------------------------------------------------------------
# Messages
# --------------------------------------------------------------------------


def _describe_value(value: Any) -> str:
    if _isinstance(value, _ndarray):
        return f"shape {tuple(value.shape)} {value.dtype}"
    if _isinstance(value, float):
        return repr(value)
    return repr(value)


def describe_call(name: str, *args: Any, **kwargs: Any) -> str:
    """``describe_call("conv2d", x, w, stride=2)`` -> ``"conv2d(shape (1, 3, 5, 5) float64, ..., stride=2)"``."""
    parts = [_describe_value(a) for a in args]
    for key, value in kwargs.items():
        if _isinstance(value, _ndarray):
            parts.append(f"{key} {_describe_value(value)}")
        else:
            parts.append(f"{key}={value!r}")
    return f"{name}({', '.join(parts)})"


def _seed_note(seed: int | None) -> str:
    if seed is None:
        return ""
    return f"\n(random case: reproduce with CONVBOOK_SEED={seed})"


# --------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------


def _tolerance(dtype: Any) -> tuple[float, float]:
    if dtype == np.float16:
        return 1e-2, 1e-2
    if dtype == np.float32:
        return 1e-4, 1e-4
    if _issubdtype(dtype, _floating) or _issubdtype(dtype, _complexfloating):
        return 1e-7, 1e-7
    return 0.0, 0.0


def _as_plain_array(value: Any, what: str) -> np.ndarray:
    if _type(value) is not _ndarray:
        if _isinstance(value, _ndarray):
            raise AssertionError(
                f"{what} returned a {_type(value).__name__} (an ndarray subclass); return a plain np.ndarray"
            )
        raise AssertionError(
            f"{what} returned {_type(value).__name__}, not a NumPy array; return an np.ndarray"
        )
    if value.dtype.hasobject:
        raise AssertionError(f"{what} returned an array of dtype object; return numbers (float or int dtype)")
    return _array(value, copy=True, subok=False)


def assert_same(
    got: Any,
    expected: Any,
    what: str = "the result",
    rtol: float | None = None,
    atol: float | None = None,
    check_dtype: bool = False,
    seed: int | None = None,
) -> None:
    """Compare an array result with the expected one: shape, dtype (optional), values."""
    got = _as_plain_array(got, what)
    expected = _array(expected, copy=True, subok=False)
    note = _seed_note(seed)
    if got.shape != expected.shape:
        raise AssertionError(f"{what}: expected shape {tuple(expected.shape)}, got {tuple(got.shape)}{note}")
    if check_dtype and got.dtype != expected.dtype:
        raise AssertionError(f"{what}: expected dtype {expected.dtype}, got {got.dtype}{note}")
    if got.dtype.kind not in "iufc":
        got = got.astype(expected.dtype if expected.dtype != _bool_ else float)
    if got.size == 0:
        return
    default_rtol, default_atol = _tolerance(expected.dtype)
    rtol = default_rtol if rtol is None else rtol
    atol = default_atol if atol is None else atol
    g = got.astype(complex if _issubdtype(got.dtype, _complexfloating) else float)
    e = expected.astype(complex if _issubdtype(expected.dtype, _complexfloating) else float)
    good = _isclose(g, e, rtol=rtol, atol=atol, equal_nan=True)
    if _any(_logical_not(good)):
        error = _array(_abs(g - e), dtype=float, copy=True)  # an array even for 0-d results
        error[good] = 0
        error[_isnan(error)] = float("inf")
        first = _unravel_index(_argmax(_logical_not(good)), got.shape)
        first = tuple(int(i) for i in first)
        raise AssertionError(
            f"{what}: values differ. Largest error {float(error.max()):.3g}; first mismatch at index "
            f"{first}: expected {e[first].item()!r}, got {g[first].item()!r} "
            f"({int((~good).sum())} of {got.size} entries wrong){note}"
        )


def _copy_args(args: tuple, kwargs: dict) -> tuple[tuple, dict]:
    def copy(v: Any) -> Any:
        if _isinstance(v, _ndarray):
            return _array(v, copy=True)
        if _isinstance(v, list):
            return [copy(x) for x in v]
        return v

    return tuple(copy(a) for a in args), {k: copy(v) for k, v in kwargs.items()}


def _run_student(
    fn: Callable, args: tuple, kwargs: dict, what: str, seed: int | None, forbid: tuple, allow: tuple = ()
) -> Any:
    student_args, student_kwargs = _copy_args(args, kwargs)
    try:
        return call_guarded(fn, *student_args, forbid=forbid, allow=allow, **student_kwargs)
    except ForbiddenCallError as error:
        raise _type(error)(f"{what}: {error}{_seed_note(seed)}") from None
    except NotImplementedError:
        raise AssertionError(f"{what}: not implemented yet (the function raised NotImplementedError)") from None
    except Exception as error:
        raise AssertionError(f"{what} raised {_type(error).__name__}: {error}{_seed_note(seed)}") from error


def run_guarded(fn: Callable, *args: Any, forbid: tuple = (), allow: tuple = (), **kwargs: Any) -> Any:
    """Run the student's ``fn`` under the call guard on copies of the arguments; return its result.

    For test cells that check a result themselves (a trained network, a
    loss): errors become messages that name the call, like :func:`check`'s.
    Every other keyword argument (``seed=`` too) goes to ``fn``.
    """
    return _run_student(fn, args, kwargs, describe_call(_name(fn), *args, **kwargs), None, forbid, allow)


def check(
    fn: Callable,
    reference: Callable,
    *args: Any,
    rtol: float | None = None,
    atol: float | None = None,
    check_dtype: bool = False,
    seed: int | None = None,
    forbid: tuple = (),
    **kwargs: Any,
) -> None:
    """Run ``fn`` (guarded) then ``reference`` on the same arguments and compare the arrays.

    ``reference`` runs only after ``fn`` has returned and the result is
    copied, so the expected values never exist while student code runs.
    """
    what = describe_call(_name(fn), *args, **kwargs)
    got = _run_student(fn, args, kwargs, what, seed, forbid)
    if _isinstance(got, tuple):
        raise AssertionError(f"{what} returned a tuple; return one np.ndarray")
    got = _as_plain_array(got, what)
    expected = reference(*args, **kwargs)
    assert_same(got, expected, what, rtol=rtol, atol=atol, check_dtype=check_dtype, seed=seed)


def _plain_int_structure(value: Any, what: str) -> Any:
    if _type(value) is int or (_isinstance(value, _integer) and _type(value).__module__ == "numpy"):
        return int(value)
    if _type(value) in (tuple, list):
        return tuple(_plain_int_structure(v, what) for v in value)
    raise AssertionError(f"{what} returned {_type(value).__name__} {value!r:.80}; expected an int or a tuple of ints")


def check_value(
    fn: Callable, expected_fn: Callable, *args: Any, seed: int | None = None, forbid: tuple = (), **kwargs: Any
) -> None:
    """For results that are ints or tuples of ints: run ``fn`` guarded, compare with ``expected_fn``'s value."""
    what = describe_call(_name(fn), *args, **kwargs)
    got = _run_student(fn, args, kwargs, what, seed, forbid)
    got_plain = _plain_int_structure(got, what)
    expected = expected_fn(*args, **kwargs)
    if _type(expected) is not _type(got) and not (_type(expected) is int and _type(got_plain) is int):
        kind = _type(expected).__name__
        raise AssertionError(f"{what}: expected {expected!r} ({kind}), got {got!r}{_seed_note(seed)}")
    if _plain_int_structure(expected, "reference") != got_plain:
        raise AssertionError(f"{what}: expected {expected!r}, got {got!r}{_seed_note(seed)}")


def check_raises(
    fn: Callable, errors: tuple = (ValueError, TypeError, RuntimeError), *args: Any, forbid: tuple = (), **kwargs: Any
) -> None:
    """Assert that ``fn(*args, **kwargs)`` raises one of ``errors`` (e.g. an output size below 1)."""
    what = describe_call(_name(fn), *args, **kwargs)
    student_args, student_kwargs = _copy_args(args, kwargs)
    try:
        call_guarded(fn, *student_args, forbid=forbid, **student_kwargs)
    except ForbiddenCallError as error:
        raise _type(error)(f"{what}: {error}") from None
    except errors:
        return
    except Exception as error:
        names = " or ".join(e.__name__ for e in errors)
        raise AssertionError(f"{what} raised {_type(error).__name__}: {error}; expected {names}") from error
    names = " or ".join(e.__name__ for e in errors)
    raise AssertionError(f"{what} returned a result; expected it to raise {names}")


# --------------------------------------------------------------------------
# References (torch) and random cases
# --------------------------------------------------------------------------


def _tensor(value: Any) -> Any:
    import torch

    return torch.from_numpy(_array(value, copy=True)) if _isinstance(value, _ndarray) else value


def _torch_corr1d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    import torch.nn.functional as F

    return F.conv1d(_tensor(x)[None, None], _tensor(w)[None, None])[0, 0].numpy()


def _torch_convolve1d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    import torch.nn.functional as F

    kernel = _tensor(w).flip(0)[None, None]
    return F.conv1d(_tensor(x)[None, None], kernel, padding=len(w) - 1)[0, 0].numpy()


def _torch_corr2d(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    import torch.nn.functional as F

    return F.conv2d(_tensor(X)[None, None], _tensor(K)[None, None])[0, 0].numpy()


def _torch_conv_output_size(
    input_size: Any, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1
) -> Any:
    """The output size torch's conv actually produces (on a zero input of that size)."""
    import torch
    import torch.nn.functional as F

    params = (input_size, kernel_size, stride, padding, dilation)
    lengths = [len(p) for p in params if not _isinstance(p, int)]
    scalar = not lengths
    n = 1 if scalar else lengths[0]

    def per_dim(v: Any) -> tuple:
        return (v,) * n if _isinstance(v, int) else tuple(v)

    sizes = per_dim(input_size)

    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[n]
    out = conv(
        torch.zeros((1, 1, *sizes)),
        torch.zeros((1, 1, *per_dim(kernel_size))),
        stride=per_dim(stride),
        padding=per_dim(padding),
        dilation=per_dim(dilation),
    )
    result = tuple(int(v) for v in out.shape[2:])
    return result[0] if scalar else result


_SPECIAL_REFERENCES = {
    "corr1d": _torch_corr1d,
    "convolve1d": _torch_convolve1d,
    "corr2d": _torch_corr2d,
    "conv_output_size": _torch_conv_output_size,
}


def torch_reference(name: str) -> Callable:
    """A torch reference on NumPy arrays: ``torch.nn.functional.<name>``, or one of
    ``corr1d``, ``convolve1d``, ``corr2d`` (one channel, valid/full) and ``conv_output_size``."""
    if name in _SPECIAL_REFERENCES:
        return _SPECIAL_REFERENCES[name]
    import torch.nn.functional as F

    torch_fn = getattr(F, name)

    def reference(*args: Any, **kwargs: Any) -> np.ndarray:
        import warnings

        with warnings.catch_warnings():  # torch's performance notes would show as errors in nbgrader
            warnings.simplefilter("ignore")
            out = torch_fn(*[_tensor(a) for a in args], **{k: _tensor(v) for k, v in kwargs.items()})
        return out.numpy()

    reference.__name__ = f"torch.nn.functional.{name}"
    return reference


def fresh_rng() -> tuple[np.random.Generator, int]:
    """A generator seeded afresh at each run, and its seed (``CONVBOOK_SEED`` overrides it)."""
    fixed = os.environ.get("CONVBOOK_SEED")
    if fixed:
        seed = int(fixed)
    else:
        seed = int.from_bytes(os.urandom(4), "little") ^ (time.time_ns() & 0xFFFFFFFF)
    return _default_rng(seed), seed


def _ints(rng: np.random.Generator, low: int, high: int, n: int) -> tuple[int, ...]:
    return tuple(int(v) for v in rng.integers(low, high + 1, size=n))


def random_conv_case(
    rng: np.random.Generator,
    ndim: int = 2,
    batched: bool | None = None,
    bias: bool | None = None,
    max_stride: int = 3,
    max_padding: int = 2,
    max_dilation: int = 3,
    max_kernel: int = 4,
    max_channels: int = 3,
    tuples: bool | None = None,
) -> dict[str, Any]:
    """Random valid arguments of ``conv{ndim}d`` (groups=1) as a dict: input, weight, bias, stride, padding, dilation.

    Output size is at least 1 in every dimension; input is float64.
    """
    batched = bool(rng.integers(2)) if batched is None else batched
    with_bias = bool(rng.integers(2)) if bias is None else bias
    tuples = bool(rng.integers(2)) if tuples is None else tuples
    c_in, c_out = _ints(rng, 1, max_channels, 2)
    kernel = _ints(rng, 1, max_kernel, ndim)
    stride = _ints(rng, 1, max_stride, ndim)
    padding = _ints(rng, 0, max_padding, ndim)
    dilation = _ints(rng, 1, max_dilation, ndim)
    size = []
    for k, p, d in zip(kernel, padding, dilation):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)
        size.append(int(rng.integers(smallest, smallest + 7)))
    shape = ((int(rng.integers(1, 3)),) if batched else ()) + (c_in, *size)
    case: dict[str, Any] = {
        "input": rng.standard_normal(shape),
        "weight": rng.standard_normal((c_out, c_in, *kernel)),
    }
    case["bias"] = rng.standard_normal(c_out) if with_bias else None
    if tuples:
        case.update(stride=stride, padding=padding, dilation=dilation)
    else:
        s, p, d = int(stride[0]), int(padding[0]), int(dilation[0])
        case.update(stride=s, padding=p, dilation=d)
        # the scalar form must also give a valid output size
        for i, size_i in enumerate(size):
            need = d * (kernel[i] - 1) + 1 - 2 * p
            if size_i < need:
                grown = list(case["input"].shape)
                grown[-ndim + i] = need
                case["input"] = rng.standard_normal(tuple(grown))
    return case


def random_pad_case(rng: np.random.Generator, ndim: int = 2, mode: str | None = None) -> dict[str, Any]:
    """Random valid arguments of ``pad`` over the last ``ndim`` (1 or 2) dims of a 2D/3D/4D input."""
    mode = mode or str(rng.choice(["constant", "reflect", "replicate", "circular"]))
    batch_dims = int(rng.integers(1, 3))
    sizes = _ints(rng, 2, 6, ndim)
    shape = _ints(rng, 1, 3, batch_dims) + sizes
    pad: list[int] = []
    for size in reversed(sizes):  # pad lists the last dimension first
        limit = size - 1 if mode == "reflect" else size if mode == "circular" else 4
        pad += list(_ints(rng, 0, limit, 2))
    case: dict[str, Any] = {"input": rng.standard_normal(shape), "pad": tuple(pad), "mode": mode}
    if mode == "constant" and rng.integers(2):
        case["value"] = float(rng.integers(-3, 4))
    return case
