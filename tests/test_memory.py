"""convbook's layers never build a full im2col copy of their input.

An im2col convolution holds ``C_in * prod(kernel)`` values per output pixel,
9x the output for a 3x3 layer with ``C_in == C_out``. convbook builds those
columns a tile of output rows at a time (or a few kernel offsets at a time),
within twice the output's size, and the transposed convolution stacks its
offsets' products within the output's size. numpy reports its
allocations to tracemalloc, so the peak of traced memory during one call
(output included, inputs excluded as they exist before) bounds what a layer
needs. The bound is 4x the size of the output.
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest

import convbook.functional as F

BOUND = 4.0


def peak_ratio(fn, *args, **kwargs) -> float:
    """Peak traced memory above the baseline during ``fn(*args)``, over the output's size."""
    fn(*args, **kwargs)  # warm up: first-call caches are not the layer's memory
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        base, _ = tracemalloc.get_traced_memory()
        out = fn(*args, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    outputs = out if isinstance(out, tuple) else (out,)
    return (peak - base) / sum(o.nbytes for o in outputs)


def randn(*shape):
    return np.random.default_rng(0).standard_normal(shape, dtype=np.float32)


def test_tracemalloc_sees_numpy_allocations():
    """The other tests are vacuous unless numpy's buffers show up in tracemalloc."""
    ratio = peak_ratio(lambda: np.ones((256, 1024), dtype=np.float32))
    assert 0.99 <= ratio <= 1.1


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs",
    [
        ((1, 64, 28, 28), (64, 64, 3, 3), {"padding": 1}),
        ((1, 64, 28, 28), (64, 64, 3, 3), {"padding": 1, "stride": 2}),
        ((1, 64, 28, 28), (128, 64, 3, 3), {"padding": 1, "stride": 2}),
        ((2, 32, 20, 20), (32, 32, 5, 5), {"padding": 4, "dilation": 2}),
        ((1, 32, 32, 32), (32, 32, 7, 7), {"padding": 3}),
        ((2, 64, 28, 28), (64, 1, 3, 3), {"padding": 1, "groups": 64}),
        ((2, 64, 14, 14), (64, 8, 3, 3), {"padding": 1, "groups": 8}),
        ((1, 3, 112, 112), (32, 3, 7, 7), {"stride": 2, "padding": 3}),
        ((1, 128, 28, 28), (32, 128, 1, 1), {}),
        ((2, 128, 56, 56), (128, 1, 3, 3), {"padding": 1, "groups": 128}),
        ((1, 32, 14, 14), (64, 1, 5, 5), {"padding": 2, "groups": 32}),
        ((1, 1, 128, 128), (1, 1, 7, 7), {"padding": 3}),
    ],
    ids=["3x3", "3x3-stride2", "3x3-stride2-widen", "5x5-dilated", "7x7-by-offsets", "depthwise", "grouped",
         "rgb-stem", "1x1", "depthwise-mobilenet", "depthwise-small", "single-channel-7x7"],
)
def test_conv2d_has_no_im2col_copy(x_shape, w_shape, kwargs):
    x, w, b = randn(*x_shape), randn(*w_shape), randn(w_shape[0])
    ratio = peak_ratio(F.conv2d, x, w, b, **kwargs)
    assert ratio <= BOUND, f"conv2d peak memory is {ratio:.2f}x its output"


@pytest.mark.parametrize(
    "x_shape, w_shape, kwargs",
    [
        ((1, 64, 14, 14), (64, 64, 4, 4), {"stride": 2, "padding": 1}),
        ((1, 64, 28, 28), (64, 64, 3, 3), {"padding": 1}),
    ],
    ids=["4x4-stride2", "3x3"],
)
def test_conv_transpose2d_has_no_col2im_copy(x_shape, w_shape, kwargs):
    x, w, b = randn(*x_shape), randn(*w_shape), randn(w_shape[1])
    ratio = peak_ratio(F.conv_transpose2d, x, w, b, **kwargs)
    assert ratio <= BOUND, f"conv_transpose2d peak memory is {ratio:.2f}x its output"


@pytest.mark.parametrize("return_indices", [False, True])
@pytest.mark.parametrize(
    "kwargs",
    [{"kernel_size": 3, "stride": 2, "padding": 1}, {"kernel_size": 2}],
    ids=["3x3-stride2", "2x2"],
)
def test_max_pool2d_stays_small(kwargs, return_indices):
    x = randn(1, 64, 56, 56)
    ratio = peak_ratio(F.max_pool2d, x, return_indices=return_indices, **kwargs)
    assert ratio <= BOUND, f"max_pool2d peak memory is {ratio:.2f}x its output(s)"


def test_the_measure_catches_an_im2col_copy():
    """A plain im2col 3x3 convolution, 64 -> 64, is well over the bound: the tests can fail."""
    x, w = randn(1, 64, 28, 28), randn(64, 64, 3, 3)

    def im2col_conv(x, w):
        padded = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))
        columns = np.ascontiguousarray(windows)  # (N, C, H, W, 3, 3): 9x the input
        return np.einsum("nchwij,ocij->nohw", columns, w)

    assert peak_ratio(im2col_conv, x, w) > 2 * BOUND
