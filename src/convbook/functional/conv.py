"""``conv1d``/``conv2d``/``conv3d``: one N-dimensional cross-correlation.

Like torch, these compute a cross-correlation (the kernel is not flipped).
The loop runs over kernel offsets only: for each offset the input window is
gathered into one slab (zero where it falls into padding) and multiplied by
that offset's ``(C_out, C_in / groups)`` weight matrix for all pixels at once.
Depthwise layers (one input channel per group) skip the slab and the matrix
product and add each scaled window straight into the output.
"""

from __future__ import annotations

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
from .._windows import gather_window, kernel_offsets, window_slices

CONV_DTYPES = FLOAT_DTYPES | INT_DTYPES


def check_weight_and_bias(x, weight, bias, n: int, op: str) -> None:
    """Dtype and rank checks shared by convolution and transposed convolution."""
    require(
        weight.ndim == n + 2,
        f"weight of {op} must have {n + 2} dimensions (out_channels, in_channels/groups, "
        f"*kernel_size), but got weight of shape {list(weight.shape)}",
    )
    require(
        x.dtype == weight.dtype,
        f"input and weight must have the same dtype, but got {x.dtype} and {weight.dtype}",
    )
    if bias is not None:
        require(
            bias.dtype == x.dtype,
            f"input and bias must have the same dtype, but got {x.dtype} and {bias.dtype}",
        )
    require(
        all(k > 0 for k in weight.shape[2:]),
        f"kernel size should be greater than zero, but got kernel_size={list(weight.shape[2:])}",
    )


def check_groups(groups, name: str = "groups") -> int:
    """``groups`` must be a positive int."""
    if not is_int(groups):
        raise TypeError(f"{name} must be an int, got {groups!r}")
    require(groups > 0, f"non-positive groups is not supported: groups={groups}")
    return int(groups)


def check_bias_shape(bias, out_channels: int, weight_shape) -> None:
    """Bias is ``(out_channels,)``."""
    require(
        bias.shape == (out_channels,),
        f"Given weight of shape {list(weight_shape)}, expected bias to be 1-dimensional "
        f"with {out_channels} elements (one per output channel), but got bias of shape "
        f"{list(bias.shape)}",
    )


