"""Wrong variants of the debugging task of 04 (a classmate's ``conv2d``) and of ``shift_error`` (06).

``shift_error`` is checked through the test cell's ``shift_error_value`` (its float as an array of one
number), so the variants below are registered under that name and return such an array.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from . import misconception, signature
from ._common import conv, is_tuple, tensor, torch_functional

# --------------------------------------------------------------------------- conv2d_from_a_classmate (04)
# signature("conv2d") is declared in .convolution, with the variants every conv*d shares.


@misconception("conv2d", says="the convolution with padding={padding} applied to the wrong axes "
               "(padding[1] rows at the top and bottom, padding[0] columns on each side)",
               truth="padding (for H, for W); np.pad takes one pair per axis, in axis order (H, then W)", chapter=3)
def _conv2d_padding_axes_swapped(p: dict) -> Any:
    padding = p["padding"]
    if np.ndim(p["weight"]) != 4 or not is_tuple(padding) or len(padding) != 2 or padding[0] == padding[1]:
        return None
    ph, pw = (int(v) for v in padding)
    return conv(p["input"], p["weight"], p["bias"], p["stride"], [(pw, pw), (ph, ph)], 0, p["dilation"])


# --------------------------------------------------------------------------- shift_error (06)

signature(("shift_error_value",), "x", "weight", "stride", "shift")


def _shift_error(
    p: dict,
    out_shift: Callable[[int, int], int] = lambda m, s: m // s,
    padding: str = "circular",
    flat: bool = False,
    reduce: str = "max",
    conv_stride: bool = True,
) -> np.ndarray:
    """The shift error of the task computed with one mistake, as the test cell's array of one number.

    ``out_shift(shift, stride)``: how far the output is rolled; ``padding``: "circular" (right), "zeros",
    "none" or "half kernel" (k // 2 circular samples on each end); ``flat``: np.roll without ``axis``;
    ``reduce``: "max" (of |difference|, right), "signed" (max of the difference) or "mean";
    ``conv_stride=False``: conv1d called with stride 1.
    """
    import torch

    F = torch_functional()
    x, w = tensor(p["x"]), tensor(p["weight"])
    s, m = int(p["stride"]), int(p["shift"])
    k = w.shape[-1]
    q = k // 2 if padding == "half kernel" else (k - 1) // 2

    def conv1d(z: Any) -> Any:
        if padding in ("circular", "half kernel"):
            z = F.pad(z, (q, q), mode="circular")
        elif padding == "zeros":
            z = F.pad(z, (q, q))
        return F.conv1d(z, w, stride=s if conv_stride else 1)

    def roll(a: Any, r: int) -> Any:
        return torch.roll(a, r) if flat else torch.roll(a, r, dims=-1)

    difference = conv1d(roll(x, m)) - roll(conv1d(x), out_shift(m, s))
    if reduce == "signed":
        value = difference.max()
    elif reduce == "mean":
        value = difference.abs().mean()
    else:
        value = difference.abs().max()
    return np.array([float(value)])


@misconception("shift_error_value", says="the error with the output rolled the wrong way, by -(shift // stride)",
               truth="roll(conv(x), shift // stride): the output moves the way the input moved", chapter=9)
def _shift_rolled_back(p: dict) -> Any:
    return _shift_error(p, out_shift=lambda m, s: -(m // s))


@misconception("shift_error_value", says="the error of the convolution without its stride (conv1d with stride 1)",
               truth="conv1d with stride={stride}, its output rolled by shift // stride", chapter=3)
def _shift_unstrided(p: dict) -> Any:
    return _shift_error(p, conv_stride=False)


@misconception("shift_error_value", says="the error with the output rolled by shift itself (not divided by the stride)",
               truth="roll(conv(x), shift // stride): one output cell is stride input steps", chapter=9)
def _shift_undivided(p: dict) -> Any:
    return _shift_error(p, out_shift=lambda m, s: m)


@misconception("shift_error_value", says="the error with shift / stride rounded toward zero, int(shift / stride)",
               truth="Python's floor division shift // stride (-4 // 3 == -2)", chapter=9)
def _shift_truncated(p: dict) -> Any:
    return _shift_error(p, out_shift=lambda m, s: int(m / s))


@misconception("shift_error_value", says="the error of a convolution with zero padding (not circular)",
               truth="circular padding by (k - 1) // 2: np.pad(..., mode='wrap')", chapter=3)
def _shift_zero_padding(p: dict) -> Any:
    return _shift_error(p, padding="zeros")


@misconception("shift_error_value", says="the error with k // 2 circular samples on each end",
               truth="(k - 1) // 2 on each end (they differ for an even kernel)", chapter=3)
def _shift_half_kernel(p: dict) -> Any:
    return _shift_error(p, padding="half kernel")


@misconception("shift_error_value", says="the error of a convolution without padding",
               truth="circular padding by (k - 1) // 2 on each end: np.pad(..., mode='wrap')", chapter=3)
def _shift_unpadded(p: dict) -> Any:
    return _shift_error(p, padding="none")


@misconception("shift_error_value", says="the error with np.roll without axis= (the flattened array rolled)",
               truth="np.roll(..., axis=-1): along the sequence only, each channel on its own", chapter=2)
def _shift_flat_roll(p: dict) -> Any:
    return _shift_error(p, flat=True)


@misconception("shift_error_value", says="the largest signed difference (the absolute value left out)",
               truth="the largest |difference|", chapter=9)
def _shift_signed(p: dict) -> Any:
    return _shift_error(p, reduce="signed")


@misconception("shift_error_value", says="the mean |difference| (not the largest)", truth="the largest |difference|",
               chapter=9)
def _shift_mean(p: dict) -> Any:
    return _shift_error(p, reduce="mean")
