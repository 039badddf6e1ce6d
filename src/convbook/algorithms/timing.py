"""Timing and memory measurements shared by ``make bench`` and the book's chapter 12.

Times are the fastest of several calls, the candidates taking turns, so a
burst of load from other processes on a shared machine hits them alike and
the minimum is the least disturbed run; compare ratios measured in one run,
not absolute times.
"""

from __future__ import annotations

import math
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Layer:
    """One benchmark layer: a ``convbook.functional`` / ``torch.nn.functional`` name and its shapes."""

    name: str
    op: str
    input_shape: tuple[int, ...]
    weight_shape: tuple[int, ...] | None = None  # None for pooling
    kwargs: dict = field(default_factory=dict)

    def arrays(self, rng: np.random.Generator) -> list[np.ndarray]:
        """float32 input, weight (scaled by 1/sqrt(fan-in)) and bias, as the layer takes them."""
        x = rng.standard_normal(self.input_shape, dtype=np.float32)
        if self.weight_shape is None:
            return [x]
        fan_in = int(np.prod(self.weight_shape[1:]))
        w = rng.standard_normal(self.weight_shape, dtype=np.float32) / np.float32(math.sqrt(fan_in))
        b = rng.standard_normal(self.weight_shape[1 if "transpose" in self.op else 0], dtype=np.float32)
        return [x, w, b]

    def shapes(self, out_shape: Sequence[int]) -> str:
        """``input [w weight] -> output`` shapes, as the benchmark table prints them."""
        parts = ["x".join(map(str, self.input_shape))]
        if self.weight_shape is not None:
            parts.append("w" + "x".join(map(str, self.weight_shape)))
        return " ".join(parts) + " -> " + "x".join(map(str, out_shape))


def benchmark_layers(batch: int = 2) -> list[Layer]:
    """Typical layers of ResNet, MobileNet, ResNeXt, DeepLab, text CNNs, video nets and GAN decoders."""
    n = batch
    return [
        Layer("resnet 3x3 conv", "conv2d", (n, 64, 56, 56), (64, 64, 3, 3), {"padding": 1}),
        Layer("3x3 stride 2", "conv2d", (n, 64, 56, 56), (128, 64, 3, 3), {"stride": 2, "padding": 1}),
        Layer("7x7/2 RGB stem", "conv2d", (n, 3, 224, 224), (64, 3, 7, 7), {"stride": 2, "padding": 3}),
        Layer("1x1 conv", "conv2d", (n, 256, 56, 56), (64, 256, 1, 1)),
        Layer("depthwise 3x3", "conv2d", (n, 128, 56, 56), (128, 1, 3, 3), {"padding": 1, "groups": 128}),
        Layer("grouped 3x3 g=8", "conv2d", (n, 128, 28, 28), (128, 16, 3, 3), {"padding": 1, "groups": 8}),
        Layer("dilated 3x3 d=2", "conv2d", (n, 64, 56, 56), (64, 64, 3, 3), {"padding": 2, "dilation": 2}),
        Layer("conv1d word vecs", "conv1d", (n, 300, 64), (100, 300, 3), {"padding": 1}),
        Layer("conv3d clip", "conv3d", (n, 3, 8, 112, 112), (64, 3, 3, 3, 3), {"padding": 1}),
        Layer(
            "conv_transpose 4x4/2", "conv_transpose2d", (n, 128, 16, 16), (128, 64, 4, 4), {"stride": 2, "padding": 1}
        ),
        Layer("max pool 3x3/2", "max_pool2d", (n, 64, 112, 112), None, {"kernel_size": 3, "stride": 2, "padding": 1}),
        Layer("avg pool 2x2", "avg_pool2d", (n, 256, 56, 56), None, {"kernel_size": 2}),
    ]


def best_seconds(functions: Sequence[Callable[[], object]], repeats: int = 5) -> list[float]:
    """Fastest of ``repeats`` timed calls of each function, after one warm-up call each, taking turns."""
    for function in functions:
        function()
    best = [math.inf] * len(functions)
    for _ in range(repeats):
        for i, function in enumerate(functions):
            start = time.perf_counter()
            function()
            best[i] = min(best[i], time.perf_counter() - start)
    return best


def peak_bytes(function: Callable[[], object]) -> tuple[int, object]:
    """Peak memory NumPy allocates during one call (tracemalloc), and the call's result.

    A warm-up call first, so that first-call caches do not count; the
    function's inputs exist before the call and do not count either.
    """
    function()
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        result = function()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base, result
