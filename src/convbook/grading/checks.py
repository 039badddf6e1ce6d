"""What a test cell calls: run the student's function, compare with the reference, say what differs.

``check(fn, reference, *args, **kwargs)`` runs ``fn`` (under the call guard,
on copies of the arguments), then computes ``reference(*args, **kwargs)``
only after ``fn`` has returned, and compares with :func:`assert_same`.
Messages name the call, what was expected and what came back. The same
functions serve the student's kernel (visible tests) and the trusted grader,
where ``fn`` is a proxy into the sandboxed kernel and the result arrives as
plain data.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from .guard import ForbiddenCallError, _name, call_guarded

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
_isinstance = isinstance
_type = type

# True in the trusted grader (set by trusted_execute): success lines then count every check, hidden ones too.
IN_GRADER = False
_passed: dict[str, int] = {}


def refuse_untrusted_autograde() -> None:
    """Fail a test run by nbgrader's own autograde in the student's kernel (the trusted grader is not in place).

    That happens when ``nbgrader_config.py`` did not load (nbgrader then carries on
    with its defaults): every test fails, so no score comes from a kernel the student controls.
    """
    import os

    if not IN_GRADER and os.environ.get("NBGRADER_EXECUTION") == "autograde":
        raise AssertionError(
            "grading refused: this test ran in the student's kernel, not in convbook's trusted grader "
            "(did nbgrader_config.py fail to load? see the autograde log)"
        )


def _count(fn: Any) -> None:
    name = _name(fn)
    _passed[name] = _passed.get(name, 0) + 1


def summary(*names: str) -> None:
    """Print one line per function saying how many checks passed (a test cell's last line), then reset."""
    refuse_untrusted_autograde()
    for name in names:
        count = _passed.pop(name, 0)
        if IN_GRADER:
            print(f"{name}: {count} checks passed")
        else:
            print(f"{name}: {count} visible checks passed (hidden tests with random cases run at grading)")


def _diagnosis(name: str, got: Any, args: tuple, kwargs: dict) -> str:
    """One sentence naming the misconception a wrong result matches (``misconceptions.explain``), or ''."""
    try:
        from . import misconceptions
    except ImportError:
        return ""
    try:
        sentence = misconceptions.explain(name, got, args, kwargs)
    except Exception:  # noqa: BLE001 - a diagnosis must never hide the failure itself
        return ""
    return f"\n{sentence}" if sentence else ""


def _describe_value(value: Any) -> str:
    """An array by its shape and dtype (also inside a list or tuple, e.g. a stack's weights), else its repr."""
    if _isinstance(value, _ndarray):
        return f"shape {tuple(value.shape)} {value.dtype}"
    if _isinstance(value, (list, tuple)) and any(_isinstance(v, (_ndarray, list, tuple)) for v in value):
        inner = ", ".join(_describe_value(v) for v in value)
        return f"[{inner}]" if _isinstance(value, list) else f"({inner}{',' if len(value) == 1 else ''})"
    return repr(value)


def describe_call(name: str, *args: Any, **kwargs: Any) -> str:
    """``describe_call("conv2d", x, w, stride=2)`` -> ``"conv2d(shape (1, 3, 5, 5) float64, ..., stride=2)"``."""
    parts = [_describe_value(a) for a in args]
    for key, value in kwargs.items():
        shown = _describe_value(value)
        parts.append(f"{key}={shown}" if shown == repr(value) else f"{key} {shown}")
    return f"{name}({', '.join(parts)})"


def _seed_note(seed: int | None) -> str:
    if seed is None:
        return ""
    return f"\n(random case: reproduce with CONVBOOK_SEED={seed})"


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
    __tracebackhide__ = True  # IPython shows the test cell's line, not this frame
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
    __tracebackhide__ = True
    refuse_untrusted_autograde()
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
    __tracebackhide__ = True
    what = describe_call(_name(fn), *args, **kwargs)
    got = _run_student(fn, args, kwargs, what, seed, forbid)
    if _isinstance(got, tuple):
        raise AssertionError(f"{what} returned a tuple; return one np.ndarray")
    got = _as_plain_array(got, what)
    expected = reference(*args, **kwargs)
    try:
        assert_same(got, expected, what, rtol=rtol, atol=atol, check_dtype=check_dtype, seed=seed)
    except AssertionError as error:
        raise AssertionError(f"{error}{_diagnosis(_name(fn), got, args, kwargs)}") from None
    _count(fn)


def make(cls: type, *args: Any, **kwargs: Any) -> Any:
    """``cls(*args, **kwargs)``, built where the student's objects live.

    In the student's kernel this is just the call. In the trusted grader the
    object is built in the sandboxed kernel instead (``cls`` must be importable
    there, e.g. ``convbook.nn.SGD`` in 11-cnn), so that it can be handed to the
    student's code, and the test gets a proxy for it.
    """
    from . import proxies

    if not IN_GRADER or proxies.current_link is None:
        return cls(*args, **kwargs)
    path = f"{cls.__module__}.{cls.__qualname__}"
    return proxies.current_link.request("construct", (tuple(args), dict(kwargs)), path=path, name=cls.__name__)


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
    __tracebackhide__ = True
    what = describe_call(_name(fn), *args, **kwargs)
    got = _run_student(fn, args, kwargs, what, seed, forbid)
    got_plain = _plain_int_structure(got, what)
    expected = expected_fn(*args, **kwargs)
    if _type(expected) is not _type(got) and not (_type(expected) is int and _type(got_plain) is int):
        kind = _type(expected).__name__
        raise AssertionError(f"{what}: expected {expected!r} ({kind}), got {got!r}{_seed_note(seed)}")
    if _plain_int_structure(expected, "reference") != got_plain:
        diagnosis = _diagnosis(_name(fn), got_plain, args, kwargs)
        raise AssertionError(f"{what}: expected {expected!r}, got {got!r}{_seed_note(seed)}{diagnosis}")
    _count(fn)


def check_raises(
    fn: Callable, errors: tuple = (ValueError, TypeError, RuntimeError), *args: Any, forbid: tuple = (), **kwargs: Any
) -> None:
    """Assert that ``fn(*args, **kwargs)`` raises one of ``errors`` (e.g. an output size below 1)."""
    __tracebackhide__ = True
    refuse_untrusted_autograde()
    what = describe_call(_name(fn), *args, **kwargs)
    student_args, student_kwargs = _copy_args(args, kwargs)
    try:
        call_guarded(fn, *student_args, forbid=forbid, **student_kwargs)
    except ForbiddenCallError as error:
        raise _type(error)(f"{what}: {error}") from None
    except errors:
        _count(fn)
        return
    except Exception as error:
        names = " or ".join(e.__name__ for e in errors)
        raise AssertionError(f"{what} raised {_type(error).__name__}: {error}; expected {names}") from error
    names = " or ".join(e.__name__ for e in errors)
    raise AssertionError(f"{what} returned a result; expected it to raise {names}")
