"""``pad``: constant, reflect, replicate and circular padding.

``pad`` lists (before, after) pairs starting from the **last** dimension, as
in torch: ``(left, right, top, bottom, front, back)``. Negative values crop.
Non-constant modes are gathers with an index array per padded dimension.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._arguments import as_array, is_int, require

MODES = ("constant", "reflect", "replicate", "circular")


def pairs_per_dim(pad, ndim: int) -> list[tuple[int, int, int]]:
    """``[(dim, before, after), ...]`` from torch's flat, last-dimension-first list."""
    if not isinstance(pad, (tuple, list)) or not all(is_int(p) for p in pad):
        raise TypeError(f"pad must be a tuple of ints, got {pad!r}")
    require(len(pad) % 2 == 0, f"Padding length must be divisible by 2, but got {len(pad)} values")
    require(
        len(pad) // 2 <= ndim,
        f"Padding length should be less than or equal to two times the input dimension but got "
        f"padding length {len(pad)} and input of dimension {ndim}",
    )
    return [(ndim - 1 - i, int(pad[2 * i]), int(pad[2 * i + 1])) for i in range(len(pad) // 2)]


def constant_pad(x: np.ndarray, pairs, value) -> np.ndarray:
    """Fill a new array with ``value`` and copy the (possibly cropped) input in."""
    shape = list(x.shape)
    src, dst = [slice(None)] * x.ndim, [slice(None)] * x.ndim
    for dim, before, after in pairs:
        require(
            shape[dim] + min(before, 0) + min(after, 0) >= 0,
            f"negative padding ({before}, {after}) crops more than dimension {dim} holds ({shape[dim]})",
        )
        size = shape[dim] + before + after
        src[dim] = slice(max(0, -before), shape[dim] - max(0, -after))
        dst[dim] = slice(max(0, before), max(0, before) + max(0, src[dim].stop - src[dim].start))
        shape[dim] = size
    fill = np.array(0 if value is None else value).astype(x.dtype)
    out = np.full(shape, fill, dtype=x.dtype)
    out[tuple(dst)] = x[tuple(src)]
    return out


def source_positions(size: int, before: int, after: int, mode: str) -> np.ndarray:
    """Which input position each output position copies along one dimension."""
    if mode == "circular":  # torch crops first (negative values), then wraps what is left
        start, kept = max(-before, 0), size - max(-before, 0) - max(-after, 0)
        return start + np.arange(-max(before, 0), kept + max(after, 0)) % max(kept, 1)
    j = np.arange(-before, size + after)
    if mode == "replicate":
        return np.clip(j, 0, size - 1)
    if size == 1:
        return np.zeros_like(j)
    period = 2 * (size - 1)
    j = j % period
    return np.where(j < size, j, period - j)


def check_mode_pairs(x: np.ndarray, pairs, mode: str) -> None:
    """torch's limits on non-constant padding: ranks and pad sizes."""
    n = len(pairs)
    require(
        n in (1, 2, 3) and x.ndim in (n + 1, n + 2),
        f"{mode} padding of {n} dimension(s) (pad of length {2 * n}) needs a {n + 1}D or {n + 2}D "
        f"input (padding 1, 2 or 3 trailing dimensions), but got a {x.ndim}D input",
    )
    require(
        mode == "circular" or all(s > 0 for s in x.shape[-(n + 1) :]),
        f"{mode} padding needs non-empty channel and spatial dimensions, but got input of shape {list(x.shape)}",
    )
    for dim, before, after in pairs:
        size = x.shape[dim]
        if mode == "reflect":
            require(
                before < size and after < size,
                f"reflect padding must be less than the input size, but got padding ({before}, {after}) "
                f"at dimension {dim} of input of shape {list(x.shape)}",
            )
        if mode == "circular":
            kept = size - max(-before, 0) - max(-after, 0)
            require(
                max(before, after, 0) <= kept,
                f"circular padding may wrap around the input at most once: padding ({before}, {after}) "
                f"at dimension {dim} exceeds the {kept} positions left after cropping (size {size})",
            )
        smallest = 0 if mode == "circular" else 1
        require(
            size + before + after >= smallest,
            f"{mode} padding ({before}, {after}) of dimension {dim} of size {size} leaves "
            f"{size + before + after} positions; at least {smallest} must remain",
        )


def pad(input: np.ndarray, pad: Sequence[int], mode: str = "constant", value: float | None = None) -> np.ndarray:
    """Pad (or crop, with negative values) the trailing dimensions of ``input``.

    Mirrors ``torch.nn.functional.pad``.
    """
    x = as_array(input, "input")
    pairs = pairs_per_dim(pad, x.ndim)
    if mode not in MODES:
        raise ValueError(f"Unrecognised padding mode {mode!r}: use one of {', '.join(MODES)}")
    if mode == "constant":
        return constant_pad(x, pairs, value)
    require(
        value is None or value == 0,
        f'Padding mode "{mode}" doesn\'t take in value argument (got value={value!r})',
    )
    if mode in ("reflect", "replicate"):
        require(x.dtype != np.bool_, f"{mode} padding is not implemented for bool arrays (as in torch)", TypeError)
    check_mode_pairs(x, pairs, mode)
    for dim, before, after in pairs:
        x = np.take(x, source_positions(x.shape[dim], before, after, mode), axis=dim)
    return x
