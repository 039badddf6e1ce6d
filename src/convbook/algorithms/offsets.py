"""A loop over kernel offsets: one matrix product per offset, over all pixels at once.

For a fixed kernel offset ``(i, j)``, output pixel ``(y, x)`` reads input pixel
``(y*stride + i*dilation - pad, x*stride + j*dilation - pad)``: along each
axis a strided slice of the input (:func:`convbook._windows.window_slices`).
Gathering that slice into a slab (zeros where it falls into padding) and
multiplying it by the offset's ``(C_out, C_in)`` weight matrix adds the
offset's share to every output pixel. ``kH * kW`` matrix products, each as
large as the whole layer divided by the kernel size, and a slab the size of
the input window, never an im2col matrix.
"""

from __future__ import annotations

import numpy as np

from .._arguments import IntOrTuple
from .._windows import gather_window, kernel_offsets
from ._layer import float_layer


def conv2d_offsets(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """``torch.nn.functional.conv2d`` as a sum over kernel offsets of (weight matrix) @ (shifted input)."""
    layer = float_layer(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d_offsets")
    x, w = layer.grouped()
    batch, groups, cin = x.shape[:3]
    cout = w.shape[1]
    out_size = layer.geometry.out_size
    out = np.zeros((batch, groups, cout, int(np.prod(out_size))), dtype=x.dtype)
    slab = np.empty((batch, groups, cin, *out_size), dtype=x.dtype)
    product = np.empty_like(out)
    for offset in kernel_offsets(layer.kernel):
        if not gather_window(x, slab, offset, layer.geometry, fill=0):
            continue  # this offset reads padding only
        matrix = np.ascontiguousarray(w[(Ellipsis, *offset)])  # (G, C_out/G, C_in/G)
        np.matmul(matrix, slab.reshape(product.shape[:2] + (cin, product.shape[3])), out=product)
        out += product
    return layer.finish(out)
