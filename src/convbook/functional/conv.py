"""``conv1d``/``conv2d``/``conv3d``: one N-dimensional cross-correlation.

Like torch, these compute a cross-correlation (the kernel is not flipped).
Each kernel offset pairs every output pixel with one input pixel through a
strided slice (:mod:`convbook._windows`), so the input values a tile of output
rows needs are gathered with one slice copy per offset into a small column
matrix (im2col, zero where a window reads padding), and one matrix product per
tile and group writes those output rows. The tiles are sized to stay in cache
and under twice the output's size: the full im2col matrix, ``C_in * prod(kernel)``
values per output pixel, is never built. A 1x1 kernel with stride 1 and no
padding skips the copies: its input already is the column matrix. A stride-1
layer with one input channel per group (depthwise) gathers its columns from
the flattened padded input instead (:mod:`convbook.functional.flat`).
"""

from __future__ import annotations

from typing import NamedTuple

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
from .._windows import Geometry, fill_outside, gather_window, kernel_offsets
from .flat import correlate_flat, flat_block

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


class ConvLayer(NamedTuple):
    """A convolution's checked arguments: batched input, weight and bias, and its geometry."""

    x: np.ndarray
    weight: np.ndarray
    bias: np.ndarray | None
    unbatched: bool
    groups: int
    geometry: Geometry
    pad_after: tuple[int, ...]

    @property
    def kernel(self) -> tuple[int, ...]:
        return tuple(self.weight.shape[2:])

    def grouped(self, dtype=None) -> tuple[np.ndarray, np.ndarray]:
        """``(N, G, C_in/G, *in_size)`` input and ``(G, C_out/G, C_in/G, *kernel)`` weight, as ``dtype``."""
        dtype = accumulation_dtype(self.x.dtype) if dtype is None else dtype
        batch, in_channels, *in_size = self.x.shape
        g = self.groups
        xg = self.x.reshape(batch, g, in_channels // g, *in_size).astype(dtype, copy=False)
        wg = self.weight.reshape(g, self.weight.shape[0] // g, *self.weight.shape[1:]).astype(dtype, copy=False)
        return xg, wg

    def finish(self, out: np.ndarray) -> np.ndarray:
        """``(N, G, C_out/G, ...)`` result: add the bias, restore the caller's dtype and batch dimension."""
        return finish(
            out, self.bias, self.x.dtype, self.x.shape[0], self.weight.shape[0], self.geometry.out_size, self.unbatched
        )


def check_conv(input, weight, bias, stride, padding, dilation, groups, n: int, op: str, dtypes=CONV_DTYPES):
    """Check a convolution's arguments in torch's order; return them as a :class:`ConvLayer`."""
    x, weight, bias, unbatched, stride, dilation, groups = check_layer_arguments(
        input, weight, bias, stride, dilation, groups, n, op, dtypes
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
    geometry = Geometry(out_size, tuple(in_size), stride, dilation, before)
    return ConvLayer(x, weight, bias, unbatched, groups, geometry, after)


def convnd(input, weight, bias, stride, padding, dilation, groups, n: int, op: str):
    """The N-dimensional convolution behind ``conv1d``, ``conv2d`` and ``conv3d``."""
    layer = check_conv(input, weight, bias, stride, padding, dilation, groups, n, op)
    xg, wg = layer.grouped()
    out = correlate(xg, wg.reshape(*wg.shape[:2], -1), layer.kernel, layer.geometry)
    return layer.finish(out)


#: Most bytes of im2col columns built at once (also capped at twice the output's size).
COLUMN_BUDGET = 2 << 20
#: Rough costs that choose between tiles and offset chunks: seconds per NumPy call (one slice copy) ...
CALL_SECONDS = 5e-6
#: ... and seconds per byte of an extra pass over the output (each further offset chunk adds one).
BYTE_SECONDS = 2e-10


class TilePlan(NamedTuple):
    """How :func:`correlate` covers the output: tiles of im2col columns, or chunks of kernel offsets.

    A tile is a box of output positions: one position along the spatial axes
    before ``axis``, ``rows`` positions along ``axis``, all of them along the
    axes after it; and ``groups`` groups and ``batch`` images at once (more
    than one only when a tile spans a whole output image). ``offsets > 0``
    means no tiles: that many kernel offsets at a time over the whole output.
    """

    axis: int
    rows: int
    groups: int = 1
    batch: int = 1
    offsets: int = 0


def plan_tiles(batch: int, groups: int, cin: int, cout: int, offsets: int, out_size, itemsize: int) -> TilePlan:
    """The largest tiles whose columns fit the budget, unless offset chunks need fewer NumPy calls.

    Tiles are searched from the outermost spatial axis inwards: the first axis
    along which one position's columns fit in the budget is cut into as many
    positions as fit. The columns of a tile hold ``C_in/G * offsets`` values
    per output position. Many tiles times many offsets means many small slice
    copies (a 7x7 kernel on a small output); gathering each offset once for the
    whole output, a few offsets per matrix product, then costs fewer calls but
    one more pass over the output per chunk. The cheaper plan by
    :data:`CALL_SECONDS` and :data:`BYTE_SECONDS` wins, if one offset's slab
    fits in the output's size (or no tile fits at all).
    """
    pixels = int(np.prod(out_size))
    out_bytes = batch * groups * cout * pixels * itemsize
    budget = min(COLUMN_BUDGET, 2 * out_bytes)
    tiles, tile_calls = None, None
    for axis in range(len(out_size)):
        unit = cin * offsets * int(np.prod(out_size[axis + 1 :])) * itemsize
        if unit > budget:
            continue
        rows = min(out_size[axis], budget // unit)
        whole = axis == 0 and rows == out_size[0]
        tile_groups = max(1, min(groups, budget // (unit * rows))) if whole else 1
        tile_batch = max(1, min(batch, budget // (unit * rows * tile_groups))) if whole and tile_groups == groups else 1
        count = int(np.prod(out_size[:axis])) * -(-out_size[axis] // rows) * -(-groups // tile_groups)
        tiles = TilePlan(axis, rows, tile_groups, tile_batch)
        tile_calls = count * -(-batch // tile_batch) * (offsets + 1)
        break
    slab = batch * groups * cin * pixels * itemsize
    chunk = max(1, min(offsets, min(COLUMN_BUDGET, out_bytes) // max(slab, 1)))
    chunks = -(-offsets // chunk)
    chunk_seconds = (offsets + chunks) * CALL_SECONDS + (chunks - 1) * 2 * out_bytes * BYTE_SECONDS
    fits = slab <= min(COLUMN_BUDGET, out_bytes)  # one offset's slab within the output's size
    if tiles is None or (fits and tile_calls * CALL_SECONDS > chunk_seconds):
        return TilePlan(0, 0, offsets=chunk)
    return tiles


def correlate(xg: np.ndarray, wg: np.ndarray, kernel, geometry: Geometry) -> np.ndarray:
    """Per group, ``(C_out/G, C_in/G * k) @ columns``, one tile of output positions at a time.

    ``xg`` is ``(N, G, C_in/G, *in_size)`` and ``wg`` ``(G, C_out/G, C_in/G *
    prod(kernel))``; returns ``(N, G, C_out/G, prod(out_size))``. The columns
    (im2col) of a tile hold, for every input channel and kernel offset, the
    input values that offset pairs with each output position of the tile: one
    strided copy per offset, zero where the window reads padding. One matrix
    product per tile then writes the tile's outputs in place. Tiles are as
    large as :data:`COLUMN_BUDGET` and twice the output allow (see
    :func:`plan_tiles`), so the columns stay in cache and the full im2col
    matrix is never built.
    """
    batch, groups, cin, *in_size = xg.shape
    cout = wg.shape[1]
    out_size = geometry.out_size
    pixels = int(np.prod(out_size))
    out = np.empty((batch, groups, cout, pixels), dtype=wg.dtype)
    if out.size == 0:
        return out
    if all(k == 1 for k in kernel) and geometry.is_identity():
        # A 1x1 kernel with stride 1 and no padding: the input already is the column matrix.
        np.matmul(wg, xg.reshape(batch, groups, cin, pixels), out=out)
        return out
    if cin == 1 and all(s == 1 for s in geometry.stride):
        # Depthwise-like: each group's product contracts only the kernel offsets, so gathering dominates.
        block = flat_block(xg, cout, kernel, geometry)
        if block:
            correlate_flat(xg, wg, kernel, geometry, block, out)
            return out
    offsets = list(kernel_offsets(kernel))
    plan = plan_tiles(batch, groups, cin, cout, len(offsets), out_size, out.itemsize)
    if plan.offsets:
        correlate_by_offsets(xg, wg, offsets, geometry, out, plan.offsets)
        return out
    axis, rows, tile_groups, tile_batch = plan.axis, plan.rows, plan.groups, plan.batch
    inner = tuple(out_size[axis + 1 :])
    inner_pixels = int(np.prod(inner))
    steps = [int(np.prod(out_size[d + 1 :])) for d in range(len(out_size))]  # flat index per position
    columns = np.empty((tile_batch, tile_groups, cin, len(offsets), rows * inner_pixels), dtype=wg.dtype)
    for prefix in np.ndindex(*out_size[:axis]):
        for first in range(0, out_size[axis], rows):
            count = min(rows, out_size[axis] - first)
            start, size = (*prefix, first) + (0,) * len(inner), (1,) * axis + (count, *inner)
            tile = columns[..., : count * inner_pixels]
            slots = tile.reshape(tile_batch, tile_groups, cin, len(offsets), *size)
            copies = []
            for slot, pair in zip(np.moveaxis(slots, 3, 0), geometry.tile_pairs(offsets, start, size)):
                if pair is None:
                    slot[...] = 0
                    continue
                fill_outside(slot, pair[0], 0)
                copies.append((slot[(Ellipsis, *pair[0])], pair[1]))
            matrix = tile.reshape(tile_batch, tile_groups, cin * len(offsets), count * inner_pixels)
            flat = sum(a * m for a, m in zip(start, steps))
            positions = slice(flat, flat + count * inner_pixels)
            for n0 in range(0, batch, tile_batch):
                nb = min(tile_batch, batch - n0)
                for g0 in range(0, groups, tile_groups):
                    ng = min(tile_groups, groups - g0)
                    for target, source in copies:
                        target[:nb, :ng] = xg[(slice(n0, n0 + nb), slice(g0, g0 + ng), Ellipsis, *source)]
                    np.matmul(wg[g0 : g0 + ng], matrix[:nb, :ng], out=out[n0 : n0 + nb, g0 : g0 + ng, :, positions])
    return out


def correlate_by_offsets(xg: np.ndarray, wg: np.ndarray, offsets, geometry: Geometry, out: np.ndarray,
                         chunk: int) -> None:
    """``correlate`` by chunks of ``chunk`` kernel offsets over all output positions, summed into ``out``.

    Each offset's window is gathered once for the whole output (a slab, zero
    where it reads padding), the chunk's slabs are multiplied by the chunk's
    weights in one matrix product, and the chunks' products are added up.
    """
    batch, groups, cin = xg.shape[:3]
    cout, pixels = wg.shape[1], out.shape[-1]
    weights = wg.reshape(groups, cout, cin, len(offsets))
    buffer = np.empty(batch * groups * cin * chunk * pixels, dtype=out.dtype)
    product = None
    for start in range(0, len(offsets), chunk):
        group = offsets[start : start + chunk]
        columns = buffer[: batch * groups * cin * len(group) * pixels].reshape(batch, groups, cin, len(group), pixels)
        for slot, offset in zip(np.moveaxis(columns, 3, 0), group):
            if not gather_window(xg, slot.reshape(batch, groups, cin, *geometry.out_size), offset, geometry, 0):
                slot[...] = 0
        matrix = np.ascontiguousarray(weights[..., start : start + len(group)]).reshape(groups, cout, cin * len(group))
        columns = columns.reshape(batch, groups, cin * len(group), pixels)
        if start == 0:
            np.matmul(matrix, columns, out=out)
            continue
        product = np.empty_like(out) if product is None else product
        np.matmul(matrix, columns, out=product)
        out += product


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
