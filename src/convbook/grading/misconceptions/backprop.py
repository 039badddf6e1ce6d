"""Wrong variants of the backward passes and the network pieces (assignments 10 and 11)."""

from __future__ import annotations

from typing import Any

import numpy as np

from . import Exact, NonFinite, Shape, misconception, signature
from ._common import per_dim, tensor, torch_functional
from .pooling import AVG_POOL, windows

CONV_GRAD = (("stride", 1), ("padding", 0), ("dilation", 1), ("groups", 1))
signature(("conv2d_input",), "input_size", "weight", "grad_output", *CONV_GRAD)
signature(("conv2d_weight",), "input", "weight_size", "grad_output", *CONV_GRAD)
signature(("conv_bias",), "grad_output", ("batched", True))
signature(("max_pool2d_backward",), "grad_output", "input", "kernel_size", ("stride", None), ("padding", 0),
          ("dilation", 1), ("ceil_mode", False))
signature(("avg_pool2d_backward",), "grad_output", *AVG_POOL)
signature(("numerical_gradient",), "f", "x", ("eps", 1e-6))


def _grad_input(p: dict, weight: np.ndarray) -> np.ndarray:
    import torch

    F = torch_functional()
    x = torch.zeros(tuple(p["input_size"]), dtype=torch.float64, requires_grad=True)
    y = F.conv2d(x, tensor(weight), None, p["stride"], p["padding"], p["dilation"], p["groups"])
    y.backward(tensor(p["grad_output"]))
    return x.grad.numpy()


@misconception("conv2d_input", says="the full convolution with the kernel NOT rotated",
               truth="the full convolution of grad_output with the kernel rotated by 180° (w[:, :, ::-1, ::-1])",
               chapter=10)
def _input_unrotated(p: dict) -> Any:
    return _grad_input(p, np.asarray(p["weight"])[:, :, ::-1, ::-1])


@misconception("conv2d_input", says="the full convolution with the kernel transposed (rows and columns swapped)",
               truth="the kernel rotated by 180° (both axes flipped), not transposed", chapter=10)
def _input_transposed(p: dict) -> Any:
    w = np.asarray(p["weight"])
    if w.shape[2] != w.shape[3]:
        return None
    return _grad_input(p, w.swapaxes(2, 3)[:, :, ::-1, ::-1])


@misconception("conv2d_input", says="the gradient of the PADDED input (padding not cut off)",
               truth="the gradient of the input itself: the padding's rows/columns dropped, shape input_size",
               chapter=10)
def _input_padded(p: dict) -> Any:
    ph, pw = per_dim(p["padding"], 2)
    if not (ph or pw):
        return None
    size = tuple(p["input_size"])
    return Shape(size[:-2] + (size[-2] + 2 * ph, size[-1] + 2 * pw))


@misconception("conv2d_input", says="the gradient of the rows/columns the windows reached only",
               truth="shape input_size, with zeros where no window reached", chapter=10)
def _input_reached_only(p: dict) -> Any:
    size = tuple(p["input_size"])
    kh, kw = np.shape(p["weight"])[-2:]
    (sh, sw), (ph, pw), (dh, dw) = (per_dim(p[k], 2) for k in ("stride", "padding", "dilation"))
    oh, ow = np.shape(p["grad_output"])[-2:]
    reached = ((oh - 1) * sh + dh * (kh - 1) + 1 - 2 * ph, (ow - 1) * sw + dw * (kw - 1) + 1 - 2 * pw)
    return None if reached == size[-2:] else Shape(size[:-2] + reached)


def _grad_weight(p: dict) -> np.ndarray:
    import torch

    F = torch_functional()
    w = torch.zeros(tuple(p["weight_size"]), dtype=torch.float64, requires_grad=True)
    y = F.conv2d(tensor(p["input"]), w, None, p["stride"], p["padding"], p["dilation"], p["groups"])
    y.backward(tensor(p["grad_output"]))
    return w.grad.numpy()


@misconception("conv2d_weight", says="the weight gradient rotated by 180°",
               truth="dL/dw[o, c, a, b] = sum g[n, o, i, j] x_pad[n, c, i s + a d, j s + b d] (no rotation)",
               chapter=10)
