"""Gradients of convolution and transposed convolution.

The chapter's two facts, as code:

* The gradient of a convolution with respect to its **input** is a
  **transposed convolution** of ``grad_output`` with the very same weight
  (not flipped, not transposed by hand: ``conv_transpose`` reads the
  ``(C_out, C_in/groups, *k)`` weight as ``(in, out/groups, *k)``). Only the
  size is ambiguous when the stride skipped input pixels, and
  ``output_padding`` settles it.
* The gradient with respect to the **weight** is a cross-correlation of the
  input with ``grad_output``: for each kernel offset, gather the input window
  that offset saw (as the forward pass does) and take one matrix product with
  ``grad_output`` over batch and pixels.

Read the other way round, the gradient of a transposed convolution with
respect to its input is a forward convolution, and its weight gradient is the
same correlation with the roles of input and ``grad_output`` swapped.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._arguments import IntOrTuple, add_batch_dim, as_array, is_int, ntuple, require
from .._windows import gather_window, kernel_offsets
from ..functional.conv import accumulation_dtype, check_groups, convnd, resolve_padding
from ..functional.conv_transpose import conv_transpose_nd


def check_size(size, n: int, name: str, lengths: tuple[int, ...]) -> tuple[int, ...]:
    """A shape argument (``input_size``/``weight_size``) as a tuple of ints of an allowed length."""
    if not isinstance(size, Sequence) or not all(is_int(s) for s in size):
        raise TypeError(f"{name} must be a tuple of ints (a shape), got {size!r}")
    require(
        len(size) in lengths,
        f"{name} must have {' or '.join(str(k) for k in lengths)} entries for a {n}D operation, "
        f"but got {name}={tuple(size)}",
        ValueError,
    )
    require(all(s >= 0 for s in size), f"{name} must not contain negative sizes, got {tuple(size)}", ValueError)
    return tuple(int(s) for s in size)


def check_float(array: np.ndarray, name: str) -> np.ndarray:
    """Gradients exist for floating-point arrays only (torch: only float tensors require grad)."""
    array = as_array(array, name)
    require(
        array.dtype.kind == "f",
        f"{name} must be a floating-point array to take gradients, got dtype {array.dtype}",
        TypeError,
    )
    return array


def check_grad_output_size(grad_output: np.ndarray, expected: tuple[int, ...], what: str) -> None:
    """``grad_output`` has the shape the forward pass would have produced."""
    require(
        tuple(grad_output.shape) == tuple(expected),
        f"grad_output must have the shape of the {what} output, {tuple(expected)}, "
        f"but got grad_output of shape {tuple(grad_output.shape)}",
        ValueError,
    )


def check_stride_dilation(stride, dilation, n: int, op: str) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """``stride`` and ``dilation`` as tuples of positive ints."""
    stride, dilation = ntuple(stride, n, "stride"), ntuple(dilation, n, "dilation")
    require(all(s > 0 for s in stride), f"{op}: non-positive stride is not supported: stride={list(stride)}")
    require(all(d > 0 for d in dilation), f"{op}: dilation should be greater than zero, got dilation={list(dilation)}")
    return stride, dilation


def batch_both(x: np.ndarray, grad_output: np.ndarray, n: int, op: str) -> tuple[np.ndarray, np.ndarray]:
    """Add a batch dimension to an unbatched input and its ``grad_output`` alike; check their dtypes."""
    x, unbatched = add_batch_dim(x, n, op)
    require(
        grad_output.ndim == x.ndim - unbatched,
        f"{op}: input and grad_output must both be batched or both unbatched, "
        f"but got shapes {list(x.shape[unbatched:])} and {list(grad_output.shape)}",
    )
    require(
        x.dtype == grad_output.dtype,
        f"{op}: input and grad_output must have the same dtype, got {x.dtype} and {grad_output.dtype}",
    )
    return x, grad_output[np.newaxis] if unbatched else grad_output


def conv_output_spatial(in_size, kernel, stride, before, after, dilation) -> tuple[int, ...]:
    """Forward output size of a convolution with per-side padding ``before``/``after``."""
    return tuple(
        (i + b + a - d * (k - 1) - 1) // s + 1
        for i, k, s, b, a, d in zip(in_size, kernel, stride, before, after, dilation)
    )


def correlate_for_weight(x, grad_output, kernel, stride, dilation, pad_before, groups) -> np.ndarray:
    """``grad_w[c_out, c_in, k] = sum over n, o of grad_output[n, c_out, o] * x[n, c_in, o*s + k*d - p]``.

    ``x`` is ``(N, C_in, *in_size)``, ``grad_output`` is ``(N, C_out, *out_size)``
    (both batched); the result is ``(C_out, C_in/groups, *kernel)`` in the
    accumulation dtype. One gather and one matrix product per kernel offset.
    """
    batch, in_channels, *in_size = x.shape
    out_channels, *out_size = grad_output.shape[1:]
    cin, cout = in_channels // groups, out_channels // groups
    acc = accumulation_dtype(grad_output.dtype)
    pixels = batch * int(np.prod(out_size))
    # (G, C_in/G, N, *in): batch next to the pixels, so a window slab flattens to (G, C_in/G, N * pixels).
    xg = np.moveaxis(x.reshape(batch, groups, cin, *in_size), 0, 2).astype(acc, copy=False)
    go = np.moveaxis(grad_output.reshape(batch, groups, cout, *out_size), 0, 2).astype(acc)
    go = np.ascontiguousarray(go).reshape(groups, cout, pixels)
    slab = np.empty((groups, cin, batch, *out_size), dtype=acc)
    grad = np.zeros((groups, cout, cin, *kernel), dtype=acc)
    geometry = (tuple(out_size), tuple(in_size), stride, dilation, pad_before)
    for offset in kernel_offsets(kernel):
        if gather_window(xg, slab, offset, geometry, fill=0):
            grad[(Ellipsis, *offset)] = go @ slab.reshape(groups, cin, pixels).swapaxes(1, 2)
    return grad.reshape(out_channels, cin, *kernel)


def conv_input_nd(input_size, weight, grad_output, stride, padding, dilation, groups, n: int, op: str):
    """The N-dimensional input gradient behind ``conv{1,2,3}d_input``: a transposed convolution."""
    input_size = check_size(input_size, n, "input_size", (n + 1, n + 2))
    weight = check_float(weight, "weight")
    grad_output = check_float(grad_output, "grad_output")
    require(
        grad_output.ndim == len(input_size),
        f"{op}: grad_output must have as many dimensions as input_size ({len(input_size)}), "
        f"but got grad_output of shape {tuple(grad_output.shape)}",
        ValueError,
    )
    require(weight.ndim == n + 2, f"{op}: weight must have {n + 2} dimensions, got shape {tuple(weight.shape)}")
    stride, dilation = check_stride_dilation(stride, dilation, n, op)
    groups = check_groups(groups)
    kernel = weight.shape[2:]
    before, after = resolve_padding(padding, kernel, dilation, stride, n)
    in_channels, in_size = input_size[-n - 1], input_size[-n:]
    require(
        weight.shape[1] * groups == in_channels,
        f"{op}: input_size has {in_channels} channels, but weight of shape {list(weight.shape)} "
        f"with groups={groups} expects weight.shape[1] * groups = {weight.shape[1] * groups}",
        ValueError,
    )
    out_size = conv_output_spatial(in_size, kernel, stride, before, after, dilation)
    expected = (*input_size[: -n - 1], weight.shape[0], *out_size)
    check_grad_output_size(grad_output, expected, f"convolution of an input of size {input_size}")
    # The transposed convolution with padding `before` puts grad_output back on the
    # input's grid. Its natural size can fall short of the input (the stride skipped
    # the last pixels: output_padding adds them back, with gradient 0) or, for
    # 'same' padding with an odd total, overshoot into the right padding (cropped).
    natural = [
        (o - 1) * s - 2 * b + d * (k - 1) + 1 for o, s, b, d, k in zip(out_size, stride, before, dilation, kernel)
    ]
    output_padding = tuple(max(i - m, 0) for i, m in zip(in_size, natural))
    grad = conv_transpose_nd(grad_output, weight, None, stride, before, output_padding, groups, dilation, n, op)
    return grad[(Ellipsis, *(slice(0, i) for i in in_size))]


def conv_weight_nd(input, weight_size, grad_output, stride, padding, dilation, groups, n: int, op: str):
    """The N-dimensional weight gradient behind ``conv{1,2,3}d_weight``: a correlation."""
    x = check_float(input, "input")
    grad_output = check_float(grad_output, "grad_output")
    weight_size = check_size(weight_size, n, "weight_size", (n + 2,))
    x, grad_output = batch_both(x, grad_output, n, op)
    stride, dilation = check_stride_dilation(stride, dilation, n, op)
    groups = check_groups(groups)
    out_channels, cin, *kernel = weight_size
    require(all(k > 0 for k in kernel), f"{op}: kernel size must be positive, got {weight_size=}", ValueError)
    before, after = resolve_padding(padding, kernel, dilation, stride, n)
    require(
        x.shape[1] == cin * groups and out_channels % groups == 0,
        f"{op}: weight_size {weight_size} with groups={groups} needs input with weight_size[1] * groups = "
        f"{cin * groups} channels and out_channels divisible by groups, but input has shape {list(x.shape)}",
        ValueError,
    )
    out_size = conv_output_spatial(x.shape[2:], kernel, stride, before, after, dilation)
    check_grad_output_size(grad_output, (x.shape[0], out_channels, *out_size), f"convolution of input {list(x.shape)}")
    grad = correlate_for_weight(x, grad_output, tuple(kernel), stride, dilation, before, groups)
    return grad.astype(x.dtype, copy=False)


def transpose_geometry(input_size, weight_shape, stride, padding, output_padding, groups, dilation, n, op):
    """Checks shared by the transposed-convolution gradients; returns the normalised parameters and sizes."""
    stride, dilation = check_stride_dilation(stride, dilation, n, op)
    if isinstance(padding, str):
        raise TypeError(f"{op}: padding must be an int or a tuple of ints, not the string {padding!r}")
    padding, output_padding = ntuple(padding, n, "padding"), ntuple(output_padding, n, "output_padding")
    groups = check_groups(groups)
    require(
        all(p >= 0 for p in padding) and all(0 <= q < max(s, d) for q, s, d in zip(output_padding, stride, dilation)),
        f"{op}: padding must be non-negative and output_padding smaller than either stride or dilation, "
        f"got padding={list(padding)}, output_padding={list(output_padding)}",
    )
    kernel = weight_shape[2:]
    in_channels, in_size = input_size[1], input_size[2:]
    require(
        weight_shape[0] == in_channels and in_channels % groups == 0,
        f"{op}: transposed weight of shape {list(weight_shape)} needs weight.shape[0] == in_channels "
        f"({in_channels}), a multiple of groups ({groups})",
        ValueError,
    )
    out_size = tuple(
        (i - 1) * s - 2 * p + d * (k - 1) + q + 1
        for i, s, p, d, k, q in zip(in_size, stride, padding, dilation, kernel, output_padding)
    )
    out_shape = (input_size[0], weight_shape[1] * groups, *out_size)
    return stride, padding, groups, dilation, out_shape


def conv_transpose_input_nd(input_size, weight, grad_output, stride, padding, output_padding, groups, dilation, n, op):
    """The N-dimensional input gradient of a transposed convolution: a forward convolution."""
    input_size = check_size(input_size, n, "input_size", (n + 1, n + 2))
    weight = check_float(weight, "weight")
    grad_output = check_float(grad_output, "grad_output")
    require(weight.ndim == n + 2, f"{op}: weight must have {n + 2} dimensions, got shape {tuple(weight.shape)}")
    unbatched = len(input_size) == n + 1
    batched_size = ((1,) if unbatched else ()) + input_size
    stride, padding, groups, dilation, out_shape = transpose_geometry(
        batched_size, weight.shape, stride, padding, output_padding, groups, dilation, n, op
    )
    check_grad_output_size(grad_output, out_shape[unbatched:], f"transposed convolution of input size {input_size}")
    # A convolution with the same weight, stride, padding and dilation maps the
    # output grid back onto the input grid; output_padding >= stride (possible
    # when dilation > stride) yields extra rows that belong to no input pixel.
    grad = convnd(grad_output, weight, None, stride, padding, dilation, groups, n, op)
    return grad[(Ellipsis, *(slice(0, i) for i in input_size[-n:]))]


def conv_transpose_weight_nd(input, weight_size, grad_output, stride, padding, output_padding, groups, dilation, n, op):
    """The N-dimensional weight gradient of a transposed convolution: the correlation with roles swapped."""
    x = check_float(input, "input")
    grad_output = check_float(grad_output, "grad_output")
    weight_size = check_size(weight_size, n, "weight_size", (n + 2,))
    x, grad_output = batch_both(x, grad_output, n, op)
    require(all(k > 0 for k in weight_size[2:]), f"{op}: kernel size must be positive, got {weight_size=}", ValueError)
    stride, padding, groups, dilation, out_shape = transpose_geometry(
        x.shape, weight_size, stride, padding, output_padding, groups, dilation, n, op
    )
    check_grad_output_size(grad_output, out_shape, f"transposed convolution of input {list(x.shape)}")
    # The forward pass added x[i] * W[k] at output position i*s + k*d - p: the same
    # pairing as a convolution of grad_output whose "output" is x.
    grad = correlate_for_weight(grad_output, x, tuple(weight_size[2:]), stride, dilation, padding, groups)
    return grad.astype(x.dtype, copy=False)


def conv_bias(grad_output: np.ndarray, batched: bool = True) -> np.ndarray:
    """Gradient of any convolution's (or transposed convolution's) bias: ``grad_output`` summed
    over batch and spatial dimensions, one value per channel.

    ``grad_output`` is ``(N, C, *spatial)``, or ``(C, *spatial)`` with
    ``batched=False``. Mirrors the bias gradient torch's autograd computes
    for ``torch.nn.functional.conv*d`` and ``conv_transpose*d``.
    """
    grad_output = check_float(grad_output, "grad_output")
    axis = 1 if batched else 0
    require(grad_output.ndim > axis, f"grad_output of shape {grad_output.shape} has no channel axis {axis}", ValueError)
    axes = tuple(a for a in range(grad_output.ndim) if a != axis)
    return grad_output.sum(axis=axes, dtype=accumulation_dtype(grad_output.dtype)).astype(grad_output.dtype)


def conv1d_input(
    input_size: Sequence[int],
    weight: np.ndarray,
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of ``conv1d`` with respect to its input (a ``conv_transpose1d`` of ``grad_output``).

    Mirrors ``torch.nn.grad.conv1d_input``.
    """
    return conv_input_nd(input_size, weight, grad_output, stride, padding, dilation, groups, 1, "conv1d_input")


