"""Run a convbook function and its torch twin on the same values, compare.

``agree`` is the one assertion the package tests make: either both raise
(convbook with a ValueError/TypeError/RuntimeError that says something), or
both return outputs with the same shape, dtype and values.
"""

from __future__ import annotations

import warnings

import numpy as np
import torch

ACCEPTED_ERRORS = (ValueError, TypeError, RuntimeError)


def to_torch(value):
    """numpy arrays become tensors (copied: torch refuses negative strides); the rest passes through."""
    if isinstance(value, np.ndarray):
        return torch.from_numpy(value.copy())
    if isinstance(value, (tuple, list)):
        return type(value)(to_torch(v) for v in value)
    return value


def to_numpy(value):
    if isinstance(value, torch.Tensor):
        return value.numpy()
    if isinstance(value, (tuple, list)):
        return type(value)(to_numpy(v) for v in value)
    return value


def tolerance(dtype: np.dtype) -> dict:
    if dtype == np.float16:
        return {"rtol": 1e-2, "atol": 1e-2}
    if dtype == np.float32:
        return {"rtol": 1e-4, "atol": 1e-4}
    if dtype == np.float64:
        return {"rtol": 1e-10, "atol": 1e-10}
    return {"rtol": 0, "atol": 0}


def assert_same(ours, theirs, context: str) -> None:
    if isinstance(theirs, tuple):
        assert isinstance(ours, tuple) and len(ours) == len(theirs), f"{context}: expected a tuple of {len(theirs)}"
        for a, b in zip(ours, theirs):
            assert_same(a, b, context)
        return
    assert isinstance(ours, np.ndarray), f"{context}: convbook returned {type(ours).__name__}, not an ndarray"
    assert ours.shape == theirs.shape, f"{context}: shape {ours.shape} != torch {theirs.shape}"
    assert ours.dtype == theirs.dtype, f"{context}: dtype {ours.dtype} != torch {theirs.dtype}"
    np.testing.assert_allclose(ours, theirs, err_msg=context, equal_nan=True, **tolerance(theirs.dtype))


def is_empty(result) -> bool:
    """torch returned an array with no elements."""
    return result.size == 0


def reads_padding_only(result) -> bool:
    """torch's max pooling returned its padding value, ``-inf`` or the smallest integer
    (a window that saw padding only; the tests' inputs never hold those values)."""
    values = result[0] if isinstance(result, tuple) else result
    lowest = -np.inf if values.dtype.kind == "f" else np.iinfo(values.dtype).min
    return bool((values == lowest).any())


def agree(ours_fn, torch_fn, args: tuple, kwargs: dict, may_refuse=None):
    """Assert that ``ours_fn`` behaves like ``torch_fn`` on ``args``/``kwargs``.

    ``may_refuse(torch_result)``: in a few corners torch returns a degenerate
    result where a sibling raises (an empty array from grouped transposed
    convolution or unpooling, ``-inf`` with an out-of-range index from a max
    pooling window that reads padding only); convbook raises there, and this
    predicate says which torch results that difference may excuse.
    Returns torch's result (or None if it raised), for further checks.
    """
    context = f"{ours_fn.__name__} with {describe(args)} {kwargs}"
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            expected = to_numpy(torch_fn(*to_torch(args), **kwargs))
        torch_error = None
    except Exception as error:  # noqa: BLE001 - any torch refusal counts
        expected, torch_error = None, error
    try:
        ours = ours_fn(*args, **kwargs)
    except ACCEPTED_ERRORS as error:
        excused = may_refuse is not None and expected is not None and may_refuse(expected)
        assert torch_error is not None or excused, f"{context}: convbook raised {error!r} but torch returned a result"
        assert len(str(error)) > 20, f"{context}: error message too short to help: {error!r}"
        return None
    assert torch_error is None, f"{context}: torch raised {torch_error!r} but convbook returned a result"
    assert_same(ours, expected, context)
    return expected


def describe(args) -> str:
    parts = []
    for a in args:
        if isinstance(a, np.ndarray):
            parts.append(f"array{list(a.shape)}:{a.dtype}")
        else:
            parts.append(repr(a))
    return "(" + ", ".join(parts) + ")"
