"""``max_pool*d`` and ``avg_pool*d`` on the same sliding windows as convolution.

Max pooling pads with ``-inf`` (padding never wins) and keeps, per window,
the first maximum in row-major scan order, like torch (a NaN always wins).
Its indices are flat positions in each channel's unpadded input. Average
pooling pads with zeros and divides by the window size torch uses.
"""

from __future__ import annotations

import functools

import numpy as np

from .._arguments import (
    FLOAT_DTYPES,
    INT_DTYPES,
    IntOrTuple,
    add_batch_dim,
    as_array,
    check_dtype,
    drop_batch_dim,
    is_int,
    ntuple,
    require,
)
from .._windows import kernel_offsets, window_slices
from ..shapes import pool_output_size
from .conv import accumulation_dtype

MAX_POOL_DTYPES = FLOAT_DTYPES | INT_DTYPES
AVG_POOL_DTYPES = FLOAT_DTYPES | {np.dtype(np.int64)}


def pool_geometry(x, kernel_size, stride, padding, dilation, ceil_mode, n, op):
    """Check the parameters of a pooling layer; return its sizes.

    Returns ``(kernel, stride, padding, dilation, out_size)`` as tuples.
    """
    require(
        all(s > 0 for s in x.shape[1:]),
        f"{op} expects non-empty channel and spatial dimensions (a batch of 0 is allowed), "
        f"but got input of shape {list(x.shape)}",
    )
    kernel = ntuple(kernel_size, n, "kernel_size")
    stride = kernel if stride is None or stride == [] or stride == () else ntuple(stride, n, "stride")
    padding = ntuple(padding, n, "padding")
    dilation = ntuple(dilation, n, "dilation")
    if not isinstance(ceil_mode, (bool, np.bool_)):
        raise TypeError(f"ceil_mode must be a bool, got {ceil_mode!r}")
    require(all(k > 0 for k in kernel), f"kernel_size must be greater than zero, but got kernel_size={list(kernel)}")
    require(all(s > 0 for s in stride), f"stride must be greater than zero, but got stride={list(stride)}")
    require(all(d > 0 for d in dilation), f"dilation must be greater than zero, but got dilation={list(dilation)}")
    require(all(p >= 0 for p in padding), f"padding must be non-negative, but got padding={list(padding)}")
    require(
        all(p <= k // 2 for p, k in zip(padding, kernel)),
        f"padding should be at most half of kernel_size, but got padding={list(padding)} "
        f"and kernel_size={list(kernel)}",
    )
    in_size = x.shape[2:]
    out_size = pool_output_size(tuple(in_size), kernel, stride, padding, dilation, bool(ceil_mode))
    require(
        all(o > 0 for o in out_size),
        f"Given input size {tuple(in_size)}, kernel_size={list(kernel)}, stride={list(stride)}, "
        f"padding={list(padding)} and dilation={list(dilation)}, the calculated output size "
        f"{out_size} is too small",
    )
    return kernel, stride, padding, dilation, out_size


def lowest_value(dtype: np.dtype):
    """The padding value of max pooling: ``-inf``, or the smallest integer."""
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def outer_sum(columns) -> np.ndarray:
    """``out[i, j, ...] = columns[0][i] + columns[1][j] + ...`` for 1D arrays."""
    return functools.reduce(np.add.outer, columns)


def row_major_places(in_size) -> list[int]:
    """How far one step along each dimension moves a flat (row-major) index."""
    return [int(np.prod(in_size[dim + 1 :])) for dim in range(len(in_size))]


def first_positions_in_bounds(in_size, out_size, kernel, stride, padding, dilation, op) -> list[np.ndarray]:
    """Per dimension, each window's first tap that is not padding.

    Raises if a window reads padding only (dilated taps can jump over the
    whole input): torch returns ``-inf`` there with an index outside the
    input, which no later step can use.
    """
    starts = []
    for dim, (i, o, k, s, p, d) in enumerate(zip(in_size, out_size, kernel, stride, padding, dilation)):
        start = np.arange(o) * s - p
        first = start + (np.maximum(-start, 0) + d - 1) // d * d
        empty = (first >= i) | (first > start + (k - 1) * d)
        require(
            not empty.any(),
            f"{op}: the window of output position {int(np.argmax(empty))} along spatial dimension {dim} "
            f"reads padding only (kernel_size={k}, dilation={d}, padding={p}, input size {i}): "
            "every window must cover at least one input element",
        )
        starts.append(first)
    return starts


def max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, n, op):
    """The N-dimensional max pooling behind ``max_pool{1,2,3}d``."""
    x = as_array(input, "input")
    x, unbatched = add_batch_dim(x, n, op)
    allowed = FLOAT_DTYPES if n == 1 and not return_indices else MAX_POOL_DTYPES
    check_dtype(x, allowed, op + ("" if allowed is MAX_POOL_DTYPES else " without return_indices"))
    kernel, stride, padding, dilation, out_size = pool_geometry(
        x, kernel_size, stride, padding, dilation, ceil_mode, n, op
    )
    in_size = x.shape[2:]
    first = first_positions_in_bounds(in_size, out_size, kernel, stride, padding, dilation, op)
    lowest = lowest_value(x.dtype)
    best = np.full(x.shape[:2] + out_size, lowest, dtype=x.dtype)
    # Padding is `lowest`, which never beats `best`: each offset only visits the box it shares with the input.
    pairs = [window_slices(offset, out_size, in_size, stride, dilation, padding) for offset in kernel_offsets(kernel)]
    if not return_indices:
        # np.maximum keeps a NaN once seen, like torch's `value > best or isnan(value)` scan.
        for out_sl, in_sl in filter(None, pairs):
            target = best[(Ellipsis, *out_sl)]
            np.maximum(target, x[(Ellipsis, *in_sl)], out=target)
        return drop_batch_dim(best, unbatched)
    places = row_major_places(in_size)
    index = np.broadcast_to(outer_sum([f * m for f, m in zip(first, places)]), best.shape).copy()
    window_origin = outer_sum([np.arange(o) * s * m for o, s, m in zip(out_size, stride, places)])
    better = np.empty(best.shape, dtype=bool)
    for offset, pair in zip(kernel_offsets(kernel), pairs):
        if pair is None:
            continue
        out_sl, in_sl = pair
        target, values, mask = best[(Ellipsis, *out_sl)], x[(Ellipsis, *in_sl)], better[(Ellipsis, *out_sl)]
        np.greater(values, target, out=mask)
        if x.dtype.kind == "f":
            mask |= np.isnan(values)
        np.copyto(target, values, where=mask)
        shift = sum((k * d - p) * m for k, d, p, m in zip(offset, dilation, padding, places))
        np.copyto(index[(Ellipsis, *out_sl)], window_origin[out_sl] + shift, where=mask)
    return drop_batch_dim(best, unbatched), drop_batch_dim(index, unbatched)


