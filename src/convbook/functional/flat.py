"""Stride-1 convolution on the flattened padded input: every kernel offset is one shift.

Pad an image once into a buffer whose rows keep their padded width, and
flatten it. With stride 1, output position ``o`` then reads input position
``flat(o) + shift`` for every kernel offset, where ``shift`` is the offset's
(dilated) position in the same flat layout. So the im2col column of one offset
is a single contiguous slice of the buffer, and all offsets' columns
together are one strided view of it: one copy, with no borders to zero and
no per-dimension slicing. The price is that the flat output also covers the
padded width: the columns between the last output column and the row's end
are computed and dropped.

:func:`convbook.functional.conv.correlate` sends depthwise-like layers here
(one input channel per group, MobileNet's 3x3 for instance): their
per-group matrix product contracts only the kernel offsets, so the cost is in
gathering the columns, and fewer, larger copies win.
"""

from __future__ import annotations

import numpy as np

from .._windows import Geometry

#: Most bytes of columns built at once: a block of groups whose columns fit stays in cache ...
BLOCK_BUDGET = 512 << 10
#: ... and never more than this many times the output's size (as the tiled path).
OUTPUT_FACTOR = 2


def flat_layout(out_size, kernel, dilation) -> tuple[tuple[int, ...], list[int], int]:
    """``(padded, steps, span)``: the padded size a stride-1 layer reads, the flat step of each of its
    axes, and how many flat positions cover the output (its rows at the padded width)."""
    padded = tuple(o + d * (k - 1) for o, d, k in zip(out_size, dilation, kernel))
    steps = [int(np.prod(padded[d + 1 :])) for d in range(len(padded))]
    return padded, steps, out_size[0] * steps[0]


def offset_windows(buffer: np.ndarray, kernel, dilation, steps, span: int) -> np.ndarray:
    """A read-only ``(*buffer.shape[:-1], *kernel, span)`` view: ``[..., *offset, p] = buffer[..., shift + p]``.

    An offset's shift is ``sum(offset[d] * dilation[d] * steps[d])``, linear in
    the offset, so all the columns are one strided view of the buffer and one
    copy gathers them (instead of one copy per offset).
    """
    item = buffer.itemsize
    strides = (*buffer.strides[:-1], *(d * s * item for d, s in zip(dilation, steps)), item)
    return np.lib.stride_tricks.as_strided(buffer, (*buffer.shape[:-1], *kernel, span), strides, writeable=False)


def flat_block(xg: np.ndarray, cout: int, kernel, geometry: Geometry) -> int:
    """How many groups :func:`correlate_flat` gathers at once: as many as :data:`BLOCK_BUDGET` allows,
    at least one; 0 if one group's columns exceed :data:`OUTPUT_FACTOR` times the output's size
    (a large single-channel image: the tiled path then keeps the memory bounded)."""
    batch, groups, cin = xg.shape[:3]
    _, _, span = flat_layout(geometry.out_size, kernel, geometry.dilation)
    per_group = cin * int(np.prod(kernel)) * span * xg.itemsize
    out_bytes = batch * groups * cout * int(np.prod(geometry.out_size)) * xg.itemsize
    if per_group > OUTPUT_FACTOR * out_bytes:
        return 0
    return max(1, min(groups, BLOCK_BUDGET // per_group, OUTPUT_FACTOR * out_bytes // per_group))


def correlate_flat(xg: np.ndarray, wg: np.ndarray, kernel, geometry: Geometry, block: int, out: np.ndarray) -> None:
    """Stride-1 ``correlate``: per image and ``block`` of groups, pad, one strided copy, one matrix product.

    ``xg`` is ``(N, G, C_in/G, *in_size)`` and ``wg`` ``(G, C_out/G, C_in/G *
    prod(kernel))``; writes ``out``, ``(N, G, C_out/G, prod(out_size))``. The padded
    buffer is allocated once: every block writes the same interior box, so its
    border stays zero.
    """
    batch, groups, cin, *in_size = xg.shape
    cout = wg.shape[1]
    out_size = geometry.out_size
    padded, steps, span = flat_layout(out_size, kernel, geometry.dilation)
    offsets = int(np.prod(kernel))
    reach = sum((k - 1) * d * s for k, d, s in zip(kernel, geometry.dilation, steps))
    out = out.reshape(batch, groups, cout, *out_size)
    buffer = np.zeros((block, cin, span + reach), dtype=wg.dtype)
    interior = buffer[..., : int(np.prod(padded))].reshape(block, cin, *padded)
    interior = interior[(Ellipsis, *(slice(b, b + n) for b, n in zip(geometry.pad_before, in_size)))]
    windows = offset_windows(buffer, kernel, geometry.dilation, steps, span)
    columns = np.empty((block, cin, *kernel, span), dtype=wg.dtype)
    matrix = columns.reshape(block, cin * offsets, span)
    product = np.empty((block, cout, span), dtype=wg.dtype)
    cropped = product.reshape(block, cout, out_size[0], *padded[1:])[(Ellipsis, *map(slice, out_size[1:]))]
    views = (interior, windows, columns, matrix, product, cropped)
    for n in range(batch):
        for g0 in range(0, groups, block):
            size = min(block, groups - g0)
            # the last block may be smaller: narrower views of the same buffers
            inside, window, column, mat, prod, crop = views if size == block else (v[:size] for v in views)
            inside[...] = xg[n, g0 : g0 + size]
            column[...] = window
            np.matmul(wg[g0 : g0 + size], mat, out=prod)
            out[n, g0 : g0 + size] = crop
