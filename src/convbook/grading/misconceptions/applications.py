"""Wrong variants of assignment 14: ``bilinear_kernel``, ``upsample_bilinear``, ``pixel_shuffle``, ``causal_stack``,
``dilations_for_receptive_field``."""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from . import Exact, misconception, signature
from ._common import tensor, torch_functional

# --------------------------------------------------------------------------- bilinear_kernel

signature(("bilinear_kernel",), "factor")


def _size(factor: int) -> int:
    """The bilinear kernel's size k = 2f - f % 2."""
    return 2 * factor - factor % 2


def _kernel(factor: int, size: int | None = None, centre: float | None = None,
            width: float | None = None) -> np.ndarray:
    """The outer product of the tent 1 - |i - centre| / width, i = 0..size - 1; by default the right kernel's
    (size k, centre (k - 1) / 2, width factor)."""
    size = _size(factor) if size is None else size
    centre = (size - 1) / 2 if centre is None else centre
    tent = 1 - np.abs(np.arange(size) - centre) / (factor if width is None else width)
    return np.outer(tent, tent)


@misconception("bilinear_kernel", says="a tent centred on sample k // 2 (an integer) for an even k",
               truth="the centre (k - 1) / 2: for an even k it lies halfway between two samples", chapter=14)
def _kernel_integer_centre(p: dict) -> Any:
    k = _size(p["factor"])
    return None if k % 2 else _kernel(p["factor"], centre=k // 2)


@misconception("bilinear_kernel", says="a tent 1 - |i - c| / k (divided by the kernel size)",
               truth="1 - |i - c| / factor: the tent reaches 0 one factor away from its centre", chapter=14)
def _kernel_width_size(p: dict) -> Any:
    k = _size(p["factor"])
    return None if k == p["factor"] else _kernel(p["factor"], width=k)


@misconception("bilinear_kernel", says="a kernel 2·factor wide for an odd factor too",
               truth="k = 2·factor - factor % 2: an odd factor's kernel is 2·factor - 1 wide, centred on a sample",
               chapter=14)
def _kernel_even_width(p: dict) -> Any:
    return None if p["factor"] % 2 == 0 else _kernel(p["factor"], size=2 * p["factor"])


# --------------------------------------------------------------------------- upsample_bilinear

signature(("upsample_bilinear",), "input", "factor")


def _stamped(x: np.ndarray, factor: int) -> np.ndarray:
    """Every stamp of the bilinear kernel, ``factor`` apart: torch's full conv_transpose2d, channel by channel."""
    n, c, h, w = x.shape
    kernel = _kernel(factor)[None, None]
    full = torch_functional().conv_transpose2d(tensor(x.reshape(n * c, 1, h, w)), tensor(kernel), stride=factor)
    return full.numpy().reshape(n, c, *full.shape[-2:])


@misconception("upsample_bilinear", says="the stamps cropped from row and column factor (factor // 2 too early)",
               truth="the crop from factor + factor // 2: factor for the replicated edge pixel, then the "
                     "transposed convolution's padding factor // 2", chapter=14)
def _upsample_early_crop(p: dict) -> Any:
    x, f = np.asarray(p["input"]), int(p["factor"])
    if f // 2 == 0:
        return None
    h, w = x.shape[-2:]
    edged = np.pad(x, [(0, 0), (0, 0), (1, 1), (1, 1)], mode="edge")
    return _stamped(edged, f)[..., f:f + h * f, f:f + w * f]


@misconception("upsample_bilinear", says="the transposed convolution of the image padded with zeros "
               "(its border pulled toward 0)", truth="F.interpolate clamps at the border: the edge pixels repeated "
               "(np.pad mode='edge') before the transposed convolution", chapter=14)
def _upsample_zero_edge(p: dict) -> Any:
    x, f = np.asarray(p["input"]), int(p["factor"])
    if f == 1:
        return None  # a 1×1 kernel reads nothing beyond the edge
    h, w = x.shape[-2:]
    start = f // 2
    return _stamped(x, f)[..., start:start + h * f, start:start + w * f]


@misconception("upsample_bilinear", says="the right values as float64", truth="the input's dtype (float32 stays "
               "float32)", chapter=1)
def _upsample_float64(p: dict) -> Any:
    x = np.asarray(p["input"])
    if x.dtype == np.float64:
        return None
    F = torch_functional()
    return Exact(F.interpolate(tensor(x), scale_factor=p["factor"], mode="bilinear", align_corners=False).numpy())


# --------------------------------------------------------------------------- pixel_shuffle

signature(("pixel_shuffle",), "input", "upscale_factor")


def _torch_shuffle(x: np.ndarray, r: int) -> np.ndarray:
    return torch_functional().pixel_shuffle(tensor(x), r).numpy()


@misconception("pixel_shuffle", says="the blocks transposed: offset (a, b) of channel c from channel c·r² + b·r + a",
               truth="offset (a, b) of channel c from channel c·r² + a·r + b: a the row, b the column", chapter=14)
def _shuffle_transposed_blocks(p: dict) -> Any:
    x, r = np.asarray(p["input"]), int(p["upscale_factor"])
    if r == 1:
        return None
    return _torch_shuffle(x.reshape(*x.shape[:-3], -1, r, r, *x.shape[-2:]).swapaxes(-3, -4).reshape(x.shape), r)


@misconception("pixel_shuffle", says="the channels read as (r, r, C): offset (a, b) of channel c from channel "
               "(a·r + b)·C + c", truth="the channels read as (C, r, r): offset (a, b) of channel c from channel "
               "c·r² + a·r + b", chapter=14)
def _shuffle_channels_last(p: dict) -> Any:
    x, r = np.asarray(p["input"]), int(p["upscale_factor"])
    c = x.shape[-3] // (r * r)
    if r == 1 or c == 1:
        return None
    lead, (h, w) = x.shape[:-3], x.shape[-2:]
    return _torch_shuffle(np.moveaxis(x.reshape(*lead, r, r, c, h, w), -3, -5).reshape(x.shape), r)


# --------------------------------------------------------------------------- causal_stack

signature(("causal_stack",), "input", "weights", "biases", "dilations")


def _stack(p: dict, pads: Callable[[int], tuple[int, int]] = lambda reach: (reach, 0),
           dilated: bool = True) -> np.ndarray:
    """The stack computed with torch, each layer's input padded by ``pads(reach)`` zeros (reach = (k - 1)·d), its
    taps dilation apart (adjacent unless ``dilated``), the first ``length`` outputs kept, ReLU between layers."""
    F = torch_functional()
    x = tensor(p["input"])
    layers = list(zip(p["weights"], p["biases"], p["dilations"]))
    for i, (w, b, d) in enumerate(layers):
        length = x.shape[-1]
        x = F.pad(x, pads((np.shape(w)[-1] - 1) * d))
        x = F.conv1d(x, tensor(w), None if b is None else tensor(b), dilation=d if dilated else 1)[..., :length]
        if i < len(layers) - 1:
            x = F.relu(x)
    return x.numpy()


@misconception("causal_stack", says="layers padded on both sides, like padding='same' (outputs read the future)",
               truth="(k - 1)·d zeros on the LEFT of each layer only: output t reads inputs up to t", chapter=6)
def _stack_same(p: dict) -> Any:
    if all(np.shape(w)[-1] == 1 for w in p["weights"]):
        return None  # 1-tap layers need no padding
    return _stack(p, pads=lambda reach: (reach // 2, reach - reach // 2))


@misconception("causal_stack", says="the stack with ReLU after the last layer too",
               truth="ReLU between the layers only: the last layer's output returned as it is", chapter=14)
def _stack_last_relu(p: dict) -> Any:
    out = _stack(p)
    return None if out.min() >= 0 else np.maximum(out, 0)


@misconception("causal_stack", says="layers whose taps are next to each other (dilation left out of the windows)",
               truth="dilations={dilations}: each layer's taps d apart, over its (k - 1)·d zeros on the left",
               chapter=6)
def _stack_undilated_taps(p: dict) -> Any:
    if all(d == 1 or np.shape(w)[-1] == 1 for w, d in zip(p["weights"], p["dilations"])):
        return None
    return _stack(p, dilated=False)


# --------------------------------------------------------------------------- dilations_for_receptive_field

signature(("dilations_for_receptive_field",), "receptive_field", "kernel_size", "max_dilation")


def _schedule(p: dict, reached: Callable[[int, int], bool] = operator.ge, cycle: bool = True) -> Any:
    """The dilations 1, 2, 4, ... (back to 1 after max_dilation if ``cycle``) until ``reached(field, target)``;
    None where the function returns early (a target of 1 or less) or raises (a kernel of 1)."""
    target, k, top = p["receptive_field"], p["kernel_size"], p["max_dilation"]
    if target <= 1 or k < 2:
        return None
    dilations, field, d = [], 1, 1
    while not reached(field, target):
        dilations.append(d)
        field += (k - 1) * d
        d = 1 if cycle and d >= top else 2 * d
    return tuple(dilations)


def _unless_right(p: dict, wrong: Any) -> Any:
    return None if wrong == _schedule(p) else wrong


@misconception("dilations_for_receptive_field", says="the schedule grown until the field EXCEEDS the target "
               "(a layer too many when it is reached exactly)",
               truth="the shortest schedule: stop as soon as the field is at least {receptive_field}", chapter=14)
def _schedule_one_too_many(p: dict) -> Any:
    return _unless_right(p, _schedule(p, reached=operator.gt))


@misconception("dilations_for_receptive_field", says="dilations doubling forever (never back to 1 after "
               "max_dilation)", truth="the cycle 1, 2, 4, ... up to max_dilation={max_dilation}, then 1 again",
               chapter=14)
def _schedule_no_cycle(p: dict) -> Any:
    return _unless_right(p, _schedule(p, cycle=False))
