"""The convolution theorem: correlate by multiplying spectra.

A circular cross-correlation of two length-``P`` signals is, after a discrete
Fourier transform, a pointwise product: ``DFT(x ⋆ w) = DFT(x) * conj(DFT(w))``
for real ``w``. Zero-pad the input as the layer says, lay the (dilated) kernel
into an array of the padded input's size, multiply the spectra and sum over
input channels frequency by frequency, transform back: the first
``P - effective_kernel + 1`` values of each axis did not wrap around, and
every ``stride``-th of them is the layer's output. The transforms cost
``O(P log P)`` per channel whatever the kernel size, the products
``C_in * C_out`` per frequency: the FFT pays when kernels are large
(Mathieu, Henaff and LeCun, 2014).
"""

from __future__ import annotations

import numpy as np

from .._arguments import IntOrTuple
from ..functional.conv import ConvLayer
from ._layer import float_layer


def correlate_fft(layer: ConvLayer) -> np.ndarray:
    """The layer's output ``(N, G, C_out/G, *out_size)`` through N-dimensional real FFTs."""
    x, w = layer.grouped()
    n = x.ndim - 3
    spatial = tuple(range(-n, 0))
    out_size, _, stride, dilation, before = layer.geometry
    padded = np.pad(x, [(0, 0)] * 3 + list(zip(before, layer.pad_after)))
    size = padded.shape[-n:]
    # The dilated kernel: taps ``dilation`` apart, zeros between them.
    effective = tuple(d * (k - 1) + 1 for d, k in zip(dilation, layer.kernel))
    dilated = np.zeros(w.shape[:3] + effective, dtype=w.dtype)
    dilated[(Ellipsis, *(slice(None, None, d) for d in dilation))] = w
    spectrum_x = np.fft.rfftn(padded, s=size, axes=spatial)  # (N, G, C_in/G, *freq)
    spectrum_w = np.conj(np.fft.rfftn(dilated, s=size, axes=spatial))  # (G, C_out/G, C_in/G, *freq)
    # Sum over input channels at every frequency: a matrix product with frequencies as the batch.
    freq = spectrum_x.shape[3:]
    count = int(np.prod(freq))
    xs = np.ascontiguousarray(spectrum_x.reshape(*x.shape[:3], count).transpose(3, 1, 0, 2))  # (F, G, N, C_in/G)
    ws = np.ascontiguousarray(spectrum_w.reshape(*w.shape[:3], count).transpose(3, 0, 2, 1))  # (F, G, C_in/G, C_out/G)
    product = np.matmul(xs, ws).transpose(2, 1, 3, 0)  # (N, G, C_out/G, F)
    full = np.fft.irfftn(product.reshape(*product.shape[:3], *freq), s=size, axes=spatial)
    valid = tuple(slice(0, (o - 1) * s + 1, s) for o, s in zip(out_size, stride))
    return full[(Ellipsis, *valid)].astype(x.dtype, copy=False)


def conv1d_fft(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """``torch.nn.functional.conv1d`` through the FFT (the convolution theorem)."""
    layer = float_layer(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d_fft")
    return layer.finish(correlate_fft(layer))


def conv2d_fft(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """``torch.nn.functional.conv2d`` through 2D FFTs (the convolution theorem)."""
    layer = float_layer(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d_fft")
    return layer.finish(correlate_fft(layer))