def _weight_rotated(p: dict) -> Any:
    return _grad_weight(p)[:, :, ::-1, ::-1]


@misconception("conv2d_weight", says="the weight gradient averaged over the batch",
               truth="the SUM over the batch (and the pixels)", chapter=10)
def _weight_mean(p: dict) -> Any:
    x = np.asarray(p["input"])
    return None if x.ndim != 4 or x.shape[0] == 1 else _grad_weight(p) / x.shape[0]


@misconception("conv_bias", says="the mean of grad_output over the batch and pixels",
               truth="the SUM over every axis but the channel axis", chapter=10)
def _bias_mean(p: dict) -> Any:
    g = np.asarray(p["grad_output"], dtype=float)
    channel = 1 if p["batched"] else 0
    return g.mean(axis=tuple(a for a in range(g.ndim) if a != channel))


@misconception("conv_bias", says="grad_output summed over the wrong axis",
               truth="the sum over every axis but the channel axis (1, or 0 when batched=False)", chapter=10)
def _bias_wrong_axis(p: dict) -> Any:
    g = np.asarray(p["grad_output"], dtype=float)
    channel = 0 if p["batched"] else 1
    return g.sum(axis=tuple(a for a in range(g.ndim) if a != channel))


def _scatter(p: dict, win: dict, taps_of_window: Any) -> np.ndarray:
    """Add each window's grad_output to the input positions ``taps_of_window(win)`` picks (a boolean mask)."""
    g = np.asarray(p["grad_output"], dtype=float)
    g = g[None] if win["unbatched"] else g
    n, c = g.shape[:2]
    h, w = win["shape"]
    chosen = taps_of_window(win)  # (N, C, oh, ow, kk) booleans
    index = np.broadcast_to(win["rows"] * w + win["cols"], chosen.shape)
    grad = np.zeros((n, c, h * w))
    planes = np.broadcast_to(np.arange(n * c).reshape(n, c, 1, 1, 1), chosen.shape)
    values = np.broadcast_to(g[..., None], chosen.shape)
    np.add.at(grad.reshape(-1), (planes * h * w + index)[chosen], values[chosen])
    grad = grad.reshape(n, c, h, w)
    return grad[0] if win["unbatched"] else grad


def _one_hot(tap: np.ndarray, size: int) -> np.ndarray:
    return np.arange(size) == tap[..., None]


@misconception("max_pool2d_backward", says="one gradient per input element where windows share a winner "
               "(fancy-index +=: the last write wins)",
               truth="the gradients of every window an element wins ADDED (np.add.at)", chapter=10)
def _maxback_fancy(p: dict) -> Any:
    win = windows(p)
    tap = np.argmax(win["values"], axis=-1)
    g = np.asarray(p["grad_output"], dtype=float)
    g = g[None] if win["unbatched"] else g
    n, c = g.shape[:2]
    h, w = win["shape"]
    rows = np.take_along_axis(np.broadcast_to(win["rows"], win["values"].shape), tap[..., None], -1)[..., 0]
    cols = np.take_along_axis(np.broadcast_to(win["cols"], win["values"].shape), tap[..., None], -1)[..., 0]
    grad = np.zeros((n, c, h * w))
    flat = rows * w + cols
    for i in range(n):
        for j in range(c):
            grad[i, j][flat[i, j].ravel()] += g[i, j].ravel()
    grad = grad.reshape(n, c, h, w)
    return grad[0] if win["unbatched"] else grad


@misconception("max_pool2d_backward", says="the gradient sent to the LAST maximum of each window on ties",
               truth="the first maximum in row-major window order (as the forward pass picked it)", chapter=10)
def _maxback_last_tie(p: dict) -> Any:
    win = windows(p)
    size = win["values"].shape[-1]
    return _scatter(p, win, lambda v: _one_hot(size - 1 - np.argmax(v["values"][..., ::-1], axis=-1), size))


@misconception("max_pool2d_backward", says="each window's gradient sent to every element of the window",
               truth="only to the element that won the window (its maximum)", chapter=10)
