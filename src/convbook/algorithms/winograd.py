"""Winograd's minimal filtering: F(2,3) and F(2x2,3x3).

Two outputs of a 3-tap correlation, ``y0 = d0 g0 + d1 g1 + d2 g2`` and
``y1 = d1 g0 + d2 g1 + d3 g2``, take 6 multiplications directly. Winograd's
algorithm takes 4 (Lavin and Gray, 2016):

    m1 = (d0 - d2) g0            m2 = (d1 + d2) (g0 + g1 + g2) / 2
    m4 = (d1 - d3) g2            m3 = (d2 - d1) (g0 - g1 + g2) / 2
    y0 = m1 + m2 + m3            y1 = m2 - m3 - m4

In matrix form ``y = A^T [(G g) * (B^T d)]``: the filter is transformed once,
each input tile of 4 values once, and the channels are summed *after* the
elementwise product, so a layer's work becomes 4 matrix products (one per
transformed position) instead of 6 per 2 outputs. Nesting the 1D algorithm
in both axes gives F(2x2,3x3): 16 multiplications per 2x2 output tile instead
of 36. Only 3-tap kernels with stride 1 and dilation 1.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from numpy.typing import DTypeLike

from .._arguments import IntOrTuple, require
from ..functional.conv import ConvLayer
from ._layer import float_layer


def winograd_matrices(dtype: DTypeLike = np.float64) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(B^T, G, A^T)`` of F(2,3): input transform (4x4), filter transform (4x3), output transform (2x4)."""
    bt = np.array([[1, 0, -1, 0], [0, 1, 1, 0], [0, -1, 1, 0], [0, 1, 0, -1]], dtype=dtype)
    g = np.array([[1, 0, 0], [0.5, 0.5, 0.5], [0.5, -0.5, 0.5], [0, 0, 1]], dtype=dtype)
    at = np.array([[1, 1, 1, 0], [0, 1, -1, -1]], dtype=dtype)
    return bt, g, at


def direct_tile(d: Sequence, g: Sequence) -> tuple:
    """Two outputs of a 3-tap correlation the direct way: 6 multiplications."""
    return d[0] * g[0] + d[1] * g[1] + d[2] * g[2], d[1] * g[0] + d[2] * g[1] + d[3] * g[2]


def winograd_tile(d: Sequence, g: Sequence) -> tuple:
    """The same two outputs with Winograd's F(2,3): 4 multiplications by data.

    ``u1, u2`` (the transformed filter) hold the halves; a layer computes them
    once per filter, so they are not counted against each output tile.
    """
    u1 = (g[0] + g[1] + g[2]) / 2
    u2 = (g[0] - g[1] + g[2]) / 2
    m1 = (d[0] - d[2]) * g[0]
    m2 = (d[1] + d[2]) * u1
    m3 = (d[2] - d[1]) * u2
    m4 = (d[1] - d[3]) * g[2]
    return m1 + m2 + m3, m2 - m3 - m4


def check_winograd(layer: ConvLayer, op: str) -> None:
    """F(2,3) covers 3-tap kernels, stride 1, dilation 1 (any padding, groups, channels)."""
    _, _, stride, dilation, _ = layer.geometry
    require(
        all(k == 3 for k in layer.kernel),
        f"{op} implements Winograd F(2,3), which needs a kernel of size 3, but got kernel_size={list(layer.kernel)}",
        ValueError,
    )
    require(all(s == 1 for s in stride), f"{op} needs stride=1, but got stride={list(stride)}", ValueError)
    require(all(d == 1 for d in dilation), f"{op} needs dilation=1, but got dilation={list(dilation)}", ValueError)


