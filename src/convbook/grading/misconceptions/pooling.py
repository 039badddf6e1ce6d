"""Wrong variants of the pooling exercises (assignment 09, and the pooling backward passes of 10)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import Shape, misconception, signature
from ._common import batched, formula, per_dim, tensor, torch_functional

POOL_SIZE = ("input_size", "kernel_size", ("stride", None), ("padding", 0), ("dilation", 1), ("ceil_mode", False))
MAX_POOL = ("input", "kernel_size", ("stride", None), ("padding", 0), ("dilation", 1), ("ceil_mode", False),
            ("return_indices", False))
AVG_POOL = ("input", "kernel_size", ("stride", None), ("padding", 0), ("ceil_mode", False),
            ("count_include_pad", True), ("divisor_override", None))
signature(("pool_output_size",), *POOL_SIZE)
signature(("max_pool2d", "max_pool2d_indices"), *MAX_POOL)
signature(("avg_pool2d",), *AVG_POOL)
signature(("max_unpool2d",), "input", "indices", "kernel_size", ("stride", None), ("padding", 0),
          ("output_size", None))


def pool_size(i: int, k: int, s: int, p: int, d: int, ceil_mode: bool, drop_rule: bool = True) -> int:
    """torch's pooling output size along one dimension (``drop_rule=False``: without its last-window rule)."""
    span = i + 2 * p - d * (k - 1) - 1
    out = (span + (s - 1 if ceil_mode else 0)) // s + 1
    if ceil_mode and drop_rule and (out - 1) * s >= i + p:
        out -= 1
    return out


def _pool_size(p: dict, rule: Any) -> Any:
    stride = p["kernel_size"] if p["stride"] is None else p["stride"]
    return formula((p["input_size"], p["kernel_size"], stride, p["padding"], p["dilation"]), rule)


@misconception("pool_output_size", says="the floor size (ceil_mode ignored)",
               truth="with ceil_mode=True the division rounded UP, then a last window starting at or beyond in + p "
                     "dropped", chapter=9)
def _size_floor(p: dict) -> Any:
    return None if not p["ceil_mode"] else _pool_size(p, lambda i, k, s, q, d: pool_size(i, k, s, q, d, False))


@misconception("pool_output_size", says="the ceil size without torch's last-window rule",
               truth="the ceil size minus 1 when the last window would start at or beyond in + p "
                     "(entirely in the right padding)", chapter=9)
def _size_no_drop(p: dict) -> Any:
    if not p["ceil_mode"]:
        return None
    return _pool_size(p, lambda i, k, s, q, d: pool_size(i, k, s, q, d, True, drop_rule=False))


@misconception("pool_output_size", says="the size with stride=None read as stride 1",
               truth="stride=None means stride = kernel_size", chapter=9)
def _size_stride_one(p: dict) -> Any:
    if p["stride"] is not None:
        return None
    return formula((p["input_size"], p["kernel_size"], 1, p["padding"], p["dilation"]),
                   lambda i, k, s, q, d: pool_size(i, k, s, q, d, p["ceil_mode"]))


@misconception("pool_output_size", says="the size with padding counted once (as a total)",
               truth="padding={padding} on EACH side: in + 2p", chapter=9)
def _size_total_padding(p: dict) -> Any:
    return _pool_size(p, lambda i, k, s, q, d: pool_size(i - q, k, s, q, d, p["ceil_mode"]))


@misconception("pool_output_size", says="the size without dilation", truth="a window spanning d(k - 1) + 1",
               chapter=9)
def _size_undilated(p: dict) -> Any:
    return _pool_size(p, lambda i, k, s, q, d: pool_size(i, k, s, q, 1, p["ceil_mode"]))


# --------------------------------------------------------------------------- windows, computed in NumPy


def windows(p: dict, tap_dilation: Any = None) -> dict:
    """Every window of a 2D pooling call: the values it reads, where they are, which positions are padding.

    Returns arrays of shape ``(N, C, H_out, W_out, kH·kW)`` (``values``, with -inf outside the input) and
    ``(H_out, W_out, kH·kW)`` (``rows``, ``cols``, ``inside`` the input, ``padded``: inside the zero-padded input).
    ``tap_dilation`` spaces the window's taps differently from the dilation that sets the output size.
    """
    x, unbatched = batched(np.asarray(p["input"], dtype=float), 2)
    n, c, h, w = x.shape
    (kh, kw) = per_dim(p["kernel_size"], 2)
    (sh, sw) = per_dim(p["kernel_size"] if p["stride"] is None else p["stride"], 2)
    (ph, pw) = per_dim(p["padding"], 2)
    (dh, dw) = per_dim(p.get("dilation", 1), 2)
    oh = pool_size(h, kh, sh, ph, dh, p["ceil_mode"])
    ow = pool_size(w, kw, sw, pw, dw, p["ceil_mode"])
    if tap_dilation is not None:
        dh, dw = per_dim(tap_dilation, 2)
    a, b = np.meshgrid(np.arange(kh), np.arange(kw), indexing="ij")
    rows = (np.arange(oh)[:, None, None] * sh - ph + (a * dh).ravel()[None, None, :]) + 0 * np.arange(ow)[None, :, None]
    cols = (np.arange(ow)[None, :, None] * sw - pw + (b * dw).ravel()[None, None, :]) + 0 * np.arange(oh)[:, None, None]
    inside = (rows >= 0) & (rows < h) & (cols >= 0) & (cols < w)
    padded = (rows >= -ph) & (rows < h + ph) & (cols >= -pw) & (cols < w + pw)
    values = np.where(inside, x[:, :, np.clip(rows, 0, h - 1), np.clip(cols, 0, w - 1)], -np.inf)
    return {"values": values, "rows": rows, "cols": cols, "inside": inside, "padded": padded, "shape": (h, w),
            "pads": (ph, pw), "unbatched": unbatched, "kernel": (kh, kw)}