def _maxback_whole_window(p: dict) -> Any:
    win = windows(p)
    return _scatter(p, win, lambda v: np.broadcast_to(v["inside"], v["values"].shape))


@misconception("max_pool2d_backward", says="the backward pass of max pooling with ZERO padding",
               truth="padding that counts as -inf (it never wins, so it never takes a gradient)", chapter=10)
def _maxback_zero_padding(p: dict) -> Any:
    if not any(per_dim(p["padding"], 2)) and not p["ceil_mode"]:
        return None
    win = windows(p)
    values = np.where(win["inside"], win["values"], 0.0)
    size = values.shape[-1]
    return _scatter(p, win, lambda v: _one_hot(np.argmax(values, axis=-1), size) & v["inside"])


def _avg_backward(p: dict, **changes: Any) -> np.ndarray:
    F = torch_functional()
    q = {**p, **changes}
    x = tensor(q["input"]).requires_grad_()
    y = F.avg_pool2d(x, q["kernel_size"], q["stride"], q["padding"], q["ceil_mode"], q["count_include_pad"],
                     q["divisor_override"])
    y.backward(tensor(q["grad_output"]))
    return x.grad.numpy()


@misconception("avg_pool2d_backward", says="the backward pass with count_include_pad={count_include_pad} ignored",
               truth="the forward pass's divisors, count_include_pad={count_include_pad}", chapter=10)
def _avgback_flipped_count(p: dict) -> Any:
    if p["divisor_override"] is not None:
        return None
    return _avg_backward(p, count_include_pad=not p["count_include_pad"])


@misconception("avg_pool2d_backward", says="every window's gradient divided by kH·kW",
               truth="the forward pass's divisor: a window hanging over the edge (ceil_mode) divides by its clipped "
                     "size", chapter=10)
def _avgback_full_divisor(p: dict) -> Any:
    if p["divisor_override"] is not None:
        return None
    kh, kw = per_dim(p["kernel_size"], 2)
    return _avg_backward(p, divisor_override=kh * kw)


@misconception("avg_pool2d_backward", says="the backward pass with divisor_override ignored",
               truth="grad_output / divisor_override spread over each window", chapter=10)
def _avgback_override_ignored(p: dict) -> Any:
    return None if p["divisor_override"] is None else _avg_backward(p, divisor_override=None)


@misconception("avg_pool2d_backward", says="grad_output spread without dividing by the window's divisor",
               truth="each window element receives grad_output / divisor", chapter=10)
def _avgback_undivided(p: dict) -> Any:
    return _avg_backward(p, divisor_override=1)


def _sums(f: Any, x: np.ndarray, eps: float, central: bool) -> np.ndarray:
    x = np.array(x, dtype=np.float64)
    grad = np.empty_like(x)
    base = float(np.sum(f(x)))
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        plus = float(np.sum(f(x)))
        x[i] = original - eps
        minus = float(np.sum(f(x)))
        x[i] = original
        grad[i] = (plus - minus) / (2 * eps) if central else (plus - base) / eps
    return grad


@misconception("numerical_gradient", says="one-sided differences (f(x + ε) - f(x))/ε",
               truth="central differences (f(x + ε) - f(x - ε))/(2ε)", chapter=10)
def _numeric_forward(p: dict) -> Any:
    return _sums(p["f"], p["x"], p["eps"], central=False)


@misconception("numerical_gradient", says="central differences divided by ε (twice the derivative)",
               truth="(f(x + ε) - f(x - ε))/(2ε)", chapter=10)
def _numeric_half(p: dict) -> Any:
    return 2 * _sums(p["f"], p["x"], p["eps"], central=True)


# --------------------------------------------------------------------------- assignment 11

signature(("relu",), "x")
signature(("relu_backward",), "grad_output", "x")
signature(("softmax_cross_entropy_loss", "softmax_cross_entropy_grad"), "logits", "target")
signature(("linear_forward",), "x", "weight", "bias")
signature(("linear_grad_input", "linear_grad_weight", "linear_grad_bias"), "x", "weight", "bias", "grad_output")


@misconception("relu", says="the right values as float64", truth="the input's dtype (float32 stays float32)",
               chapter=11)
