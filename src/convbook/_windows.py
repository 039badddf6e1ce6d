"""Sliding windows as strided slices.

A convolution or pooling layer pairs output position ``o`` with input
position ``i = o * stride + offset * dilation - pad_before`` for every kernel
offset. For one offset that pairing is a strided slice on both sides, so the
layer becomes a short loop over kernel offsets, each step a vectorised
operation on whole arrays. The same pairing, read the other way round, is the
scatter of a transposed convolution and of an unpooling. :class:`Geometry`
works the pairs out for a box (tile) of output positions, as the convolutions
need them to build the im2col columns of one tile at a time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from typing import NamedTuple

import numpy as np


def matching_slices(count_a: int, count_b: int, step: int, shift: int):
    """Slices ``(sa, sb)`` of all pairs ``b = a * step + shift``.

    ``a`` ranges over ``[0, count_a)`` and ``b`` over ``[0, count_b)``.
    Returns ``None`` when no pair exists (the kernel offset only sees padding).
    """
    a_lo = 0 if shift >= 0 else (-shift + step - 1) // step
    a_hi = min(count_a, (count_b - 1 - shift) // step + 1)
    if a_hi <= a_lo:
        return None
    b_lo = a_lo * step + shift
    return slice(a_lo, a_hi), slice(b_lo, b_lo + (a_hi - a_lo - 1) * step + 1, step)


def kernel_offsets(kernel_size: Sequence[int]) -> Iterator[tuple[int, ...]]:
    """Every kernel offset, in row-major order (the order torch scans)."""
    return itertools.product(*(range(k) for k in kernel_size))


def window_slices(offset, out_size, in_size, stride, dilation, pad_before):
    """Per-dimension slices ``(out_slices, in_slices)`` for one kernel offset.

    Returns ``None`` if, along some dimension, the offset only reaches padding.
    """
    out_slices, in_slices = [], []
    for k, o, n, s, d, p in zip(offset, out_size, in_size, stride, dilation, pad_before):
        pair = matching_slices(o, n, s, k * d - p)
        if pair is None:
            return None
        out_slices.append(pair[0])
        in_slices.append(pair[1])
    return tuple(out_slices), tuple(in_slices)


def fill_outside(slab: np.ndarray, inner: Sequence[slice], fill) -> None:
    """Set ``slab`` to ``fill`` outside the box ``inner`` over its trailing axes.

    Only the border strips are written, not the whole array.
    """
    first_axis = slab.ndim - len(inner)
    for axis, s in enumerate(inner, start=first_axis):
        index = [slice(None)] * slab.ndim
        if s.start > 0:
            index[axis] = slice(0, s.start)
            slab[tuple(index)] = fill
        if s.stop < slab.shape[axis]:
            index[axis] = slice(s.stop, None)
            slab[tuple(index)] = fill


def gather_window(x, slab, offset, geometry, fill) -> bool:
    """Fill ``slab[..., o] = x[..., o * stride + offset * dilation - pad]``.

    Positions that fall into padding get ``fill``. ``geometry`` is
    ``(out_size, in_size, stride, dilation, pad_before)``. Returns ``False``
    (and leaves ``slab`` untouched) when the offset only sees padding.
    """
    found = window_slices(offset, *geometry)
    if found is None:
        return False
    out_sl, in_sl = found
    fill_outside(slab, out_sl, fill)
    slab[(Ellipsis, *out_sl)] = x[(Ellipsis, *in_sl)]
    return True


class Geometry(NamedTuple):
    """The sizes that pair output and input positions along every spatial dimension."""

    out_size: tuple[int, ...]
    in_size: tuple[int, ...]
    stride: tuple[int, ...]
    dilation: tuple[int, ...]
    pad_before: tuple[int, ...]

    def is_identity(self) -> bool:
        """Stride 1 and no padding: offset 0 pairs every output position with the same input position."""
        return all(s == 1 for s in self.stride) and all(p == 0 for p in self.pad_before)

    def tile_pairs(self, offsets, start: Sequence[int], size: Sequence[int]) -> list:
        """:func:`window_slices` of every offset for the box of output positions ``[start, start + size)``.

        The slices address the box (its first position is output position
        ``start``). ``None`` marks an offset that reads only padding in this
        box. Each dimension's pairs are worked out once per kernel index, not
        once per offset.
        """
        stride, dilation = self.stride, self.dilation
        shifts = [b - a * s for b, a, s in zip(self.pad_before, start, stride)]
        cache: dict[tuple[int, int], tuple[slice, slice] | None] = {}
        pairs = []
        for offset in offsets:
            out_slices, in_slices = [], []
            for dim, k in enumerate(offset):
                key = (dim, k)
                if key not in cache:
                    shift = k * dilation[dim] - shifts[dim]
                    cache[key] = matching_slices(size[dim], self.in_size[dim], stride[dim], shift)
                pair = cache[key]
                if pair is None:
                    break
                out_slices.append(pair[0])
                in_slices.append(pair[1])
            else:
                pairs.append((tuple(out_slices), tuple(in_slices)))
                continue
            pairs.append(None)
        return pairs