def _unbatch(out: np.ndarray, win: dict) -> np.ndarray:
    return out[0] if win["unbatched"] else out


def winners(win: dict, last: bool = False) -> np.ndarray:
    """The tap index of each window's maximum (the first on ties, as torch; the last if ``last``)."""
    values = win["values"]
    if last:
        return values.shape[-1] - 1 - np.argmax(values[..., ::-1], axis=-1)
    return np.argmax(values, axis=-1)


def flat_index(win: dict, tap: np.ndarray) -> np.ndarray:
    """The flat index ``row * W + col`` in the input plane of tap ``tap`` of each window."""
    rows = np.take_along_axis(np.broadcast_to(win["rows"], tap.shape + win["rows"].shape[-1:]), tap[..., None], -1)
    cols = np.take_along_axis(np.broadcast_to(win["cols"], tap.shape + win["cols"].shape[-1:]), tap[..., None], -1)
    return rows[..., 0] * win["shape"][1] + cols[..., 0]


@misconception("max_pool2d", says="max pooling with ZERO padding",
               truth="padding that counts as -inf: it is never the maximum", chapter=9)
def _max_zero_padding(p: dict) -> Any:
    if not any(per_dim(p["padding"], 2)) and not p["ceil_mode"]:
        return None
    win = windows(p)
    values = np.where(win["inside"], win["values"], 0.0)
    return _unbatch(values.max(axis=-1), win)


@misconception("max_pool2d", "max_pool2d_indices", says="the floor-mode output (ceil_mode ignored)",
               truth="ceil_mode=True: one more window where the last one hangs over the edge", chapter=9)
def _max_floor(p: dict) -> Any:
    if not p["ceil_mode"]:
        return None
    F = torch_functional()
    x = tensor(p["input"])
    out = F.max_pool2d(x, p["kernel_size"], p["stride"], p["padding"], p["dilation"], False)
    return Shape(tuple(out.shape))


def _undilated(p: dict, indices: bool) -> Any:
    if not any(d > 1 for d in per_dim(p["dilation"], 2)):
        return None
    F = torch_functional()
    out, index = F.max_pool2d(tensor(p["input"]), p["kernel_size"], p["stride"], p["padding"], 1, p["ceil_mode"],
                              return_indices=True)
    return index.numpy() if indices else out.numpy()


@misconception("max_pool2d", says="pooling without dilation", truth="dilation={dilation}: the window's elements "
               "dilation apart", chapter=9)
def _max_undilated(p: dict) -> Any:
    return _undilated(p, indices=False)


@misconception("max_pool2d_indices", says="pooling without dilation", truth="dilation={dilation}: the window's "
               "elements dilation apart", chapter=9)
def _indices_undilated(p: dict) -> Any:
    return _undilated(p, indices=True)


@misconception("max_pool2d", says="windows whose taps are next to each other (dilation left out of the windows)",
               truth="dilation={dilation}: the window's elements dilation apart", chapter=9)
def _max_undilated_taps(p: dict) -> Any:
    if not any(d > 1 for d in per_dim(p["dilation"], 2)):
        return None
    win = windows(p, tap_dilation=1)
    return _unbatch(win["values"].max(axis=-1), win)


@misconception("max_pool2d_indices", says="indices in the PADDED plane ((row + p)·(W + 2p) + col + p)",
               truth="indices in the unpadded input plane: row·W + col", chapter=9)
def _indices_padded_plane(p: dict) -> Any:
    ph, pw = per_dim(p["padding"], 2)
    if not (ph or pw):
        return None
    win = windows(p)
    tap = winners(win)
    w = win["shape"][1]
    rows = np.take_along_axis(np.broadcast_to(win["rows"], tap.shape + win["rows"].shape[-1:]), tap[..., None], -1)
    cols = np.take_along_axis(np.broadcast_to(win["cols"], tap.shape + win["cols"].shape[-1:]), tap[..., None], -1)
    return _unbatch((rows[..., 0] + ph) * (w + 2 * pw) + cols[..., 0] + pw, win)