def tiles_per_axis(out_size) -> tuple[int, ...]:
    """Output tiles of 2 along every axis (a last, half-empty tile when the size is odd)."""
    return tuple((o + 1) // 2 for o in out_size)


def correlate_winograd(layer: ConvLayer) -> np.ndarray:
    """The layer's output ``(N, G, C_out/G, *out_size)``, 1D or 2D, through F(2,3) in every axis."""
    x, w = layer.grouped()
    n = x.ndim - 3
    out_size, _, _, _, before = layer.geometry
    tiles = tiles_per_axis(out_size)
    # Pad as the layer says, then with zeros up to 2 * tiles + 2, the inputs the last tiles read.
    after = [2 * t + 2 - b - i for t, b, i in zip(tiles, before, x.shape[3:])]
    padded = np.pad(x, [(0, 0)] * 3 + list(zip(before, after)))
    bt, gm, at = (m.astype(x.dtype) for m in winograd_matrices())
    # Input tiles of 4 values, 2 apart: (N, G, C_in/G, *tiles, *4).
    windows = np.lib.stride_tricks.sliding_window_view(padded, (4,) * n, axis=tuple(range(3, 3 + n)))
    d = windows[(Ellipsis, *([slice(None, None, 2)] * n), *([slice(None)] * n))]
    u, v = w, d
    for axis in range(n):  # transform the filter (G g) and the tiles (B^T d) along each axis
        u = np.moveaxis(np.tensordot(u, gm, axes=([3 + axis], [1])), -1, 3 + axis)
        v = np.moveaxis(np.tensordot(v, bt, axes=([3 + n + axis], [1])), -1, 3 + n + axis)
    # Sum over input channels at each of the 4**n transformed positions: 4**n matrix products.
    positions = 4**n
    us = np.ascontiguousarray(np.moveaxis(u.reshape(*u.shape[:3], positions), -1, 1))  # (G, P, C_out/G, C_in/G)
    vs = np.moveaxis(v.reshape(*v.shape[:3], int(np.prod(tiles)), positions), -1, 2)  # (N, G, P, C_in/G, tiles)
    m = np.matmul(us, vs)  # (N, G, P, C_out/G, tiles)
    m = np.moveaxis(m, 2, -1).reshape(*m.shape[:2], m.shape[3], *tiles, *(4,) * n)
    for axis in range(n):  # back from the transformed positions to 2 outputs per tile (A^T m)
        m = np.moveaxis(np.tensordot(m, at, axes=([3 + n + axis], [1])), -1, 3 + n + axis)
    # (N, G, C_out/G, *tiles, *2) -> (N, G, C_out/G, *(2 * tiles)), then drop the half-empty tiles' extra.
    order = [0, 1, 2] + [i for axis in range(n) for i in (3 + axis, 3 + n + axis)]
    y = m.transpose(order).reshape(*m.shape[:3], *(2 * t for t in tiles))
    return y[(Ellipsis, *(slice(0, o) for o in out_size))]


def winograd_multiplications(input_shape: Sequence[int], weight_shape: Sequence[int], padding: int = 0,
                             groups: int = 1) -> dict[str, int]:
    """Multiplications by data of a stride-1, 3-tap layer: direct against Winograd F(2,3).

    ``input_shape`` is ``(N, C_in, *spatial)`` (1D or 2D), ``weight_shape``
    ``(C_out, C_in/groups, 3[, 3])``. Direct: ``kernel taps`` per output value
    and input channel. Winograd: ``4**n`` per output tile of ``2**n`` values
    and input channel, the elementwise products of the transformed tiles
    (transforms use additions and halves only). Returns ``{"direct": ...,
    "winograd": ...}``.
    """
    batch, in_channels, *spatial = input_shape
    out_channels, cin, *kernel = weight_shape
    require(in_channels == cin * groups, "input_shape and weight_shape must agree on the channels", ValueError)
    out_size = [s + 2 * padding - k + 1 for s, k in zip(spatial, kernel)]
    require(all(o > 0 for o in out_size), f"the layer has no output: output size {out_size}", ValueError)
    direct = batch * out_channels * cin * int(np.prod(out_size)) * int(np.prod(kernel))
    winograd = batch * out_channels * cin * int(np.prod(tiles_per_axis(out_size))) * 4 ** len(kernel)
    return {"direct": direct, "winograd": winograd}


def conv1d_winograd(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """``torch.nn.functional.conv1d`` for 3-tap kernels through Winograd F(2,3).

    Raises ``ValueError`` for other kernel sizes, strides or dilations.
    """
    layer = float_layer(input, weight, bias, stride, padding, dilation, groups, 1, "conv1d_winograd")
    check_winograd(layer, "conv1d_winograd")
    return layer.finish(correlate_winograd(layer))


def conv2d_winograd(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """``torch.nn.functional.conv2d`` for 3x3 kernels through Winograd F(2x2,3x3).

    Raises ``ValueError`` for other kernel sizes, strides or dilations.
    """
    layer = float_layer(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d_winograd")
    check_winograd(layer, "conv2d_winograd")
    return layer.finish(correlate_winograd(layer))
