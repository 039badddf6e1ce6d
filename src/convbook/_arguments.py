"""Argument checking shared by every functional: arrays, int-or-tuple
parameters, batched or unbatched input.

Each helper raises the exception type torch raises for the same mistake
(``TypeError`` for a wrong kind of value, ``RuntimeError``/``ValueError`` for
a value that breaks a rule) and names the parameter in its message.
"""

from __future__ import annotations

import numbers
from collections.abc import Sequence

import numpy as np

IntOrTuple = int | Sequence[int]

#: dtypes torch's CPU kernels accept, per family of operations.
FLOAT_DTYPES = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64))
INT_DTYPES = frozenset(np.dtype(t) for t in (np.int8, np.int16, np.int32, np.int64, np.uint8))


def as_array(value, name: str) -> np.ndarray:
    """Return ``value`` as a NumPy array; refuse anything that is not numeric."""
    if not isinstance(value, np.ndarray):
        raise TypeError(f"{name} must be a numpy.ndarray, got {type(value).__name__}")
    if value.dtype.kind not in "fiub":
        raise TypeError(f"{name} must have a numeric dtype, got {value.dtype}")
    return value


def check_dtype(array: np.ndarray, allowed: frozenset, op: str) -> None:
    """Refuse dtypes for which torch has no CPU kernel for ``op``."""
    if array.dtype not in allowed:
        names = ", ".join(sorted(str(d) for d in allowed))
        raise TypeError(f"{op} is not implemented for dtype {array.dtype} (torch supports {names})")


def is_int(value) -> bool:
    """True for Python and NumPy integers, False for bools (as torch decides)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, (bool, np.bool_))


def ntuple(value: IntOrTuple, n: int, name: str) -> tuple[int, ...]:
    """Normalise an int-or-tuple parameter to a tuple of ``n`` ints.

    A single int, or a sequence of one int, is repeated ``n`` times, exactly
    like torch's ``expand_param_if_needed``.
    """
    if is_int(value):
        return (int(value),) * n
    if isinstance(value, (tuple, list)) and all(is_int(v) for v in value):
        if len(value) == 1:
            return (int(value[0]),) * n
        if len(value) == n:
            return tuple(int(v) for v in value)
        raise RuntimeError(
            f"expected {name} to be a single integer value or a list of {n} values "
            f"to match the {n}D operation, but got {name}={list(value)}"
        )
    raise TypeError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")


def require(condition: bool, message: str, error: type[Exception] = RuntimeError) -> None:
    """Raise ``error(message)`` unless ``condition`` holds."""
    if not condition:
        raise error(message)


def add_batch_dim(x: np.ndarray, n: int, op: str) -> tuple[np.ndarray, bool]:
    """Accept ``(C, *spatial)`` or ``(N, C, *spatial)`` with ``n`` spatial dims.

    Returns the batched view and whether a batch dimension was added, so the
    caller can remove it from the result again.
    """
    if x.ndim == n + 1:
        return x[np.newaxis], True
    require(
        x.ndim == n + 2,
        f"Expected {n + 1}D (unbatched) or {n + 2}D (batched) input to {op}, but got input of shape {list(x.shape)}",
    )
    return x, False


def drop_batch_dim(result: np.ndarray, added: bool) -> np.ndarray:
    """Undo :func:`add_batch_dim` on a result."""
    return result[0] if added else result