def conv2d_input(
    input_size: Sequence[int],
    weight: np.ndarray,
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of ``conv2d`` with respect to its input (a ``conv_transpose2d`` of ``grad_output``).

    Mirrors ``torch.nn.grad.conv2d_input``.
    """
    return conv_input_nd(input_size, weight, grad_output, stride, padding, dilation, groups, 2, "conv2d_input")


def conv3d_input(
    input_size: Sequence[int],
    weight: np.ndarray,
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of ``conv3d`` with respect to its input (a ``conv_transpose3d`` of ``grad_output``).

    Mirrors ``torch.nn.grad.conv3d_input``.
    """
    return conv_input_nd(input_size, weight, grad_output, stride, padding, dilation, groups, 3, "conv3d_input")


def conv1d_weight(
    input: np.ndarray,
    weight_size: Sequence[int],
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of ``conv1d`` with respect to its weight (input correlated with ``grad_output``).

    Mirrors ``torch.nn.grad.conv1d_weight``.
    """
    return conv_weight_nd(input, weight_size, grad_output, stride, padding, dilation, groups, 1, "conv1d_weight")


def conv2d_weight(
    input: np.ndarray,
    weight_size: Sequence[int],
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of ``conv2d`` with respect to its weight (input correlated with ``grad_output``).

    Mirrors ``torch.nn.grad.conv2d_weight``.
    """
    return conv_weight_nd(input, weight_size, grad_output, stride, padding, dilation, groups, 2, "conv2d_weight")


def conv3d_weight(
    input: np.ndarray,
    weight_size: Sequence[int],
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """Gradient of ``conv3d`` with respect to its weight (input correlated with ``grad_output``).

    Mirrors ``torch.nn.grad.conv3d_weight``.
    """
    return conv_weight_nd(input, weight_size, grad_output, stride, padding, dilation, groups, 3, "conv3d_weight")


def conv_transpose1d_input(
    input_size: Sequence[int],
    weight: np.ndarray,
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    """Gradient of ``conv_transpose1d`` with respect to its input (a ``conv1d`` of ``grad_output``).

    Mirrors what torch's autograd computes for ``torch.nn.functional.conv_transpose1d``.
    """
    return conv_transpose_input_nd(
        input_size, weight, grad_output, stride, padding, output_padding, groups, dilation, 1, "conv_transpose1d_input"
    )


def conv_transpose2d_input(
    input_size: Sequence[int],
    weight: np.ndarray,
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    """Gradient of ``conv_transpose2d`` with respect to its input (a ``conv2d`` of ``grad_output``).

    Mirrors what torch's autograd computes for ``torch.nn.functional.conv_transpose2d``.
    """
    return conv_transpose_input_nd(
        input_size, weight, grad_output, stride, padding, output_padding, groups, dilation, 2, "conv_transpose2d_input"
    )


def conv_transpose3d_input(
    input_size: Sequence[int],
    weight: np.ndarray,
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    """Gradient of ``conv_transpose3d`` with respect to its input (a ``conv3d`` of ``grad_output``).

    Mirrors what torch's autograd computes for ``torch.nn.functional.conv_transpose3d``.
    """
    return conv_transpose_input_nd(
        input_size, weight, grad_output, stride, padding, output_padding, groups, dilation, 3, "conv_transpose3d_input"
    )


def conv_transpose1d_weight(
    input: np.ndarray,
    weight_size: Sequence[int],
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    """Gradient of ``conv_transpose1d`` with respect to its weight (``grad_output`` correlated with the input).

    Mirrors what torch's autograd computes for ``torch.nn.functional.conv_transpose1d``.
    """
    return conv_transpose_weight_nd(
        input, weight_size, grad_output, stride, padding, output_padding, groups, dilation, 1, "conv_transpose1d_weight"
    )


def conv_transpose2d_weight(
    input: np.ndarray,
    weight_size: Sequence[int],
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    """Gradient of ``conv_transpose2d`` with respect to its weight (``grad_output`` correlated with the input).

    Mirrors what torch's autograd computes for ``torch.nn.functional.conv_transpose2d``.
    """
    return conv_transpose_weight_nd(
        input, weight_size, grad_output, stride, padding, output_padding, groups, dilation, 2, "conv_transpose2d_weight"
    )


def conv_transpose3d_weight(
    input: np.ndarray,
    weight_size: Sequence[int],
    grad_output: np.ndarray,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    """Gradient of ``conv_transpose3d`` with respect to its weight (``grad_output`` correlated with the input).

    Mirrors what torch's autograd computes for ``torch.nn.functional.conv_transpose3d``.
    """
    return conv_transpose_weight_nd(
        input, weight_size, grad_output, stride, padding, output_padding, groups, dilation, 3, "conv_transpose3d_weight"
    )
