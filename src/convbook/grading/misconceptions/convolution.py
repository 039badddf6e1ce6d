"""Wrong variants of the convolution exercises (assignments 01-08): kernels, padding, strides, channels, shapes."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import Shape, misconception, signature
from ._common import conv, formula, is_tuple, per_dim, reversed_pair, same_pads, tensor, torch_functional

# --------------------------------------------------------------------------- 1D and 2D, one channel (01, 02)

signature(("corr1d", "convolve1d"), "x", "w")
signature(("corr2d",), "X", "K")
signature(("moving_average",), "x", "k")


def _corr1d(x: np.ndarray, w: np.ndarray, pad: int = 0) -> np.ndarray:
    return conv(np.asarray(x)[None], np.asarray(w)[None, None], pads=[(pad, pad)])[0]


@misconception("corr1d", says="a true convolution (kernel flipped)", truth="cross-correlation (no flip)", chapter=1)
def _corr1d_flipped(p: dict) -> Any:
    return _corr1d(p["x"], np.asarray(p["w"])[::-1])


@misconception("corr1d", says="the full cross-correlation (every partial overlap too)",
               truth="only the positions where w fits entirely (valid), n - k + 1 of them", chapter=1)
def _corr1d_full(p: dict) -> Any:
    return _corr1d(p["x"], p["w"], pad=len(p["w"]) - 1)


@misconception("corr1d", says="the valid positions but the last",
               truth="n - k + 1 positions, the last window starting at n - k", chapter=1)
def _corr1d_short(p: dict) -> Any:
    return _corr1d(p["x"], p["w"])[:-1]


@misconception("convolve1d", says="the full cross-correlation (kernel not flipped)",
               truth="the convolution y[n] = sum_k x[k] w[n - k] (kernel flipped)", chapter=1)
def _convolve1d_unflipped(p: dict) -> Any:
    return _corr1d(p["x"], p["w"], pad=len(p["w"]) - 1)


@misconception("convolve1d", says="the valid part of the convolution only",
               truth="the full convolution, every overlap: len(x) + len(w) - 1 values", chapter=1)
def _convolve1d_valid(p: dict) -> Any:
    return _corr1d(p["x"], np.asarray(p["w"])[::-1])


@misconception("convolve1d", says="the full convolution of x with the kernel reversed twice (not flipped)",
               truth="the convolution with the kernel flipped once", chapter=1)
def _convolve1d_reversed_output(p: dict) -> Any:
    return _corr1d(p["x"], p["w"], pad=len(p["w"]) - 1)[::-1]


def _corr2d(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    return conv(np.asarray(X)[None], np.asarray(K)[None, None])[0]


@misconception("corr2d", says="a true convolution (kernel rotated by 180°)", truth="cross-correlation (no flip)",
               chapter=2)
def _corr2d_flipped(p: dict) -> Any:
    return _corr2d(p["X"], np.asarray(p["K"])[::-1, ::-1])


@misconception("corr2d", says="a cross-correlation with the kernel flipped along one axis",
               truth="cross-correlation (no flip)", chapter=2)
def _corr2d_half_flipped(p: dict) -> Any:
    K = np.asarray(p["K"])
    for flipped in (K[::-1], K[:, ::-1]):
        got = _corr2d(p["X"], flipped)
        if not np.allclose(got, _corr2d(p["X"], K)):
            return got
    return None


@misconception("corr2d", says="a cross-correlation with the kernel transposed (rows and columns swapped)",
               truth="Y[i, j] = sum X[i + a, j + b] K[a, b]", chapter=2)
def _corr2d_transposed(p: dict) -> Any:
    return _corr2d(p["X"], np.asarray(p["K"]).T)


@misconception("moving_average", says="the window sums (not divided by k)", truth="the window means", chapter=1)
def _moving_sum(p: dict) -> Any:
    x = np.asarray(p["x"], dtype=float)
    return _corr1d(x, np.ones(p["k"]))


@misconception("moving_average", says="the full-length moving average (partial windows at the ends too)",
               truth="only the len(x) - k + 1 complete windows", chapter=1)
def _moving_full(p: dict) -> Any:
    x = np.asarray(p["x"], dtype=float)
    return _corr1d(x, np.full(p["k"], 1.0 / p["k"]), pad=p["k"] - 1)


@misconception("moving_average", says="the complete windows but the last", truth="len(x) - k + 1 windows", chapter=1)
def _moving_short(p: dict) -> Any:
    x = np.asarray(p["x"], dtype=float)
    return _corr1d(x, np.full(p["k"], 1.0 / p["k"]))[:-1]


# --------------------------------------------------------------------------- conv1d/2d/3d (01-07)

CONV = ("input", "weight", ("bias", None), ("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1))
signature(("conv1d", "conv2d", "conv3d"), *CONV)
CONVS = ("conv1d", "conv2d", "conv3d")


def _conv(p: dict, **changes: Any) -> np.ndarray:
    q = {**p, **changes}
    padding = q["padding"]
    pads = q.pop("pads", None)
    if pads is None and isinstance(padding, str):
        pads = same_pads(q["weight"], q["dilation"]) if padding == "same" else [(0, 0)] * (np.ndim(q["weight"]) - 2)
    return conv(q["input"], q["weight"], q["bias"], q["stride"], pads, 0 if pads else padding, q["dilation"],
                q["groups"])


def _spatial(p: dict) -> int:
    return np.ndim(p["weight"]) - 2


@misconception(*CONVS, says="a true convolution (kernel flipped)", truth="cross-correlation (no flip)", chapter=1)
def _conv_flipped(p: dict) -> Any:
    axes = tuple(range(2, np.ndim(p["weight"])))
    return _conv(p, weight=np.flip(p["weight"], axes))


@misconception(*CONVS, says="padding={padding} split between the two sides (as a total)",
               truth="padding={padding} zeros on EACH side", chapter=3)
def _conv_total_padding(p: dict) -> Any:
    if isinstance(p["padding"], str) or not any(per_dim(p["padding"], _spatial(p))):
        return None
    return _conv(p, pads=[(q // 2, q - q // 2) for q in per_dim(p["padding"], _spatial(p))])


@misconception(*CONVS, says="padding={padding} split between the two sides (as a total, rounded down)",
               truth="padding={padding} zeros on EACH side", chapter=3)
def _conv_total_padding_floor(p: dict) -> Any:
    if isinstance(p["padding"], str) or not any(per_dim(p["padding"], _spatial(p))):
        return None
    return _conv(p, pads=[(q // 2, q // 2) for q in per_dim(p["padding"], _spatial(p))])


@misconception(*CONVS, says="padding='same' with the odd extra zero before (top/left)",
               truth="the extra zero after (bottom/right) when d(k - 1) is odd", chapter=3)
def _conv_same_extra_first(p: dict) -> Any:
    if p["padding"] != "same":
        return None
    return _conv(p, pads=same_pads(p["weight"], p["dilation"], extra_first=True))


@misconception(*CONVS, says="padding='same' as k // 2 zeros on each side",
               truth="d(k - 1) zeros in total, the odd one after (bottom/right): the output has the input's size",
               chapter=3)
def _conv_same_half_kernel(p: dict) -> Any:
    if p["padding"] != "same":
        return None
    return _conv(p, pads=[(k // 2, k // 2) for k in np.shape(p["weight"])[2:]])


@misconception(*CONVS, says="padding='same' without the dilation (k - 1 zeros in total)",
               truth="d(k - 1) zeros in total, the odd one after (bottom/right)", chapter=3)
def _conv_same_undilated(p: dict) -> Any:
    if p["padding"] != "same" or not any(d > 1 for d in per_dim(p["dilation"], _spatial(p))):
        return None
    return _conv(p, pads=same_pads(p["weight"], 1))


@misconception(*CONVS, says="the convolution without dilation (dilation=1)",
               truth="dilation={dilation}: the kernel taps dilation apart", chapter=3)
def _conv_undilated(p: dict) -> Any:
    if not any(d > 1 for d in per_dim(p["dilation"], _spatial(p))):
        return None
    return _conv(p, dilation=1)


@misconception(*CONVS, says="windows whose kernel taps are next to each other (dilation left out of the windows)",
               truth="dilation={dilation}: the kernel taps dilation apart", chapter=3)
def _conv_undilated_taps(p: dict) -> Any:
    if not any(d > 1 for d in per_dim(p["dilation"], _spatial(p))):
        return None
    truth = _conv(p)
    wide = _conv(p, dilation=1)
    return wide[(..., *(slice(0, n) for n in truth.shape[-_spatial(p):]))]


@misconception(*CONVS, says="the convolution without stride (stride=1)",
               truth="stride={stride}: every stride-th window", chapter=3)
def _conv_unstrided(p: dict) -> Any:
    if not any(s > 1 for s in per_dim(p["stride"], _spatial(p))):
        return None
    return _conv(p, stride=1)


@misconception(*CONVS, says="the convolution without the bias", truth="bias[o] added to every output of channel o",
               chapter=4)
def _conv_no_bias(p: dict) -> Any:
    if p["bias"] is None or not np.any(p["bias"]):
        return None
    return _conv(p, bias=None)


@misconception(*CONVS, says="the convolution with every pair read backwards, as (columns, rows)",
               truth="pairs (rows, columns), i.e. (H, W)", chapter=3)
def _conv_reversed_pairs(p: dict) -> Any:
    changes = {k: reversed_pair(p[k]) for k in ("stride", "padding", "dilation")}
    changes = {k: v for k, v in changes.items() if v is not None}
    return _conv(p, **changes) if changes else None


@misconception(*CONVS, says="the convolution with the first entry of each pair used for every dimension",
               truth="one entry per dimension", chapter=3)
def _conv_first_entry(p: dict) -> Any:
    changes = {k: (p[k][0],) * len(p[k]) for k in ("stride", "padding", "dilation")
               if is_tuple(p[k]) and len(set(p[k])) > 1}
    return _conv(p, **changes) if changes else None


@misconception(*CONVS, says="the right values with a batch axis of 1 kept",
               truth="no batch axis for an unbatched input", chapter=2)
def _conv_batch_kept(p: dict) -> Any:
    if np.ndim(p["input"]) != np.ndim(p["weight"]) - 1:
        return None
    return _conv(p)[None]


@misconception(*CONVS, says="groups of every groups-th channel (c % groups), not consecutive blocks",
               truth="consecutive blocks of channels: group g has channels [g C/groups, (g + 1) C/groups)", chapter=5)
def _conv_round_robin_groups(p: dict) -> Any:
    g = int(p["groups"])
    x = np.asarray(p["input"])
    w = np.asarray(p["weight"])
    channel_axis = x.ndim - _spatial(p) - 1
    c_in, c_out = x.shape[channel_axis], w.shape[0]
    if g == 1 or c_in % g or c_out % g:
        return None
    order_in = np.concatenate([np.arange(i, c_in, g) for i in range(g)])
    order_out = np.concatenate([np.arange(i, c_out, g) for i in range(g)])
    bias = None if p["bias"] is None else np.asarray(p["bias"])[order_out]
    out = _conv(p, input=np.take(x, order_in, axis=channel_axis), weight=w[order_out], bias=bias)
    result = np.empty_like(out)
    index = [slice(None)] * out.ndim
    index[channel_axis] = order_out
    result[tuple(index)] = out
    return result


# --------------------------------------------------------------------------- output sizes (03, 07)

signature(("conv_output_size",), "input_size", "kernel_size", ("stride", 1), ("padding", 0), ("dilation", 1))


def _size(p: dict, rule: Any) -> Any:
    return formula((p["input_size"], p["kernel_size"], p["stride"], p["padding"], p["dilation"]), rule)


@misconception("conv_output_size", says="floor((in + p - d(k - 1) - 1)/s) + 1 (padding counted once, as a total)",
               truth="floor((in + 2p - d(k - 1) - 1)/s) + 1 (p zeros on each side)", chapter=3)
def _size_total_padding(p: dict) -> Any:
    return _size(p, lambda i, k, s, q, d: (i + q - d * (k - 1) - 1) // s + 1)


@misconception("conv_output_size", says="the size rounded up (ceil) instead of down",
               truth="floor((in + 2p - d(k - 1) - 1)/s) + 1", chapter=3)
def _size_ceil(p: dict) -> Any:
    return _size(p, lambda i, k, s, q, d: -(-(i + 2 * q - d * (k - 1) - 1) // s) + 1)


@misconception("conv_output_size", says="the size without dilation", truth="a kernel spanning d(k - 1) + 1 samples",
               chapter=3)
def _size_undilated(p: dict) -> Any:
    return _size(p, lambda i, k, s, q, d: (i + 2 * q - (k - 1) - 1) // s + 1)


@misconception("conv_output_size", says="the size with a dilated kernel d·k wide",
               truth="a dilated kernel d(k - 1) + 1 wide", chapter=3)
def _size_dk(p: dict) -> Any:
    return _size(p, lambda i, k, s, q, d: (i + 2 * q - d * k) // s + 1)


@misconception("conv_output_size", says="floor((in + 2p - d(k - 1) - 1)/s), without the + 1",
               truth="floor((in + 2p - d(k - 1) - 1)/s) + 1", chapter=3)
def _size_no_plus_one(p: dict) -> Any:
    return _size(p, lambda i, k, s, q, d: (i + 2 * q - d * (k - 1) - 1) // s)


@misconception("conv_output_size", says="floor((in + 2p - d(k - 1))/s) + 1, without the - 1",
               truth="floor((in + 2p - d(k - 1) - 1)/s) + 1", chapter=3)
def _size_no_minus_one(p: dict) -> Any:
    return _size(p, lambda i, k, s, q, d: (i + 2 * q - d * (k - 1)) // s + 1)


signature(("conv3d_output_shape",), "input_shape", "out_channels", "kernel_size", ("stride", 1), ("padding", 0),
          ("dilation", 1))


def _shape3d(p: dict, rule: Any, channels: Any = None) -> Any:
    n, c_in, *sizes = p["input_shape"]
    spatial = formula((tuple(sizes), p["kernel_size"], p["stride"], p["padding"], p["dilation"]), rule)
    return (n, p["out_channels"] if channels is None else channels, *spatial)


@misconception("conv3d_output_shape", says="the shape with padding counted once (as a total)",
               truth="p zeros on each side: floor((in + 2p - d(k - 1) - 1)/s) + 1", chapter=3)
def _shape3d_total_padding(p: dict) -> Any:
    return _shape3d(p, lambda i, k, s, q, d: (i + q - d * (k - 1) - 1) // s + 1)


@misconception("conv3d_output_shape", says="the shape without dilation",
               truth="a kernel spanning d(k - 1) + 1 in each dimension", chapter=7)
def _shape3d_undilated(p: dict) -> Any:
    return _shape3d(p, lambda i, k, s, q, d: (i + 2 * q - (k - 1) - 1) // s + 1)


@misconception("conv3d_output_shape", says="the shape with the input's channel count",
               truth="out_channels channels: one per filter", chapter=7)
def _shape3d_in_channels(p: dict) -> Any:
    return _shape3d(p, lambda i, k, s, q, d: (i + 2 * q - d * (k - 1) - 1) // s + 1, channels=p["input_shape"][1])


@misconception("conv3d_output_shape", says="the shape with the stride ignored", truth="floor(... / s) + 1", chapter=7)
def _shape3d_unstrided(p: dict) -> Any:
    return _shape3d(p, lambda i, k, s, q, d: i + 2 * q - d * (k - 1))


# --------------------------------------------------------------------------- pad, same_padding (03)

signature(("pad",), "input", "pad", ("mode", "constant"), ("value", None))


def _torch_pad(p: dict, mode: str, pad: Any = None) -> np.ndarray:
    import torch

    F = torch_functional()
    value = None if mode != "constant" else (p["value"] or 0.0)
    x = tensor(p["input"])
    kwargs = {} if value is None else {"value": value}
    with torch.no_grad():
        return F.pad(x, tuple(pad if pad is not None else p["pad"]), mode=mode, **kwargs).numpy()


@misconception("pad", says="mode={mode} with the edge repeated in the mirror (numpy's 'symmetric')",
               truth="reflect mirrors around the edge without repeating it: [1, 2, 3] -> [3, 2, 1, 2, 3, 2, 1]",
               chapter=3)
def _pad_symmetric(p: dict) -> Any:
    if p["mode"] != "reflect":
        return None
    x = np.asarray(p["input"])
    pairs = [(p["pad"][i], p["pad"][i + 1]) for i in range(0, len(p["pad"]), 2)]
    widths = [(0, 0)] * (x.ndim - len(pairs)) + list(reversed(pairs))
    return np.pad(x, widths, mode="symmetric")


@misconception("pad", says="the padding with its pairs in the wrong order (the first pair for the first padded axis)",
               truth="the LAST dimension first: pad=(left, right, top, bottom)", chapter=3)
def _pad_pairs_reversed(p: dict) -> Any:
    if len(p["pad"]) != 4:
        return None
    left, right, top, bottom = p["pad"]
    return _torch_pad(p, p["mode"], (top, bottom, left, right))


@misconception("pad", says="the constant padding with zeros (value ignored)", truth="padding with value={value}",
               chapter=3)
def _pad_zeros(p: dict) -> Any:
    if p["mode"] != "constant" or not p["value"]:
        return None
    return _torch_pad({**p, "value": 0.0}, "constant")


for _other in ("constant", "reflect", "replicate", "circular"):

    def _pad_other_mode(p: dict, other: str = _other) -> Any:
        return None if p["mode"] == other else _torch_pad(p, other)

    misconception("pad", says=f"mode='{_other}'", truth="mode={mode}", chapter=3)(_pad_other_mode)


signature(("same_padding",), "kernel_size", ("dilation", 1))


@misconception("same_padding", says="(after, before): the odd extra zero before",
               truth="(d(k - 1) // 2, the rest): the extra zero AFTER", chapter=3)
def _same_extra_first(p: dict) -> Any:
    total = p["dilation"] * (p["kernel_size"] - 1)
    return (total - total // 2, total // 2)


@misconception("same_padding", says="the split of k - 1 (dilation ignored)", truth="a split of d(k - 1)", chapter=3)
def _same_undilated(p: dict) -> Any:
    total = p["kernel_size"] - 1
    return (total // 2, total - total // 2)


@misconception("same_padding", says="(k // 2, k // 2)", truth="d(k - 1) zeros in total, the odd one after", chapter=3)
def _same_half_kernel(p: dict) -> Any:
    return (p["kernel_size"] // 2, p["kernel_size"] // 2)


@misconception("same_padding", says="half of d(k - 1) on both sides, rounded down",
               truth="d(k - 1) zeros in total, the odd one after", chapter=3)
def _same_floor_both(p: dict) -> Any:
    total = p["dilation"] * (p["kernel_size"] - 1)
    return (total // 2, total // 2)


# --------------------------------------------------------------------------- channels (04, 05)

signature(("corr2d_multi_in",), "X", "K")
signature(("corr2d_multi_in_out",), "X", "K")
signature(("pointwise_conv2d",), "input", "weight", ("bias", None))
signature(("conv2d_num_parameters",), "in_channels", "out_channels", "kernel_size", ("groups", 1), ("bias", True))
signature(("conv2d_multiply_adds",), "in_channels", "out_channels", "kernel_size", "output_size", ("groups", 1))
signature(("separable_num_parameters",), "in_channels", "out_channels", "kernel_size", ("bias", True))
signature(("valid_groups",), "in_channels", "out_channels")


@misconception("corr2d_multi_in", "corr2d_multi_in_out", says="a true convolution (kernel rotated by 180°)",
               truth="cross-correlation (no flip)", chapter=2)
def _multi_flipped(p: dict) -> Any:
    K = np.asarray(p["K"])
    return _multi(p["X"], K[..., ::-1, ::-1], K.ndim == 3)


def _multi(X: np.ndarray, K: np.ndarray, single: bool) -> np.ndarray:
    out = conv(np.asarray(X)[None], (K[None] if single else K))[0]
    return out[0] if single else out


@misconception("corr2d_multi_in", says="the mean over the input channels", truth="the SUM over the input channels",
               chapter=4)
def _multi_mean(p: dict) -> Any:
    return _multi(p["X"], np.asarray(p["K"]), True) / np.shape(p["K"])[0]


@misconception("corr2d_multi_in", says="one map per input channel (not summed)",
               truth="one map: the sum over the input channels", chapter=4)
def _multi_unsummed(p: dict) -> Any:
    X, K = np.asarray(p["X"]), np.asarray(p["K"])
    return np.stack([_corr2d(X[c], K[c]) for c in range(K.shape[0])])


@misconception("corr2d_multi_in_out", says="the output channels last, (H_out, W_out, C_out)",
               truth="(C_out, H_out, W_out): the channel axis first", chapter=4)
def _multi_channels_last(p: dict) -> Any:
    return np.moveaxis(_multi(p["X"], np.asarray(p["K"]), False), 0, -1)


@misconception("corr2d_multi_in_out", "pointwise_conv2d",
               says="the result with the weight's two channel axes swapped (K[c, o] for K[o, c])",
               truth="weight (C_out, C_in, ...): output channel first", chapter=4)
def _multi_swapped(p: dict) -> Any:
    K = np.asarray(p["K"] if "K" in p else p["weight"]).swapaxes(0, 1)
    if "K" in p:
        return _multi(p["X"], K, False)
    return conv(p["input"], K, p["bias"])


def _pointwise_reshaped(p: dict, layout: str) -> np.ndarray:
    x = np.asarray(p["input"], dtype=float)
    w = np.asarray(p["weight"], dtype=float)[:, :, 0, 0]
    n, c, h, width = x.shape
    rows = x.reshape(-1, c) @ w.T
    if p["bias"] is not None:
        rows = rows + p["bias"]
    if layout == "plain":
        return rows.reshape(n, w.shape[0], h, width)
    return rows.reshape(n, h, width, w.shape[0]).transpose(0, 3, 1, 2)


@misconception("pointwise_conv2d", says="rows taken by a plain reshape of (N, C, H, W) to (N·H·W, C)",
               truth="the channels moved last first: (N, H, W, C) -> (N·H·W, C)", chapter=4)
def _pointwise_plain_rows(p: dict) -> Any:
    return _pointwise_reshaped(p, "channels-last")


@misconception("pointwise_conv2d", says="the product put back by a plain reshape to (N, C_out, H, W)",
               truth="(N·H·W, C_out) -> (N, H, W, C_out), then the channels moved back", chapter=4)
def _pointwise_plain_back(p: dict) -> Any:
    x = np.asarray(p["input"], dtype=float)
    w = np.asarray(p["weight"], dtype=float)[:, :, 0, 0]
    n, c, h, width = x.shape
    rows = x.transpose(0, 2, 3, 1).reshape(-1, c) @ w.T
    if p["bias"] is not None:
        rows = rows + p["bias"]
    return rows.reshape(n, w.shape[0], h, width)


@misconception("pointwise_conv2d", says="the 1×1 convolution without the bias", truth="bias[o] added to channel o",
               chapter=4)
def _pointwise_no_bias(p: dict) -> Any:
    if p["bias"] is None:
        return None
    return conv(p["input"], p["weight"])


def _kernel_area(k: Any) -> int:
    kh, kw = per_dim(k, 2)
    return kh * kw


def _parameters(p: dict, weights: int) -> int:
    return weights + (p["out_channels"] if p["bias"] else 0)


@misconception("conv2d_num_parameters", says="the weights only (no bias)", truth="C_out biases added (bias=True)",
               chapter=4)
def _params_no_bias(p: dict) -> Any:
    return p["out_channels"] * p["in_channels"] // p["groups"] * _kernel_area(p["kernel_size"]) if p["bias"] else None


@misconception("conv2d_num_parameters", says="the count with biases although bias=False",
               truth="no biases with bias=False", chapter=4)
def _params_bias_anyway(p: dict) -> Any:
    weights = p["out_channels"] * p["in_channels"] // p["groups"] * _kernel_area(p["kernel_size"])
    return None if p["bias"] else weights + p["out_channels"]


@misconception("conv2d_num_parameters", says="C_out · kH · kW weights (the input channels left out)",
               truth="C_out · (C_in / groups) · kH · kW weights: every filter spans the input channels", chapter=4)
def _params_no_inputs(p: dict) -> Any:
    return _parameters(p, p["out_channels"] * _kernel_area(p["kernel_size"]))


@misconception("conv2d_num_parameters", says="the count of an ungrouped convolution (groups ignored)",
               truth="C_out · (C_in / groups) · kH · kW weights", chapter=5)
def _params_groups_ignored(p: dict) -> Any:
    if p["groups"] == 1:
        return None
    return _parameters(p, p["out_channels"] * p["in_channels"] * _kernel_area(p["kernel_size"]))


@misconception("conv2d_num_parameters", says="the count with both channel counts divided by groups",
               truth="C_out · (C_in / groups) · kH · kW weights: C_out filters of C_in / groups channels", chapter=5)
def _params_groups_twice(p: dict) -> Any:
    g = p["groups"]
    if g == 1:
        return None
    return _parameters(p, (p["out_channels"] // g) * (p["in_channels"] // g) * _kernel_area(p["kernel_size"]))


@misconception("conv2d_num_parameters", says="the count with a k-by-1 kernel (k, not k·k, weights per filter slice)",
               truth="kH·kW weights per input channel of each filter", chapter=4)
def _params_kernel_once(p: dict) -> Any:
    if is_tuple(p["kernel_size"]):
        return None
    return _parameters(p, p["out_channels"] * p["in_channels"] // p["groups"] * p["kernel_size"])


@misconception("conv2d_multiply_adds", says="the count of an ungrouped convolution (groups ignored)",
               truth="C_out · (C_in / groups) · kH · kW multiply-adds per output position", chapter=5)
def _macs_groups_ignored(p: dict) -> Any:
    oh, ow = per_dim(p["output_size"], 2)
    return None if p["groups"] == 1 else p["out_channels"] * p["in_channels"] * _kernel_area(p["kernel_size"]) * oh * ow


@misconception("conv2d_multiply_adds", says="the count per output channel (C_out left out)",
               truth="C_out · (C_in / groups) · kH · kW · H_out · W_out", chapter=5)
def _macs_one_channel(p: dict) -> Any:
    oh, ow = per_dim(p["output_size"], 2)
    return p["in_channels"] // p["groups"] * _kernel_area(p["kernel_size"]) * oh * ow


@misconception("conv2d_multiply_adds", says="the number of weights (no output positions)",
               truth="one multiply-add per weight per output position: × H_out · W_out", chapter=5)
def _macs_weights(p: dict) -> Any:
    return p["out_channels"] * p["in_channels"] // p["groups"] * _kernel_area(p["kernel_size"])


@misconception("conv2d_multiply_adds", says="the count with the bias additions (+ C_out · H_out · W_out)",
               truth="the multiply-adds of the weights only (bias additions not counted)", chapter=5)
def _macs_with_bias(p: dict) -> Any:
    oh, ow = per_dim(p["output_size"], 2)
    c_out = p["out_channels"]
    return c_out * p["in_channels"] // p["groups"] * _kernel_area(p["kernel_size"]) * oh * ow + c_out * oh * ow


@misconception("separable_num_parameters", says="the count with a kH×kW pointwise kernel",
               truth="a 1×1 pointwise convolution: C_out · C_in weights", chapter=5)
def _separable_big_pointwise(p: dict) -> Any:
    area = _kernel_area(p["kernel_size"])
    c_in, c_out = p["in_channels"], p["out_channels"]
    return c_in * area + c_out * c_in * area + ((c_in + c_out) if p["bias"] else 0)


@misconception("separable_num_parameters", says="the count with a full (not depthwise) first convolution",
               truth="a depthwise first step: one kH×kW kernel per input channel (C_in · kH · kW)", chapter=5)
def _separable_full_first(p: dict) -> Any:
    area = _kernel_area(p["kernel_size"])
    c_in, c_out = p["in_channels"], p["out_channels"]
    return c_in * c_in * area + c_out * c_in + ((c_in + c_out) if p["bias"] else 0)


@misconception("separable_num_parameters", says="the count without biases", truth="C_in + C_out biases (bias=True)",
               chapter=5)
def _separable_no_bias(p: dict) -> Any:
    c_in, c_out = p["in_channels"], p["out_channels"]
    return c_in * _kernel_area(p["kernel_size"]) + c_out * c_in if p["bias"] else None


@misconception("separable_num_parameters", says="the count with one set of biases (the pointwise step's only)",
               truth="both convolutions' biases: C_in + C_out", chapter=5)
def _separable_one_bias(p: dict) -> Any:
    c_in, c_out = p["in_channels"], p["out_channels"]
    return c_in * _kernel_area(p["kernel_size"]) + c_out * c_in + c_out if p["bias"] else None


def _divisors(n: int, stop: int) -> tuple:
    return tuple(g for g in range(1, stop + 1) if n % g == 0)


@misconception("valid_groups", says="the divisors of in_channels only",
               truth="the divisors of BOTH channel counts", chapter=5)
def _groups_in_only(p: dict) -> Any:
    return _divisors(p["in_channels"], p["in_channels"])


@misconception("valid_groups", says="the divisors of out_channels only",
               truth="the divisors of BOTH channel counts", chapter=5)
def _groups_out_only(p: dict) -> Any:
    return _divisors(p["out_channels"], p["out_channels"])


@misconception("valid_groups", says="the common divisors below min(in_channels, out_channels) (the range stops early)",
               truth="every common divisor, min(in_channels, out_channels) included when it divides both", chapter=5)
def _groups_range_short(p: dict) -> Any:
    c_in, c_out = p["in_channels"], p["out_channels"]
    return tuple(g for g in range(1, min(c_in, c_out)) if c_in % g == 0 and c_out % g == 0)


# --------------------------------------------------------------------------- sequences (06)

signature(("sequence_conv1d",), "x", "weight", ("bias", None), ("stride", 1), ("padding", 0), ("dilation", 1))
signature(("causal_conv1d",), "x", "weight", ("bias", None), ("dilation", 1))


@misconception("sequence_conv1d", says="the convolution of a plain reshape (B, L, D) -> (B, D, L)",
               truth="the features moved to the channel axis by a transpose: x.transpose(0, 2, 1)", chapter=6)
def _sequence_reshaped(p: dict) -> Any:
    x = np.asarray(p["x"])
    b, length, d = x.shape
    return conv(x.reshape(b, d, length), p["weight"], p["bias"], p["stride"], None, p["padding"], p["dilation"])


@misconception("sequence_conv1d", says="a true convolution (kernel flipped)", truth="cross-correlation", chapter=1)
def _sequence_flipped(p: dict) -> Any:
    x = np.asarray(p["x"]).transpose(0, 2, 1)
    return conv(x, np.asarray(p["weight"])[..., ::-1], p["bias"], p["stride"], None, p["padding"], p["dilation"])


def _causal(p: dict, left: int, right: int, flip: bool = False) -> np.ndarray:
    w = np.asarray(p["weight"])
    return conv(p["x"], w[..., ::-1] if flip else w, p["bias"], 1, [(left, right)], 0, p["dilation"])


def _reach(p: dict) -> int:
    return (np.shape(p["weight"])[-1] - 1) * p["dilation"]


@misconception("causal_conv1d", says="left padding k - 1 without the dilation",
               truth="(k - 1)·d zeros on the left: the kernel's whole reach", chapter=6)
def _causal_undilated(p: dict) -> Any:
    if p["dilation"] == 1:
        return None
    return _causal(p, np.shape(p["weight"])[-1] - 1, 0)


@misconception("causal_conv1d", says="padding on the right (each output reads the future)",
               truth="(k - 1)·d zeros on the LEFT: output t reads inputs up to t only", chapter=6)
def _causal_right(p: dict) -> Any:
    return _causal(p, 0, _reach(p))


@misconception("causal_conv1d", says="padding='same' (zeros on both sides: outputs read the future)",
               truth="(k - 1)·d zeros on the left only", chapter=6)
def _causal_same(p: dict) -> Any:
    reach = _reach(p)
    return _causal(p, reach // 2, reach - reach // 2)


@misconception("causal_conv1d", says="a true convolution (kernel flipped)", truth="cross-correlation", chapter=1)
def _causal_flipped(p: dict) -> Any:
    return _causal(p, _reach(p), 0, flip=True)


# --------------------------------------------------------------------------- frames (07)

signature(("frames_to_batch",), "x")
signature(("batch_to_frames",), "y", "batch_size")


@misconception("frames_to_batch", says="a plain reshape of (N, C, D, H, W) (it mixes channels and frames)",
               truth="image n·D + t = frame t of clip n: move D next to N first", chapter=7)
def _frames_reshaped(p: dict) -> Any:
    n, c, d, h, w = np.shape(p["x"])
    return np.asarray(p["x"]).reshape(n * d, c, h, w)


@misconception("frames_to_batch", says="the frames ordered time first (image t·N + n)",
               truth="image n·D + t: clip by clip", chapter=7)
def _frames_time_major(p: dict) -> Any:
    n, c, d, h, w = np.shape(p["x"])
    return np.asarray(p["x"]).transpose(2, 0, 1, 3, 4).reshape(n * d, c, h, w)


@misconception("batch_to_frames", says="a plain reshape to (N, C, D, H, W) (it mixes channels and frames)",
               truth="(N, D, C, H, W) first, then the frames moved behind the channels", chapter=7)
def _batch_reshaped(p: dict) -> Any:
    nd, c, h, w = np.shape(p["y"])
    n = p["batch_size"]
    return np.asarray(p["y"]).reshape(n, c, nd // n, h, w)


@misconception("batch_to_frames", says="the images read time first (image t·N + n)",
               truth="image n·D + t: clip by clip", chapter=7)
def _batch_time_major(p: dict) -> Any:
    nd, c, h, w = np.shape(p["y"])
    n = p["batch_size"]
    return np.asarray(p["y"]).reshape(nd // n, n, c, h, w).transpose(1, 2, 0, 3, 4)


# --------------------------------------------------------------------------- transposed convolution (08)

signature(("conv_transpose_output_size",), "input_size", "kernel_size", ("stride", 1), ("padding", 0),
          ("output_padding", 0), ("dilation", 1))


def _tsize(p: dict, rule: Any) -> Any:
    values = (p["input_size"], p["kernel_size"], p["stride"], p["padding"], p["output_padding"], p["dilation"])
    return formula(values, rule)


@misconception("conv_transpose_output_size", says="the size without output_padding",
               truth="(in - 1)s - 2p + d(k - 1) + output_padding + 1", chapter=8)
def _tsize_no_output_padding(p: dict) -> Any:
    return _tsize(p, lambda i, k, s, q, o, d: (i - 1) * s - 2 * q + d * (k - 1) + 1)


@misconception("conv_transpose_output_size", says="the size with padding cropped once (p, not 2p)",
               truth="p rows/columns cropped from EACH side: - 2p", chapter=8)
def _tsize_total_padding(p: dict) -> Any:
    return _tsize(p, lambda i, k, s, q, o, d: (i - 1) * s - q + d * (k - 1) + o + 1)


@misconception("conv_transpose_output_size", says="the size with padding added (+ 2p)",
               truth="padding CROPS the full output: - 2p", chapter=8)
def _tsize_padding_added(p: dict) -> Any:
    return _tsize(p, lambda i, k, s, q, o, d: (i - 1) * s + 2 * q + d * (k - 1) + o + 1)


@misconception("conv_transpose_output_size", says="the size without dilation", truth="+ d(k - 1)", chapter=8)
def _tsize_undilated(p: dict) -> Any:
    return _tsize(p, lambda i, k, s, q, o, d: (i - 1) * s - 2 * q + (k - 1) + o + 1)


@misconception("conv_transpose_output_size", says="in·s - 2p + d(k - 1) + output_padding + 1 (in·s, not (in - 1)s)",
               truth="(in - 1)s - 2p + d(k - 1) + output_padding + 1", chapter=8)
def _tsize_in_times_s(p: dict) -> Any:
    return _tsize(p, lambda i, k, s, q, o, d: i * s - 2 * q + d * (k - 1) + o + 1)


signature(("conv_transpose2d",), "input", "weight", ("bias", None), ("stride", 1), ("padding", 0),
          ("output_padding", 0), ("groups", 1), ("dilation", 1))


def _tconv(p: dict, **changes: Any) -> np.ndarray:
    F = torch_functional()
    q = {**p, **changes}
    x, unbatched = (np.asarray(q["input"])[None], True) if np.ndim(q["input"]) == 3 else (q["input"], False)
    b = None if q["bias"] is None else tensor(q["bias"])
    out = F.conv_transpose2d(tensor(x), tensor(q["weight"]), b, q["stride"], q["padding"], q["output_padding"],
                             q["groups"], q["dilation"]).numpy()
    return out[0] if unbatched else out


@misconception("conv_transpose2d", says="the full output, not cropped by padding",
               truth="the full output with padding={padding} rows/columns cropped from each side", chapter=8)
def _tconv_uncropped(p: dict) -> Any:
    if not any(per_dim(p["padding"], 2)):
        return None
    return _tconv(p, padding=0)


@misconception("conv_transpose2d", says="the output without output_padding",
               truth="output_padding={output_padding} more rows/columns at the bottom/right", chapter=8)
def _tconv_no_output_padding(p: dict) -> Any:
    if not any(per_dim(p["output_padding"], 2)):
        return None
    return Shape(_tconv(p, output_padding=0).shape)


@misconception("conv_transpose2d", says="the stamps of a flipped kernel", truth="each input pixel stamping the kernel "
               "as it is, weight[c, o, i, j] at offset (i·d, j·d)", chapter=8)
def _tconv_flipped(p: dict) -> Any:
    return _tconv(p, weight=np.asarray(p["weight"])[:, :, ::-1, ::-1])


@misconception("conv_transpose2d", says="the result with the weight read as (C_out, C_in, kH, kW)",
               truth="a transposed convolution's weight is (C_in, C_out / groups, kH, kW): input channels first",
               chapter=8)
def _tconv_swapped_channels(p: dict) -> Any:
    if p["groups"] != 1:
        return None
    return _tconv(p, weight=np.asarray(p["weight"]).swapaxes(0, 1))


@misconception("conv_transpose2d", says="the output without dilation", truth="dilation={dilation}", chapter=8)
def _tconv_undilated(p: dict) -> Any:
    if not any(d > 1 for d in per_dim(p["dilation"], 2)):
        return None
    return Shape(_tconv(p, dilation=1, output_padding=0).shape)


@misconception("conv_transpose2d", says="the output without the bias", truth="bias[o] added to channel o", chapter=8)
def _tconv_no_bias(p: dict) -> Any:
    return None if p["bias"] is None else _tconv(p, bias=None)


signature(("insert_zeros",), "input", "stride")


@misconception("insert_zeros", says="stride - 1 zeros after the last pixel too",
               truth="zeros only BETWEEN pixels: (H - 1)·stride + 1 rows", chapter=8)
def _zeros_after_last(p: dict) -> Any:
    x, s = np.asarray(p["input"]), int(p["stride"])
    if s == 1:
        return None
    out = np.zeros(x.shape[:-2] + (x.shape[-2] * s, x.shape[-1] * s), dtype=x.dtype)
    out[..., ::s, ::s] = x
    return out


@misconception("insert_zeros", says="stride zeros between neighbours (one too many)",
               truth="stride - 1 zeros between neighbouring pixels", chapter=8)
def _zeros_one_too_many(p: dict) -> Any:
    x, s = np.asarray(p["input"]), int(p["stride"]) + 1
    out = np.zeros(x.shape[:-2] + ((x.shape[-2] - 1) * s + 1, (x.shape[-1] - 1) * s + 1), dtype=x.dtype)
    out[..., ::s, ::s] = x
    return out


signature(("conv_weight_of_transpose",), "weight")


@misconception("conv_weight_of_transpose", says="the weight with its channels swapped but the kernel not rotated",
               truth="the channels swapped AND the kernel rotated by 180° (w.transpose(1, 0, 2, 3)[:, :, ::-1, ::-1])",
               chapter=8)
def _tweight_unrotated(p: dict) -> Any:
    return np.asarray(p["weight"]).transpose(1, 0, 2, 3)


@misconception("conv_weight_of_transpose", says="the kernel transposed (rows and columns swapped), not rotated",
               truth="the kernel rotated by 180° (both axes flipped)", chapter=8)
def _tweight_transposed(p: dict) -> Any:
    return np.asarray(p["weight"]).transpose(1, 0, 3, 2)


@misconception("conv_weight_of_transpose", says="the kernel rotated but the channel axes not swapped",
               truth="(C_out, C_in, kH, kW): the channel axes swapped too", chapter=8)
def _tweight_channels_kept(p: dict) -> Any:
    return np.asarray(p["weight"])[:, :, ::-1, ::-1]
