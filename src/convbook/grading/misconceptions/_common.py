"""Shared pieces of the wrong variants: torch on NumPy arrays, per-dimension arguments, per-dimension formulas."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np


def torch_functional() -> Any:
    import torch.nn.functional as F

    return F


def tensor(a: Any) -> Any:
    """A float64 (or int64 for integer arrays) torch tensor of a copy of ``a``."""
    import torch

    a = np.asarray(a)
    return torch.from_numpy(np.array(a, dtype=np.int64 if a.dtype.kind in "iu" else np.float64))


def is_tuple(v: Any) -> bool:
    return isinstance(v, (tuple, list))


def per_dim(v: Any, n: int) -> tuple:
    """``v`` (an int or a sequence of ``n`` ints) as an ``n``-tuple of ints."""
    return tuple(int(x) for x in v) if is_tuple(v) else (int(v),) * n


def formula(values: tuple, rule: Callable[..., int]) -> Any:
    """``rule`` applied per dimension to ints and tuples mixed as the size functions take them (int in -> int out)."""
    lengths = {len(v) for v in values if is_tuple(v)}
    if len(lengths) > 1:
        return None
    n = lengths.pop() if lengths else 1
    columns = [per_dim(v, n) if v is not None else (None,) * n for v in values]
    out = tuple(int(rule(*c)) for c in zip(*columns))
    return out if any(is_tuple(v) for v in values) else out[0]


def batched(x: np.ndarray, spatial: int) -> tuple[np.ndarray, bool]:
    """``x`` with a batch axis (and whether it had none), for an input with ``spatial`` spatial dimensions."""
    x = np.asarray(x)
    return (x[None], True) if x.ndim == spatial + 1 else (x, False)


def conv(
    x: np.ndarray,
    w: np.ndarray,
    bias: Any = None,
    stride: Any = 1,
    pads: list[tuple[int, int]] | None = None,
    padding: Any = 0,
    dilation: Any = 1,
    groups: int = 1,
) -> np.ndarray:
    """torch's conv{1,2,3}d in float64, with explicit per-side ``pads`` (zeros) if given; unbatched stays unbatched."""
    F = torch_functional()
    nd = np.asarray(w).ndim - 2
    xb, unbatched = batched(x, nd)
    if pads is not None:
        xb = np.pad(np.asarray(xb, dtype=float), [(0, 0), (0, 0), *pads])
        padding = 0
    fn = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[nd]
    b = None if bias is None else tensor(bias)
    out = fn(tensor(xb), tensor(w), b, stride, padding, dilation, groups).numpy()
    return out[0] if unbatched else out


def same_pads(w: np.ndarray, dilation: Any, extra_first: bool = False) -> list[tuple[int, int]]:
    """Per-side padding of ``padding='same'`` (the odd extra element after, or before if ``extra_first``)."""
    kernel = np.asarray(w).shape[2:]
    pads = []
    for k, d in zip(kernel, per_dim(dilation, len(kernel))):
        total = d * (k - 1)
        small, big = total // 2, total - total // 2
        pads.append((big, small) if extra_first else (small, big))
    return pads


def reversed_pair(v: Any) -> Any:
    """A tuple argument read backwards (None if that changes nothing)."""
    if not is_tuple(v) or tuple(v) == tuple(reversed(v)):
        return None
    return tuple(reversed(v))
