"""Learned and fixed upsampling: bilinear kernels for transposed convolution, pixel shuffle.

A transposed convolution with stride ``f`` whose kernel is the separable
"tent" ``1 - |i - c| / f`` computes linear interpolation: this is how fully
convolutional networks initialise their upsampling layers. With the input's
edges replicated first it equals ``torch.nn.functional.interpolate(...,
mode="bilinear", align_corners=False)`` exactly (:func:`upsample_linear`).
:func:`pixel_shuffle` and :func:`pixel_unshuffle` mirror their
``torch.nn.functional`` namesakes, and :func:`subpixel_transposed_weight`
rewrites a sub-pixel convolution (``conv2d`` then ``pixel_shuffle``) as the
one transposed convolution it equals.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ._arguments import FLOAT_DTYPES, as_array, is_int, require
from .functional import conv_transpose1d, conv_transpose2d, conv_transpose3d, pad

_CONV_TRANSPOSE = {1: conv_transpose1d, 2: conv_transpose2d, 3: conv_transpose3d}


def _positive_int(value: object, name: str, op: str) -> int:
    if not is_int(value):
        raise TypeError(f"{op}: {name} must be an int, got {value!r}")
    require(int(value) > 0, f"{op} expects a positive {name}, but got {value}")
    return int(value)


def bilinear_kernel(factor: int, ndim: int = 2, dtype: np.dtype | type = np.float64) -> np.ndarray:
    """The kernel of linear interpolation by an integer ``factor``, for a transposed convolution.

    Along each dimension it has ``k = 2 * factor - factor % 2`` taps with the
    tent values ``1 - |i - c| / factor`` around the centre ``c = (k - 1) / 2``;
    the ``ndim``-dimensional kernel (1, 2 or 3) is the outer product of
    ``ndim`` copies. Used with ``stride=factor`` and ``padding=factor // 2`` it
    interpolates linearly between the input samples (see
    :func:`bilinear_weight`). ``factor=1`` gives the 1-tap identity kernel.

    >>> bilinear_kernel(2, ndim=1)
    array([0.25, 0.75, 0.75, 0.25])
    """
    factor = _positive_int(factor, "factor", "bilinear_kernel")
    if not is_int(ndim) or ndim not in (1, 2, 3):
        raise ValueError(f"bilinear_kernel: ndim must be 1, 2 or 3, got {ndim!r}")
    size = 2 * factor - factor % 2
    centre = (size - 1) / 2
    tent = 1 - np.abs(np.arange(size) - centre) / factor
    kernel = tent
    for _ in range(ndim - 1):
        kernel = np.multiply.outer(kernel, tent)
    return kernel.astype(dtype)


def bilinear_weight(channels: int, factor: int, ndim: int = 2, dtype: np.dtype | type = np.float64) -> np.ndarray:
    """Weight ``(channels, 1, k, ...)`` that makes a transposed convolution upsample linearly, channel by channel.

    Use it as ``conv_transpose{ndim}d(x, weight, stride=factor,
    padding=factor // 2, groups=channels)``: every channel is upsampled on its
    own, and the output has ``factor`` times the input's size. (This is the
    initialisation of the upsampling layers of fully convolutional networks.)
    Away from the borders the result equals linear/bilinear/trilinear
    interpolation with ``align_corners=False``; at the borders the
    transposed convolution reads zeros where ``interpolate`` repeats the edge.
    """
    channels = _positive_int(channels, "channels", "bilinear_weight")
    kernel = bilinear_kernel(factor, ndim, dtype)
    return np.broadcast_to(kernel, (channels, 1, *kernel.shape)).copy()


def upsample_linear(input: np.ndarray, scale_factor: int | Sequence[int]) -> np.ndarray:
    """Linear interpolation by integer factors, computed by a transposed convolution.

    Equals ``torch.nn.functional.interpolate(input, scale_factor=scale_factor,
    mode=m, align_corners=False)`` with ``m`` = ``"linear"``, ``"bilinear"`` or
    ``"trilinear"`` for an ``(N, C, L)``, ``(N, C, H, W)`` or
    ``(N, C, D, H, W)`` floating-point input. The edges are replicated by one
    sample (``interpolate`` clamps its source coordinates to the input), the
    depthwise transposed convolution of :func:`bilinear_weight` upsamples, and
    the ``factor`` extra outputs on each side are cropped. ``scale_factor`` is
    a positive int or one int per spatial dimension; torch also accepts
    fractional factors, convbook does not (``TypeError``).
    """
    op = "upsample_linear"
    x = as_array(input, "input")
    require(
        x.ndim in (3, 4, 5),
        f"{op}: input must be 3D (N, C, L), 4D (N, C, H, W) or 5D (N, C, D, H, W), got shape {list(x.shape)}",
        ValueError,
    )
    if x.dtype not in FLOAT_DTYPES:
        raise TypeError(f"{op}: linear interpolation needs a floating-point input, got dtype {x.dtype}")
    n = x.ndim - 2
    if isinstance(scale_factor, (tuple, list)):
        require(
            len(scale_factor) == n,
            f"{op}: scale_factor must be one int or {n} ints (one per spatial dimension), got {list(scale_factor)}",
            ValueError,
        )
        factors = tuple(_positive_int(f, "scale_factor", op) for f in scale_factor)
    else:
        factors = (_positive_int(scale_factor, "scale_factor", op),) * n
    require(all(s > 0 for s in x.shape[2:]), f"{op}: input sizes must be positive, got {list(x.shape[2:])}")
    channels = x.shape[1]
    require(channels > 0, f"{op}: input must have at least one channel, got shape {list(x.shape)}")
    if x.shape[0] == 0:
        return np.zeros((*x.shape[:2], *(s * f for s, f in zip(x.shape[2:], factors))), dtype=x.dtype)
    kernels = [bilinear_kernel(f, 1) for f in factors]
    kernel = kernels[0]
    for k in kernels[1:]:
        kernel = np.multiply.outer(kernel, k)
    weight = np.broadcast_to(kernel, (channels, 1, *kernel.shape)).astype(x.dtype)
    padded = pad(x, (1, 1) * n, mode="replicate")
    y = _CONV_TRANSPOSE[n](
        padded, weight, stride=factors, padding=tuple(f // 2 for f in factors), groups=channels
    )
    crop = tuple(slice(f, y.shape[2 + i] - f) for i, f in enumerate(factors))
    return np.ascontiguousarray(y[(Ellipsis, *crop)])


def pixel_shuffle(input: np.ndarray, upscale_factor: int) -> np.ndarray:
    """Rearrange ``(*, C * r**2, H, W)`` into ``(*, C, H * r, W * r)``.

    Mirrors ``torch.nn.functional.pixel_shuffle``: channel ``c * r**2 + a * r + b``
    becomes the sub-pixel ``(a, b)`` of every ``r x r`` block of output
    channel ``c``, so ``out[..., c, h * r + a, w * r + b] = in[..., c * r**2 + a * r + b, h, w]``.
    """
    op = "pixel_shuffle"
    x = as_array(input, "input")
    r = _positive_int(upscale_factor, "upscale_factor", op)
    require(
        x.ndim >= 3,
        f"{op} expects input to have at least 3 dimensions, but got input with {x.ndim} dimension(s)",
    )
    *lead, channels, height, width = x.shape
    require(
        channels % (r * r) == 0,
        f"{op} expects its input's 'channel' dimension to be divisible by the square of upscale_factor, "
        f"but input.size(-3)={channels} is not divisible by {r * r}",
    )
    c = channels // (r * r)
    blocks = x.reshape(*lead, c, r, r, height, width)
    k = len(lead)
    # (..., c, a, b, h, w) -> (..., c, h, a, w, b)
    order = (*range(k), k, k + 3, k + 1, k + 4, k + 2)
    return np.ascontiguousarray(blocks.transpose(order)).reshape(*lead, c, height * r, width * r)


def pixel_unshuffle(input: np.ndarray, downscale_factor: int) -> np.ndarray:
    """Rearrange ``(*, C, H * r, W * r)`` into ``(*, C * r**2, H, W)``: the inverse of :func:`pixel_shuffle`.

    Mirrors ``torch.nn.functional.pixel_unshuffle``, except for an empty
    input: torch returns it with its shape unchanged, convbook raises ``RuntimeError``.
    """
    op = "pixel_unshuffle"
    x = as_array(input, "input")
    r = _positive_int(downscale_factor, "downscale_factor", op)
    require(
        x.ndim >= 3,
        f"{op} expects input to have at least 3 dimensions, but got input with {x.ndim} dimension(s)",
    )
    *lead, channels, height, width = x.shape
    require(
        height % r == 0,
        f"{op} expects height to be divisible by downscale_factor, but input.size(-2)={height} "
        f"is not divisible by {r}",
    )
    require(
        width % r == 0,
        f"{op} expects width to be divisible by downscale_factor, but input.size(-1)={width} "
        f"is not divisible by {r}",
    )
    require(
        x.size > 0,
        f"{op}: input is empty (shape {list(x.shape)}); torch returns such an input unchanged instead of "
        f"rearranging its shape, so convbook refuses it",
    )
    k = len(lead)
    blocks = x.reshape(*lead, channels, height // r, r, width // r, r)
    # (..., c, h, a, w, b) -> (..., c, a, b, h, w)
    order = (*range(k), k, k + 2, k + 4, k + 1, k + 3)
    return np.ascontiguousarray(blocks.transpose(order)).reshape(*lead, channels * r * r, height // r, width // r)


def subpixel_transposed_weight(weight: np.ndarray, upscale_factor: int) -> np.ndarray:
    """The transposed-convolution weight equal to a sub-pixel convolution.

    A sub-pixel convolution is ``pixel_shuffle(conv2d(x, weight, padding=p), r)``
    with ``weight`` of shape ``(C * r**2, C_in, kH, kW)``. It computes the same
    map as ``conv_transpose2d(x, W, stride=r, padding=(r * (kH - 1 - pH), r * (kW - 1 - pW)))``
    with the returned ``W`` of shape ``(C_in, C, kH * r, kW * r)``: entry
    ``W[:, c, a + r * (kH - 1 - u), b + r * (kW - 1 - v)] = weight[c * r**2 + a * r + b, :, u, v]``
    (every sub-kernel rotated by 180 degrees and interleaved with the others).
    Valid for paddings ``0 <= p <= k - 1``.
    """
    op = "subpixel_transposed_weight"
    w = as_array(weight, "weight")
    r = _positive_int(upscale_factor, "upscale_factor", op)
    require(w.ndim == 4, f"{op}: weight must be 4D (C * r**2, C_in, kH, kW), got shape {list(w.shape)}", ValueError)
    out_channels, in_channels, kh, kw = w.shape
    require(
        out_channels % (r * r) == 0,
        f"{op}: weight.shape[0]={out_channels} must be divisible by upscale_factor**2={r * r}",
        ValueError,
    )
    c = out_channels // (r * r)
    # (c, a, b, C_in, u, v), rotated in u and v -> (C_in, c, u', a, v', b) -> (C_in, c, kH * r, kW * r)
    blocks = w.reshape(c, r, r, in_channels, kh, kw)[..., ::-1, ::-1]
    return np.ascontiguousarray(blocks.transpose(3, 0, 4, 1, 5, 2)).reshape(in_channels, c, kh * r, kw * r)


__all__ = [
    "bilinear_kernel",
    "bilinear_weight",
    "pixel_shuffle",
    "pixel_unshuffle",
    "subpixel_transposed_weight",
    "upsample_linear",
]
