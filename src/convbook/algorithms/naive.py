"""The definition, run literally: one multiply-add at a time in Python loops.

Seven nested loops (batch, output channel, output row, output column, input
channel, kernel row, kernel column) and an ``if`` that skips taps falling
into padding. About a microsecond per multiply-add: only for small layers.
"""

from __future__ import annotations

import numpy as np

from .._arguments import IntOrTuple
from ._layer import float_layer


def conv2d_naive(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """``torch.nn.functional.conv2d`` by its definition, with scalar loops.

    ``out[n, o, y, x] = bias[o] + sum over c, i, j of
    input[n, g*C_in/G + c, y*stride - pad + i*dilation, x*stride - pad + j*dilation] * weight[o, c, i, j]``
    where ``g`` is the group of output channel ``o`` and taps outside the input count as zero.
    """
    layer = float_layer(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d_naive")
    x, w = layer.grouped()
    batch, groups, cin, height, width = x.shape
    cout, kh, kw = w.shape[1], w.shape[3], w.shape[4]
    (out_h, out_w), _, (sh, sw), (dh, dw), (ph, pw) = layer.geometry
    out = np.zeros((batch, groups, cout, out_h, out_w), dtype=x.dtype)
    for n in range(batch):
        for g in range(groups):
            for o in range(cout):
                for oy in range(out_h):
                    for ox in range(out_w):
                        total = x.dtype.type(0)
                        for c in range(cin):
                            for i in range(kh):
                                iy = oy * sh - ph + i * dh
                                if not 0 <= iy < height:
                                    continue
                                for j in range(kw):
                                    ix = ox * sw - pw + j * dw
                                    if 0 <= ix < width:
                                        total += x[n, g, c, iy, ix] * w[g, o, c, i, j]
                        out[n, g, o, oy, ox] = total
    return layer.finish(out)
