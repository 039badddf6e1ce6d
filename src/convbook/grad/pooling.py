"""Gradients of max and average pooling.

Max pooling passes each output's gradient to the one input that won its
window (the index ``max_pool*d(..., return_indices=True)`` reports);
overlapping windows that share a winner add up. Average pooling spreads each
output's gradient evenly over its window, divided by the same divisor the
forward pass used, on the same sliding windows, read backwards (a scatter).
"""

from __future__ import annotations

import numpy as np

from .._arguments import IntOrTuple, add_batch_dim, drop_batch_dim
from .._windows import kernel_offsets, window_slices
from ..functional.conv import accumulation_dtype
from ..functional.pooling import avg_pool_geometry, max_pool_nd
from .conv import check_float, check_grad_output_size


def max_pool_backward_nd(grad_output, input, kernel_size, stride, padding, dilation, ceil_mode, n: int, op: str):
    """The N-dimensional max-pooling gradient behind ``max_pool{1,2,3}d_backward``."""
    grad_output = check_float(grad_output, "grad_output")
    _, indices = max_pool_nd(input, kernel_size, stride, padding, dilation, ceil_mode, True, n, op)
    check_grad_output_size(grad_output, indices.shape, op.removesuffix("_backward"))
    planes = int(np.prod(input.shape[:-n]))  # N * C: each channel of each sample has its own flat index space
    pixels = int(np.prod(input.shape[-n:]))
    # The forward refuses windows that read padding only, so every index is inside its plane.
    # Make the per-plane indices global, then add every gradient at its index (repeats accumulate).
    where = indices.reshape(planes, -1) + (np.arange(planes) * pixels)[:, np.newaxis]
    weights = grad_output.astype(np.float64).reshape(planes, -1)
    grad = np.bincount(where.ravel(), weights=weights.ravel(), minlength=planes * pixels)
    return grad.reshape(input.shape).astype(grad_output.dtype)


def avg_pool_backward_nd(
    grad_output, input, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, n: int, op: str
):
    """The N-dimensional average-pooling gradient behind ``avg_pool{1,2,3}d_backward``."""
    grad_output = check_float(grad_output, "grad_output")
    x = check_float(input, "input")
    x, unbatched = add_batch_dim(x, n, op)
    kernel, stride, padding, out_size, divisor = avg_pool_geometry(
        x, kernel_size, stride, padding, ceil_mode, count_include_pad, divisor_override, n, op
    )
    in_size = x.shape[2:]
    check_grad_output_size(grad_output, x.shape[int(unbatched) : 2] + out_size, op.removesuffix("_backward"))
    acc = accumulation_dtype(grad_output.dtype)
    share = grad_output.astype(acc).reshape(x.shape[:2] + out_size) / np.asarray(divisor, dtype=acc)
    grad = np.zeros(x.shape, dtype=acc)
    for offset in kernel_offsets(kernel):
        found = window_slices(offset, out_size, in_size, stride, (1,) * n, padding)
        if found is not None:
            out_sl, in_sl = found
            grad[(Ellipsis, *in_sl)] += share[(Ellipsis, *out_sl)]
    return drop_batch_dim(grad.astype(grad_output.dtype, copy=False), unbatched)


def max_pool1d_backward(
    grad_output: np.ndarray,
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
) -> np.ndarray:
    """Gradient of ``max_pool1d`` with respect to its input: each window's gradient goes to its argmax.

    Mirrors what torch's autograd computes for ``torch.nn.functional.max_pool1d``.
    """
    return max_pool_backward_nd(
        grad_output, input, kernel_size, stride, padding, dilation, ceil_mode, 1, "max_pool1d_backward"
    )


def max_pool2d_backward(
    grad_output: np.ndarray,
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
) -> np.ndarray:
    """Gradient of ``max_pool2d`` with respect to its input: each window's gradient goes to its argmax.

    Mirrors what torch's autograd computes for ``torch.nn.functional.max_pool2d``.
    """
    return max_pool_backward_nd(
        grad_output, input, kernel_size, stride, padding, dilation, ceil_mode, 2, "max_pool2d_backward"
    )


def max_pool3d_backward(
    grad_output: np.ndarray,
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    dilation: IntOrTuple = 1,
    ceil_mode: bool = False,
) -> np.ndarray:
    """Gradient of ``max_pool3d`` with respect to its input: each window's gradient goes to its argmax.

    Mirrors what torch's autograd computes for ``torch.nn.functional.max_pool3d``.
    """
    return max_pool_backward_nd(
        grad_output, input, kernel_size, stride, padding, dilation, ceil_mode, 3, "max_pool3d_backward"
    )


def avg_pool1d_backward(
    grad_output: np.ndarray,
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
) -> np.ndarray:
    """Gradient of ``avg_pool1d`` with respect to its input: each window's gradient, divided evenly.

    Mirrors what torch's autograd computes for ``torch.nn.functional.avg_pool1d``.
    """
    return avg_pool_backward_nd(
        grad_output, input, kernel_size, stride, padding, ceil_mode, count_include_pad, None, 1, "avg_pool1d_backward"
    )


def avg_pool2d_backward(
    grad_output: np.ndarray,
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """Gradient of ``avg_pool2d`` with respect to its input: each window's gradient, divided evenly.

    Mirrors what torch's autograd computes for ``torch.nn.functional.avg_pool2d``.
    """
    return avg_pool_backward_nd(
        grad_output,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
        2,
        "avg_pool2d_backward",
    )


def avg_pool3d_backward(
    grad_output: np.ndarray,
    input: np.ndarray,
    kernel_size: IntOrTuple,
    stride: IntOrTuple | None = None,
    padding: IntOrTuple = 0,
    ceil_mode: bool = False,
    count_include_pad: bool = True,
    divisor_override: int | None = None,
) -> np.ndarray:
    """Gradient of ``avg_pool3d`` with respect to its input: each window's gradient, divided evenly.

    Mirrors what torch's autograd computes for ``torch.nn.functional.avg_pool3d``.
    """
    return avg_pool_backward_nd(
        grad_output,
        input,
        kernel_size,
        stride,
        padding,
        ceil_mode,
        count_include_pad,
        divisor_override,
        3,
        "avg_pool3d_backward",
    )