def _relu_float64(p: dict) -> Any:
    x = np.asarray(p["x"])
    return None if x.dtype == np.float64 else Exact(np.maximum(x, 0).astype(np.float64))


@misconception("relu_backward", says="the gradient with x >= 0 (passing grad_output where x == 0)",
               truth="grad_output where x > 0 only: ReLU's gradient at 0 is 0", chapter=11)
def _relu_back_at_zero(p: dict) -> Any:
    x = np.asarray(p["x"])
    return np.where(x >= 0, p["grad_output"], 0.0) if np.any(x == 0) else None


@misconception("relu_backward", says="the mask x > 0 (not multiplied by grad_output)",
               truth="grad_output where x > 0, 0 elsewhere", chapter=11)
def _relu_back_mask(p: dict) -> Any:
    return (np.asarray(p["x"]) > 0).astype(float)


def _softmax(logits: np.ndarray) -> np.ndarray:
    z = np.asarray(logits, dtype=float)
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def _cross_entropy(p: dict) -> float:
    probabilities = _softmax(p["logits"])
    target = np.asarray(p["target"])
    return float(-np.log(probabilities[np.arange(len(target)), target]).mean())


@misconception("softmax_cross_entropy_loss", "softmax_cross_entropy_grad",
               says="inf or nan: np.exp of large logits overflows",
               truth="finite values: subtract each row's maximum before np.exp", chapter=10)
def _ce_overflow(p: dict) -> Any:
    return NonFinite() if np.abs(np.asarray(p["logits"])).max() > 80 else None


@misconception("softmax_cross_entropy_loss", says="the SUM over the batch", truth="the mean over the batch (÷ N)",
               chapter=10)
def _ce_loss_sum(p: dict) -> Any:
    n = len(p["target"])
    return None if n == 1 else np.array([_cross_entropy(p) * n])


@misconception("softmax_cross_entropy_grad", says="the gradient of the SUM over the batch (not divided by N)",
               truth="(softmax(z) - onehot(y)) / N, the gradient of the mean", chapter=10)
def _ce_grad_sum(p: dict) -> Any:
    target = np.asarray(p["target"])
    grad = _softmax(p["logits"])
    grad[np.arange(len(target)), target] -= 1
    return None if len(target) == 1 else grad


@misconception("softmax_cross_entropy_grad", says="softmax(z) / N (the one-hot target not subtracted)",
               truth="(softmax(z) - onehot(y)) / N", chapter=10)
def _ce_grad_no_onehot(p: dict) -> Any:
    return _softmax(p["logits"]) / len(p["target"])


@misconception("linear_forward", says="x W^T without the bias", truth="x W^T + b", chapter=11)
def _linear_no_bias(p: dict) -> Any:
    return np.asarray(p["x"], dtype=float) @ np.asarray(p["weight"], dtype=float).T


@misconception("linear_grad_weight", says="x^T · grad_output, shape (in_features, out_features)",
               truth="grad_output^T · x, shaped like the weight (out_features, in_features)", chapter=11)
def _linear_weight_transposed(p: dict) -> Any:
    return np.asarray(p["x"], dtype=float).T @ np.asarray(p["grad_output"], dtype=float)


@misconception("linear_grad_weight", says="the batch MEAN of the weight gradients", truth="their SUM over the batch",
               chapter=11)
def _linear_weight_mean(p: dict) -> Any:
    g, x = np.asarray(p["grad_output"], dtype=float), np.asarray(p["x"], dtype=float)
    return None if len(g) == 1 else (g.T @ x) / len(g)


@misconception("linear_grad_bias", says="the batch MEAN of grad_output", truth="its SUM over the batch", chapter=11)
def _linear_bias_mean(p: dict) -> Any:
    g = np.asarray(p["grad_output"], dtype=float)
    return None if len(g) == 1 else g.mean(axis=0)


@misconception("linear_grad_input", says="grad_output · W^T (the weight transposed once too often)",
               truth="grad_output · W, shape (N, in_features)", chapter=11)
def _linear_input_transposed(p: dict) -> Any:
    return np.asarray(p["grad_output"], dtype=float) @ np.asarray(p["weight"], dtype=float).T