def resolve_padding(padding, kernel_size, dilation, stride, n: int):
    """Per-side padding ``(before, after)`` for an int, tuple, 'valid' or 'same'.

    'same' pads ``dilation * (k - 1)`` in total; when that is odd, torch puts
    the extra pixel after (right/bottom), and so do we.
    """
    if isinstance(padding, str):
        if padding == "valid":
            return (0,) * n, (0,) * n
        if padding == "same":
            require(
                all(s == 1 for s in stride),
                "padding='same' is not supported for strided convolutions "
                f"(stride={list(stride)}); use an explicit padding instead",
            )
            total = [d * (k - 1) for d, k in zip(dilation, kernel_size)]
            before = tuple(t // 2 for t in total)
            return before, tuple(t - b for t, b in zip(total, before))
        raise ValueError(f"Invalid padding string {padding!r}, should be one of 'valid' or 'same'")
    pad = ntuple(padding, n, "padding")
    require(all(p >= 0 for p in pad), f"negative padding is not supported: padding={list(pad)}")
    return pad, pad


def accumulation_dtype(dtype: np.dtype) -> np.dtype:
    """float16 is accumulated in float32 (as torch's CPU kernels do)."""
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def check_layer_arguments(input, weight, bias, stride, dilation, groups, n: int, op: str, dtypes: frozenset):
    """Checks shared by convolution and transposed convolution, in torch's order.

    Returns ``(x, weight, bias, unbatched, stride, dilation, groups)`` with
    ``x`` batched and the int-or-tuple parameters normalised to tuples.
    """
    x = as_array(input, "input")
    weight = as_array(weight, "weight")
    bias = None if bias is None else as_array(bias, "bias")
    x, unbatched = add_batch_dim(x, n, op)
    check_dtype(x, dtypes, op)
    check_weight_and_bias(x, weight, bias, n, op)
    stride = ntuple(stride, n, "stride")
    dilation = ntuple(dilation, n, "dilation")
    groups = check_groups(groups)
    require(all(s > 0 for s in stride), f"non-positive stride is not supported: stride={list(stride)}")
    require(all(d > 0 for d in dilation), f"dilation should be greater than zero, but got dilation={list(dilation)}")
    return x, weight, bias, unbatched, stride, dilation, groups


def convnd(input, weight, bias, stride, padding, dilation, groups, n: int, op: str):
    """The N-dimensional convolution behind ``conv1d``, ``conv2d`` and ``conv3d``."""
    x, weight, bias, unbatched, stride, dilation, groups = check_layer_arguments(
        input, weight, bias, stride, dilation, groups, n, op, CONV_DTYPES
    )
    kernel = weight.shape[2:]
    before, after = resolve_padding(padding, kernel, dilation, stride, n)

    batch, in_channels, *in_size = x.shape
    out_channels = weight.shape[0]
    require(
        out_channels >= groups and out_channels % groups == 0,
        f"out_channels (weight.shape[0] = {out_channels}) must be a positive multiple of groups ({groups})",
    )
    require(
        in_channels % groups == 0,
        f"in_channels ({in_channels}) must be divisible by groups ({groups})",
    )
    require(
        weight.shape[1] * groups == in_channels,
        f"Given groups={groups} and weight of shape {list(weight.shape)}, expected input of "
        f"shape {list(x.shape)} to have {weight.shape[1] * groups} channels "
        f"(weight.shape[1] * groups), but got {in_channels} channels instead",
    )
    if bias is not None:
        check_bias_shape(bias, out_channels, weight.shape)
    padded = [s + b + a for s, b, a in zip(in_size, before, after)]
    effective = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    require(
        all(e <= p for e, p in zip(effective, padded)),
        f"Calculated padded input size per channel: {tuple(padded)}. Effective kernel size "
        f"dilation * (kernel_size - 1) + 1: {tuple(effective)}. Kernel size can't be greater "
        "than actual input size",
    )
    out_size = tuple((p - e) // s + 1 for p, e, s in zip(padded, effective, stride))

    acc = accumulation_dtype(x.dtype)
    cin, cout = in_channels // groups, out_channels // groups
    xg = x.reshape(batch, groups, cin, *in_size).astype(acc, copy=False)
    wg = weight.reshape(groups, cout, cin, *kernel).astype(acc, copy=False)
    pixels = int(np.prod(out_size))
    out = np.zeros((batch, groups, cout, pixels), dtype=acc)
    geometry = (out_size, in_size, stride, dilation, before)
    if cin == 1:
        accumulate_depthwise(out.reshape(batch, groups, cout, *out_size), xg, wg, geometry)
        return finish(out, bias, x.dtype, batch, out_channels, out_size, unbatched)
    offsets = list(kernel_offsets(kernel))
    # With few input channels (an RGB stem, a video clip) one offset is a thin
    # matrix product; stacking several offsets into one slab makes it a
    # thicker one. The slab, and the stacked weight copy, never exceed the output's size.
    stack = cin * len(offsets) <= pixels
    chunk = max(1, min(len(offsets), cout // max(cin, 1))) if stack else 1
    # (G, C_out/G, offsets, C_in/G): the weight matrices of all offsets side by side
    # (a copy, made only when offsets are stacked; it is small next to the output then).
    wk = np.moveaxis(weight.reshape(groups, cout, cin, -1), -1, 2).astype(acc) if chunk > 1 else None
    product = np.empty_like(out)
    slab = np.empty((batch, groups, chunk, cin, *out_size), dtype=acc)
    for start in range(0, len(offsets), chunk):
        group = offsets[start : start + chunk]
        for slot, offset in enumerate(group):
            if not gather_window(xg, slab[:, :, slot], offset, geometry, fill=0):
                slab[:, :, slot] = 0
        m = len(group)
        weights = (
            wg[(Ellipsis, *group[0])] if wk is None else wk[:, :, start : start + m].reshape(groups, cout, m * cin)
        )
        np.matmul(weights, slab[:, :, :m].reshape(batch, groups, m * cin, pixels), out=product)
        out += product
    return finish(out, bias, x.dtype, batch, out_channels, out_size, unbatched)


def accumulate_depthwise(out, xg, wg, geometry) -> None:
    """One input channel per group: add each offset's scaled window straight into ``out``.

    No slab and no matrix product: for depthwise layers this halves the passes
    over memory. ``out`` is ``(N, G, C_out/G, *out_size)``, ``wg`` is
    ``(G, C_out/G, 1, *kernel)``.
    """
    n = len(geometry[0])
    for offset in kernel_offsets(wg.shape[3:]):
        found = window_slices(offset, *geometry)
        if found is None:
            continue
        out_sl, in_sl = found
        scale = wg[(Ellipsis, 0, *offset)].reshape(*wg.shape[:2], *([1] * n))
        out[(Ellipsis, *out_sl)] += scale * xg[(Ellipsis, *in_sl)]


def finish(out, bias, dtype, batch, out_channels, out_size, unbatched) -> np.ndarray:
    """Add the bias, restore the caller's dtype and batch dimension."""
    out = out.reshape(batch, out_channels, *out_size)
    if bias is not None:
        out += bias.reshape(out_channels, *([1] * len(out_size))).astype(out.dtype, copy=False)
    return drop_batch_dim(out.astype(dtype, copy=False), unbatched)


def conv1d(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """1D cross-correlation of ``(N, C_in, L)`` with ``(C_out, C_in/groups, k)``.

    Mirrors ``torch.nn.functional.conv1d``.
    """
    return convnd(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d")


def conv2d(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """2D cross-correlation of ``(N, C_in, H, W)`` with ``(C_out, C_in/groups, kH, kW)``.

    Mirrors ``torch.nn.functional.conv2d``.
    """
    return convnd(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d")


def conv3d(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """3D cross-correlation of ``(N, C_in, D, H, W)`` with ``(C_out, C_in/groups, kD, kH, kW)``.

    Mirrors ``torch.nn.functional.conv3d``.
    """
    return convnd(input, weight, bias, stride, padding, dilation, groups, 3, "conv3d")
