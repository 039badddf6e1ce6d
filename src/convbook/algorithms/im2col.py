"""im2col: every receptive field copied into one column, then one matrix product.

Column ``p`` of the matrix holds the ``C_in * kH * kW`` input values that
output pixel ``p`` reads (zeros for padding), in the order of the weight's
``(C_in, kH, kW)`` axes; the layer is then ``weight.reshape(C_out, -1) @
columns``, one large matrix product that BLAS runs near the machine's peak
(Chellapilla, Puri and Simard, 2006). The price is memory: each input value is copied
about ``kH * kW / stride**2`` times. :func:`im2col` mirrors
``torch.nn.functional.unfold``.
"""

from __future__ import annotations

import numpy as np

from .._arguments import IntOrTuple, as_array, is_int, require
from .._windows import kernel_offsets
from ._layer import float_layer

#: The dtypes torch's ``unfold`` accepts on the CPU.
UNFOLD_DTYPES = frozenset(np.dtype(t) for t in (np.float16, np.float32, np.float64, np.bool_))


def pair(value: IntOrTuple, name: str) -> tuple[int, int]:
    """An int or a pair of ints, as ``unfold`` takes them (a 1-tuple is refused, as torch does)."""
    if is_int(value):
        return int(value), int(value)
    if isinstance(value, (tuple, list)) and all(is_int(v) for v in value):
        require(len(value) == 2, f"It is expected {name} equals to 2 values, but got {len(value)}: {list(value)}")
        return int(value[0]), int(value[1])
    raise TypeError(f"{name} must be an int or a pair of ints, got {value!r}")


def columns(x: np.ndarray, kernel, out_size, stride, dilation, before, after) -> np.ndarray:
    """``(N, C, *kernel, *out_size)`` windows of ``(N, C, H, W)`` input, zero padded ``before``/``after``."""
    padded = np.pad(x, [(0, 0), (0, 0), *zip(before, after)])
    cols = np.empty(x.shape[:2] + tuple(kernel) + tuple(out_size), dtype=x.dtype)
    for offset in kernel_offsets(kernel):
        window = tuple(
            slice(k * d, k * d + (o - 1) * s + 1, s) for k, d, o, s in zip(offset, dilation, out_size, stride)
        )
        cols[(slice(None), slice(None), *offset)] = padded[(Ellipsis, *window)]
    return cols


def im2col(
    input: np.ndarray,
    kernel_size: IntOrTuple,
    dilation: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    stride: IntOrTuple = 1,
) -> np.ndarray:
    """``(N, C, H, W) -> (N, C * kH * kW, L)``: one column per output position.

    Mirrors ``torch.nn.functional.unfold``: rows in ``(C, kH, kW)`` order,
    ``L`` output positions in row-major order; unbatched ``(C, H, W)`` input
    gives ``(C * kH * kW, L)``.
    """
    x = as_array(input, "input")
    require(
        x.ndim in (3, 4) and all(s > 0 for s in x.shape[-3:]),
        "Expected 3D or 4D (batch mode) input with possibly 0 batch size and other non-zero dimensions, "
        f"but got input of shape {list(x.shape)}",
    )
    if x.dtype not in UNFOLD_DTYPES:
        raise TypeError(f"im2col is not implemented for dtype {x.dtype} (torch's unfold takes float and bool)")
    kernel, dilation = pair(kernel_size, "kernel_size"), pair(dilation, "dilation")
    padding, stride = pair(padding, "padding"), pair(stride, "stride")
    require(all(k > 0 for k in kernel), f"kernel size should be greater than zero, but got kernel_size={kernel}")
    require(all(s > 0 for s in stride), f"stride should be greater than zero, but got stride={stride}")
    require(all(p >= 0 for p in padding), f"padding should be non-negative, but got padding={padding}")
    require(all(d > 0 for d in dilation), f"dilation should be greater than zero, but got dilation={dilation}")
    unbatched = x.ndim == 3
    x = x[np.newaxis] if unbatched else x
    out_size = tuple(
        (i + 2 * p - d * (k - 1) - 1) // s + 1 for i, p, d, k, s in zip(x.shape[2:], padding, dilation, kernel, stride)
    )
    require(
        all(o >= 1 for o in out_size),
        f"Given input with spatial size {tuple(x.shape[2:])}, kernel_size={kernel}, dilation={dilation}, "
        f"padding={padding}, calculated shape of the array of sliding blocks as {out_size}, "
        "but its components must be at least one",
    )
    cols = columns(x, kernel, out_size, stride, dilation, padding, padding)
    cols = cols.reshape(x.shape[0], x.shape[1] * kernel[0] * kernel[1], out_size[0] * out_size[1])
    return cols[0] if unbatched else cols


def conv2d_im2col(
    input: np.ndarray,
    weight: np.ndarray,
    bias: np.ndarray | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> np.ndarray:
    """``torch.nn.functional.conv2d`` as one matrix product per group: ``(C_out/G, C_in/G*kH*kW) @ columns``."""
    layer = float_layer(input, weight, bias, stride, padding, dilation, groups, 2, "conv2d_im2col")
    x, w = layer.grouped()
    batch, groups = x.shape[:2]
    geometry = layer.geometry
    flat = x.reshape(batch * groups, *x.shape[2:])
    cols = columns(flat, layer.kernel, geometry.out_size, geometry.stride, geometry.dilation, geometry.pad_before,
                   layer.pad_after)
    pixels = int(np.prod(geometry.out_size))
    cols = cols.reshape(batch, groups, w[0, 0].size, pixels)  # (N, G, C_in/G * kH * kW, pixels)
    return layer.finish(np.matmul(w.reshape(*w.shape[:2], -1), cols))