def window_counts(in_size, out_size, kernel, stride, padding, count_include_pad) -> np.ndarray:
    """torch's divisor per window: its size, with or without the padding it covers.

    A window is first clipped to the padded input; with
    ``count_include_pad=False`` it is clipped to the input itself.
    """
    count = np.ones((), dtype=np.int64)
    for i, o, k, s, p in zip(in_size, out_size, kernel, stride, padding):
        start = np.arange(o) * s - p
        end = np.minimum(start + k, i + p)
        if not count_include_pad:
            start, end = np.maximum(start, 0), np.minimum(end, i)
        count = np.multiply.outer(count, end - start)
    return count


def divide(total: np.ndarray, divisor, dtype: np.dtype) -> np.ndarray:
    """``total / divisor``, truncated toward zero for integers (C++ division)."""
    if dtype.kind == "f":
        return (total / np.asarray(divisor, dtype=total.dtype)).astype(dtype, copy=False)
    divisor = np.asarray(divisor, dtype=np.int64)
    quotient = np.abs(total) // np.abs(divisor)
    return (quotient * np.sign(total) * np.sign(divisor)).astype(dtype, copy=False)


def avg_pool_geometry(x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, n, op):
    """Check an average-pooling layer's parameters (shared by forward and backward).

    Returns ``(kernel, stride, padding, out_size, divisor)``; the divisor is
    ``divisor_override`` or torch's window size per output position.
    """
    if divisor_override is not None:
        if not is_int(divisor_override):
            raise TypeError(f"divisor_override must be an int or None, got {divisor_override!r}")
        require(divisor_override != 0, "divisor_override must not be zero")
    kernel, stride, padding, _, out_size = pool_geometry(x, kernel_size, stride, padding, 1, ceil_mode, n, op)
    in_size = x.shape[2:]
    if n == 3:  # torch's avg_pool3d alone also refuses kernels larger than the unpadded input
        require(
            all(i >= k for i, k in zip(in_size, kernel)),
            f"{op}: input size {tuple(in_size)} is smaller than kernel_size {kernel} (padding does not count here)",
        )
    if divisor_override is not None:
        divisor = divisor_override
    else:
        divisor = window_counts(in_size, out_size, kernel, stride, padding, count_include_pad)
    return kernel, stride, padding, out_size, divisor


def avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, n, op):
    """The N-dimensional average pooling behind ``avg_pool{1,2,3}d``."""
    x = as_array(input, "input")
    x, unbatched = add_batch_dim(x, n, op)
    check_dtype(x, AVG_POOL_DTYPES - {np.dtype(np.float16)} if n == 3 else AVG_POOL_DTYPES, op)
    kernel, stride, padding, out_size, divisor = avg_pool_geometry(
        x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, n, op
    )
    in_size = x.shape[2:]
    acc = accumulation_dtype(x.dtype)
    xs = x.astype(acc, copy=False)
    total = np.zeros(x.shape[:2] + out_size, dtype=acc)
    for offset in kernel_offsets(kernel):
        found = window_slices(offset, out_size, in_size, stride, (1,) * n, padding)
        if found is not None:  # padding adds zero: only the box shared with the input is added
            target = total[(Ellipsis, *found[0])]
            np.add(target, xs[(Ellipsis, *found[1])], out=target)
    return drop_batch_dim(divide(total, divisor, x.dtype), unbatched)


def max_pool1d(
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Maximum over sliding windows of ``(N, C, L)``, and the argmax indices if asked.

    Mirrors ``torch.nn.functional.max_pool1d``.
    """
    return max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 1, "max_pool1d")


def max_pool2d(
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Maximum over sliding windows of ``(N, C, H, W)``. Mirrors ``torch.nn.functional.max_pool2d``."""
    return max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 2, "max_pool2d")


def max_pool3d(
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
    return_indices: bool = False,
) -> np.ndarray | tuple[np.ndarray, np.ndarray]:
    """Maximum over sliding windows of ``(N, C, D, H, W)``. Mirrors ``torch.nn.functional.max_pool3d``."""
    return max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, return_indices, 3, "max_pool3d")


def avg_pool1d(
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> np.ndarray:
    """Mean over sliding windows of ``(N, C, L)``. Mirrors ``torch.nn.functional.avg_pool1d``."""
    return avg_pool_nd(input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d")


def avg_pool2d(
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """Mean over sliding windows of ``(N, C, H, W)``. Mirrors ``torch.nn.functional.avg_pool2d``."""
    return avg_pool_nd(
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 2, "avg_pool2d"
    )


def avg_pool3d(
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """Mean over sliding windows of ``(N, C, D, H, W)``. Mirrors ``torch.nn.functional.avg_pool3d``."""
    return avg_pool_nd(
        input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, 3, "avg_pool3d"
    )