@misconception("max_pool2d_indices", says="each maximum's position inside its window (0 … kH·kW - 1)",
               truth="the position in the whole input plane: row·W + col", chapter=9)
def _indices_local(p: dict) -> Any:
    win = windows(p)
    return _unbatch(winners(win), win)


@misconception("max_pool2d_indices", says="the LAST maximum of each window on ties",
               truth="the first maximum in row-major window order", chapter=9)
def _indices_last_tie(p: dict) -> Any:
    win = windows(p)
    return _unbatch(flat_index(win, winners(win, last=True)), win)


@misconception("max_pool2d_indices", says="indices into the whole flattened array (N, C, H, W)",
               truth="indices into each (n, c) plane: row·W + col", chapter=9)
def _indices_global(p: dict) -> Any:
    win = windows(p)
    index = flat_index(win, winners(win))
    n, c = index.shape[:2]
    planes = (np.arange(n)[:, None] * c + np.arange(c)[None, :])[:, :, None, None]
    return _unbatch(index + planes * win["shape"][0] * win["shape"][1], win)


def _avg(p: dict, **changes: Any) -> np.ndarray:
    F = torch_functional()
    q = {**p, **changes}
    return F.avg_pool2d(tensor(q["input"]), q["kernel_size"], q["stride"], q["padding"], q["ceil_mode"],
                        q["count_include_pad"], q["divisor_override"]).numpy()


@misconception("avg_pool2d", says="average pooling with count_include_pad={count_include_pad} ignored",
               truth="count_include_pad={count_include_pad}", chapter=9)
def _avg_flipped_count(p: dict) -> Any:
    if p["divisor_override"] is not None or not any(per_dim(p["padding"], 2)) and not p["ceil_mode"]:
        return None
    return _avg(p, count_include_pad=not p["count_include_pad"])


@misconception("avg_pool2d", says="every window divided by kH·kW",
               truth="a window hanging over the edge (ceil_mode) divided by its clipped size", chapter=9)
def _avg_full_divisor(p: dict) -> Any:
    if p["divisor_override"] is not None:
        return None
    kh, kw = per_dim(p["kernel_size"], 2)
    return _avg(p, divisor_override=kh * kw)


@misconception("avg_pool2d", says="average pooling with divisor_override ignored",
               truth="every window sum divided by divisor_override={divisor_override}", chapter=9)
def _avg_override_ignored(p: dict) -> Any:
    return None if p["divisor_override"] is None else _avg(p, divisor_override=None)


@misconception("avg_pool2d", says="the floor-mode output (ceil_mode ignored)",
               truth="ceil_mode=True: one more window where the last one hangs over the edge", chapter=9)
def _avg_floor(p: dict) -> Any:
    return None if not p["ceil_mode"] else Shape(_avg(p, ceil_mode=False).shape)


def _unpool_default(p: dict) -> tuple[int, int]:
    x = np.asarray(p["input"])
    kh, kw = per_dim(p["kernel_size"], 2)
    sh, sw = per_dim(p["kernel_size"] if p["stride"] is None else p["stride"], 2)
    ph, pw = per_dim(p["padding"], 2)
    return (x.shape[-2] - 1) * sh - 2 * ph + kh, (x.shape[-1] - 1) * sw - 2 * pw + kw


def _unpool_size(p: dict) -> tuple[int, int]:
    return _unpool_default(p) if p["output_size"] is None else tuple(int(v) for v in p["output_size"])[-2:]


def _unpool_shared(p: dict, per: str) -> np.ndarray:
    x, unbatched = batched(np.asarray(p["input"], dtype=float), 2)
    index, _ = batched(np.asarray(p["indices"]), 2)
    n, c = x.shape[:2]
    oh, ow = _unpool_size(p)
    if per == "sample":
        out = np.zeros((n, c * oh * ow))
        for i in range(n):
            out[i, index[i].ravel()] = x[i].ravel()
    else:
        out = np.zeros(n * c * oh * ow)
        out[index.ravel()] = x.ravel()
    out = out.reshape(n, c, oh, ow)
    return out[0] if unbatched else out


@misconception("max_unpool2d", says="every sample's values written with one index space for all its channels "
               "(indices taken per sample, not per channel plane)",
               truth="indices into each (n, c) plane of H_out × W_out", chapter=9)
def _unpool_per_sample(p: dict) -> Any:
    return _unpool_shared(p, "sample")


@misconception("max_unpool2d", says="all values written with one index space for the whole batch",
               truth="indices into each (n, c) plane of H_out × W_out", chapter=9)
def _unpool_per_batch(p: dict) -> Any:
    return _unpool_shared(p, "batch")


@misconception("max_unpool2d", says="the default size (in - 1)·s - 2p + k (output_size ignored)",
               truth="the last two entries of output_size={output_size}", chapter=9)
def _unpool_size_ignored(p: dict) -> Any:
    if p["output_size"] is None:
        return None
    x = np.asarray(p["input"])
    return Shape(x.shape[:-2] + _unpool_default(p))
