"""Wrong variants of assignment 12: ``im2col``, ``conv2d_im2col``, ``conv1d_fft``, ``conv1d_winograd``.

(``winograd_matrices`` is checked through the formula it feeds, by the test cell itself: nothing to name here.)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import misconception, signature
from ._common import batched, conv, per_dim, tensor, torch_functional

# --------------------------------------------------------------------------- im2col

signature(("im2col",), "input", "kernel_size", ("dilation", 1), ("padding", 0), ("stride", 1))


def _columns(p: dict, **changes: Any) -> np.ndarray:
    """torch's unfold of the call (with ``changes``), batched, as (N, C·kH·kW, H_out, W_out)."""
    q = {**p, **changes}
    x, _ = batched(q["input"], 2)
    k, d, pad, s = (per_dim(q[name], 2) for name in ("kernel_size", "dilation", "padding", "stride"))
    size = [(n + 2 * pp - dd * (kk - 1) - 1) // ss + 1 for n, kk, dd, pp, ss in zip(x.shape[-2:], k, d, pad, s)]
    cols = torch_functional().unfold(tensor(x), k, d, pad, s).numpy()
    return cols.reshape(*cols.shape[:2], *size)


def _flat(cols: np.ndarray, p: dict) -> np.ndarray:
    """Columns (N, rows, H_out, W_out) as im2col returns them: positions flattened, unbatched for a (C, H, W) input."""
    out = cols.reshape(*cols.shape[:2], -1)
    return out[0] if np.ndim(p["input"]) == 3 else out


@misconception("im2col", says="the columns with their rows ordered (kH, kW, C), the channel varying fastest",
               truth="rows in the order of the weight's axes (C, kH, kW), so that weight.reshape(C_out, -1) @ columns "
                     "is the convolution", chapter=12)
def _im2col_channel_last(p: dict) -> Any:
    cols = _columns(p)
    n, rows, oh, ow = cols.shape
    c = np.shape(p["input"])[-3]
    if c == 1 or rows == c:
        return None
    return _flat(cols.reshape(n, c, rows // c, oh, ow).swapaxes(1, 2).reshape(cols.shape), p)


@misconception("im2col", says="windows whose kernel taps are next to each other (dilation left out of the windows)",
               truth="dilation={dilation}: the kernel taps dilation apart", chapter=3)
def _im2col_undilated_taps(p: dict) -> Any:
    if all(d == 1 for d in per_dim(p["dilation"], 2)):
        return None
    oh, ow = _columns(p).shape[-2:]
    return _flat(_columns(p, dilation=1)[..., :oh, :ow], p)


@misconception("im2col", says="the columns of the input with all 2·padding zeros after it (bottom and right)",
               truth="padding={padding} zeros on EACH side: the input starts at row ph, column pw", chapter=3)
def _im2col_padded_after(p: dict) -> Any:
    ph, pw = per_dim(p["padding"], 2)
    if not (ph or pw):
        return None
    x = np.asarray(p["input"])
    after = [(0, 0)] * (x.ndim - 2) + [(0, 2 * ph), (0, 2 * pw)]
    return _flat(_columns(p, input=np.pad(x, after), padding=0), p)


@misconception("im2col", says="the right columns with a batch axis of 1 kept",
               truth="no batch axis for an unbatched input: (C, H, W) -> (C·kH·kW, L)", chapter=2)
def _im2col_batch_kept(p: dict) -> Any:
    if np.ndim(p["input"]) != 3:
        return None
    cols = _columns(p)
    return cols.reshape(*cols.shape[:2], -1)


# --------------------------------------------------------------------------- conv2d_im2col, conv1d_fft, conv1d_winograd

signature(("conv2d_im2col",), "input", "weight", ("bias", None), ("stride", 1), ("padding", 0), ("dilation", 1))
signature(("conv1d_fft", "conv1d_winograd"), "input", "weight", ("bias", None), ("padding", 0))
FAST = ("conv2d_im2col", "conv1d_fft", "conv1d_winograd")


def _conv(p: dict, **changes: Any) -> np.ndarray:
    """torch's convolution of the call with ``changes`` (stride and dilation 1 where the function has none);
    ``pads``: explicit zeros per side instead of ``padding``."""
    q = {"stride": 1, "dilation": 1, "pads": None, **p, **changes}
    return conv(q["input"], q["weight"], q["bias"], q["stride"], q["pads"], q["padding"], q["dilation"])


def _padding_1d(p: dict) -> int:
    return per_dim(p["padding"], 1)[0]


@misconception(*FAST, says="a true convolution (kernel flipped)", truth="cross-correlation (no flip)", chapter=1)
def _fast_flipped(p: dict) -> Any:
    return _conv(p, weight=np.flip(p["weight"], tuple(range(2, np.ndim(p["weight"])))))


@misconception(*FAST, says="the convolution without the bias", truth="bias[o] added to every output of channel o",
               chapter=4)
def _fast_no_bias(p: dict) -> Any:
    if p["bias"] is None or not np.any(p["bias"]):
        return None
    return _conv(p, bias=None)


@misconception("conv1d_fft", "conv1d_winograd", says="the convolution with padding={padding} zeros on the left only",
               truth="padding={padding} zeros on EACH side", chapter=3)
def _left_padding_only(p: dict) -> Any:
    q = _padding_1d(p)
    return None if q == 0 else _conv(p, pads=[(q, 0)])


@misconception("conv1d_fft", says="the first n - k + 1 values of a circular convolution "
               "(the spectra multiplied without conjugating the kernel's)",
               truth="the valid cross-correlation: the input's spectrum times the CONJUGATE of the kernel's",
               chapter=12)
def _fft_circular(p: dict) -> Any:
    x, unbatched = batched(p["input"], 1)
    q, k = _padding_1d(p), np.shape(p["weight"])[-1]
    padded = np.pad(np.asarray(x, dtype=float), [(0, 0), (0, 0), (q, q)])
    wrapped = np.pad(padded, [(0, 0), (0, 0), (k - 1, 0)], mode="wrap")  # output o: sum_j padded[(o - j) mod P] w[j]
    out = conv(wrapped, np.flip(p["weight"], -1), p["bias"])[..., :padded.shape[-1] - k + 1]
    return out[0] if unbatched else out


@misconception("conv1d_winograd", says="every output of the F(2,3) tiles: one value past the end for an odd length",
               truth="n + 2p - 2 outputs: the last tile's second output (read over zeros past the input) cut off",
               chapter=12)
def _winograd_extra_output(p: dict) -> Any:
    q = _padding_1d(p)
    if (np.shape(p["input"])[-1] + 2 * q - 2) % 2 == 0:
        return None
    return _conv(p, pads=[(q, q + 1)])
