"""``max_unpool*d``: put each pooled maximum back where it came from.

The output is zero except at the flat per-channel positions that
``max_pool*d(..., return_indices=True)`` returned. ``kernel_size``,
``stride`` and ``padding`` only decide the default output size.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._arguments import FLOAT_DTYPES, IntOrTuple, as_array, check_dtype, is_int, ntuple, require
from ..shapes import unpool_output_size


def resolve_output_size(output_size, default, stride, n: int) -> tuple[int, ...]:
    """Check a requested output size: within ``stride`` of the default, as torch demands."""
    if output_size is None:
        sizes = default
    else:
        if not isinstance(output_size, (tuple, list)) or not all(is_int(v) for v in output_size):
            raise TypeError(f"output_size must be a tuple of ints, got {output_size!r}")
        if len(output_size) == n + 2:
            output_size = output_size[2:]
        if len(output_size) != n:
            raise ValueError(
                f"output_size should be a sequence containing {n} or {n + 2} elements, "
                f"but it has a length of {len(output_size)}"
            )
        for dim, (size, d, s) in enumerate(zip(output_size, default, stride)):
            if not d - s < size < d + s:
                raise ValueError(
                    f'invalid output_size "{tuple(output_size)}" (dim {dim} must be between '
                    f"{d - s} and {d + s}, exclusive: the default size {d} plus or minus the stride)"
                )
        sizes = tuple(int(v) for v in output_size)
    for dim, size in enumerate(sizes):
        if size < 0:
            raise ValueError(
                f"max_unpool: output_size must contain non-negative spatial dimensions, "
                f"but got output_size[{dim}]={size}"
            )
    return tuple(sizes)


def max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, n, op):
    """The N-dimensional unpooling behind ``max_unpool{1,2,3}d``."""
    x = as_array(input, "input")
    indices = as_array(indices, "indices")
    require(
        x.ndim in (n + 1, n + 2),
        f"Input to {op} should be a {n + 1}d or {n + 2}d array, but got an array with {x.ndim} dimensions",
    )
    check_dtype(x, FLOAT_DTYPES, op)
    require(indices.dtype == np.int64, f"elements in indices should be type int64 but got {indices.dtype}")
    require(
        indices.shape == x.shape,
        f"Expected shape of indices to be same as that of the input ({list(x.shape)}) "
        f"but got indices of shape {list(indices.shape)}",
    )
    kernel = ntuple(kernel_size, n, "kernel_size")
    stride = kernel if stride is None else ntuple(stride, n, "stride")
    padding = ntuple(padding, n, "padding")
    lead, in_size = x.shape[:-n], x.shape[-n:]
    out_size = resolve_output_size(output_size, unpool_output_size(in_size, kernel, stride, padding), stride, n)
    pixels = int(np.prod(out_size))
    flat_indices = indices.reshape(*lead, -1)
    if flat_indices.size:
        low, high = int(flat_indices.min()), int(flat_indices.max())
        require(
            low >= 0 and high < pixels,
            f"Found an invalid max index: {low if low < 0 else high} (the output of {op} has "
            f"spatial size {'x'.join(map(str, out_size))} = {pixels} positions per channel)",
        )
    out = np.zeros((*lead, pixels), dtype=x.dtype)
    np.put_along_axis(out, flat_indices, x.reshape(*lead, -1), axis=-1)
    return out.reshape(*lead, *out_size)


def max_unpool1d(
    input: np.ndarray,
    indices: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    output_size: Sequence[int] | None = None,
) -> np.ndarray:
    """Partial inverse of ``max_pool1d``. Mirrors ``torch.nn.functional.max_unpool1d``."""
    return max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, 1, "max_unpool1d")


def max_unpool2d(
    input: np.ndarray,
    indices: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    output_size: Sequence[int] | None = None,
) -> np.ndarray:
    """Partial inverse of ``max_pool2d``. Mirrors ``torch.nn.functional.max_unpool2d``."""
    return max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, 2, "max_unpool2d")


def max_unpool3d(
    input: np.ndarray,
    indices: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    output_size: Sequence[int] | None = None,
) -> np.ndarray:
    """Partial inverse of ``max_pool3d``. Mirrors ``torch.nn.functional.max_unpool3d``."""
    return max_unpool_nd(input, indices, kernel_size, stride, padding, output_size, 3, "max_unpool3d")
