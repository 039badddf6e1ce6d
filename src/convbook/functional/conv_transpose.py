"""``conv_transpose1d/2d/3d``: the adjoint of a convolution, by scatter-add.

Each input pixel "stamps" the kernel, scaled by its value, onto the output at
``i * stride + offset * dilation - padding``. As in :mod:`.conv`, the loop is
over kernel offsets: for one offset, every input pixel lands on a strided
slice of the output, so each step is one slice add of that offset's
"stamps" (its weight matrix times the input). The stamps of several offsets
come from one matrix product, as many as fit in twice the output's size.
"""

from __future__ import annotations

import numpy as np

from .._arguments import (
    FLOAT_DTYPES,
    IntOrTuple,
    drop_batch_dim,
    ntuple,
    require,
)
from .._windows import kernel_offsets, window_slices
from .conv import accumulation_dtype, check_bias_shape, check_layer_arguments

TRANSPOSE_DTYPES = FLOAT_DTYPES | {np.dtype(np.int64)}


def conv_transpose_nd(input, weight, bias, stride, padding, output_padding, groups, dilation, n, op):
    """The N-dimensional transposed convolution behind ``conv_transpose{1,2,3}d``."""
    x, weight, bias, unbatched, stride, dilation, groups = check_layer_arguments(
        input, weight, bias, stride, dilation, groups, n, op, TRANSPOSE_DTYPES
    )
    if isinstance(padding, str):
        raise TypeError(f"{op}: padding must be an int or a tuple of ints, not the string {padding!r}")
    padding = ntuple(padding, n, "padding")
    output_padding = ntuple(output_padding, n, "output_padding")
    require(all(p >= 0 for p in padding), f"negative padding is not supported: padding={list(padding)}")
    require(
        all(p >= 0 for p in output_padding),
        f"negative output_padding is not supported: output_padding={list(output_padding)}",
    )
    require(
        all(op_ < max(s, d) for op_, s, d in zip(output_padding, stride, dilation)),
        f"output_padding must be smaller than either stride or dilation, but got "
        f"output_padding={list(output_padding)}, stride={list(stride)}, dilation={list(dilation)}",
    )

    batch, in_channels, *in_size = x.shape
    kernel = weight.shape[2:]
    require(
        weight.shape[0] == in_channels,
        f"Given transposed weight of shape {list(weight.shape)}, expected input of shape "
        f"{list(x.shape)} to have {weight.shape[0]} channels (weight.shape[0]), but got "
        f"{in_channels} channels instead",
    )
    require(
        in_channels >= groups and in_channels % groups == 0,
        f"in_channels (weight.shape[0] = {in_channels}) must be a positive multiple of groups ({groups})",
    )
    out_channels = weight.shape[1] * groups
    if bias is not None:
        check_bias_shape(bias, out_channels, weight.shape)
    out_size = tuple(
        (i - 1) * s - 2 * p + d * (k - 1) + op_ + 1
        for i, s, p, d, k, op_ in zip(in_size, stride, padding, dilation, kernel, output_padding)
    )
    require(
        all(o > 0 for o in out_size),
        f"Given input size per channel {tuple(in_size)}, the calculated output size "
        f"(in - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1 "
        f"is {out_size}: output size is too small",
    )

    acc = accumulation_dtype(x.dtype)
    cin, cout = in_channels // groups, out_channels // groups
    offsets = list(kernel_offsets(kernel))
    weights = weight.reshape(groups, cin, cout, len(offsets))
    xg = x.reshape(batch, groups, cin, int(np.prod(in_size))).astype(acc, copy=False)
    out = np.zeros((batch, groups, cout, *out_size), dtype=acc)
    pairs = [window_slices(offset, in_size, out_size, stride, dilation, padding) for offset in offsets]
    # The stamps of several offsets come from one matrix product, as many as fit in the output's size.
    stamp_bytes = out.itemsize * batch * groups * cout * xg.shape[-1]
    chunk = max(1, min(len(offsets), out.nbytes // max(stamp_bytes, 1)))
    stamps = np.empty((batch, groups, chunk * cout, xg.shape[-1]), dtype=acc)
    for start in range(0, len(offsets), chunk):
        live = [i for i in range(start, min(start + chunk, len(offsets))) if pairs[i] is not None]
        if not live:
            continue
        stop = live[-1] + 1
        # (G, offsets * C_out/G, C_in/G): the transposed weight matrices of these offsets, stacked.
        stacked = np.ascontiguousarray(weights[..., start:stop].transpose(0, 3, 2, 1), dtype=acc)
        block = stamps[:, :, : (stop - start) * cout]
        np.matmul(stacked.reshape(groups, -1, cin), xg, out=block)
        for i in live:
            in_sl, out_sl = pairs[i]
            stamp = block[:, :, (i - start) * cout : (i - start + 1) * cout].reshape(batch, groups, cout, *in_size)
            out[(Ellipsis, *out_sl)] += stamp[(Ellipsis, *in_sl)]
    out = out.reshape(batch, out_channels, *out_size)
    if bias is not None:
        out += bias.reshape(out_channels, *([1] * n)).astype(acc, copy=False)
    return drop_batch_dim(out.astype(x.dtype, copy=False), unbatched)


def conv_transpose1d(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    """1D transposed convolution; weight is ``(C_in, C_out/groups, k)``.

    Mirrors ``torch.nn.functional.conv_transpose1d``.
    """
    return conv_transpose_nd(
        input, weight, bias, stride, padding, output_padding, groups, dilation, 1, "conv_transpose1d"
    )


def conv_transpose2d(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    """2D transposed convolution; weight is ``(C_in, C_out/groups, kH, kW)``.

    Mirrors ``torch.nn.functional.conv_transpose2d``.
    """
    return conv_transpose_nd(
        input, weight, bias, stride, padding, output_padding, groups, dilation, 2, "conv_transpose2d"
    )


def conv_transpose3d(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> np.ndarray:
    """3D transposed convolution; weight is ``(C_in, C_out/groups, kD, kH, kW)``.

    Mirrors ``torch.nn.functional.conv_transpose3d``.
    """
    return conv_transpose_nd(
        input, weight, bias, stride, padding, output_padding, groups, dilation, 3, "conv_transpose3d"
    )
