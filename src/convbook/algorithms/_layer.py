"""Argument checks shared by the algorithms: exactly convbook.functional's, then floating point only."""

from __future__ import annotations

from ..functional.conv import ConvLayer, check_conv


def float_layer(input, weight, bias, stride, padding, dilation, groups, n: int, op: str) -> ConvLayer:
    """Check a convolution's arguments as ``convbook.functional`` does (so as torch does).

    Then refuse integer dtypes: these algorithms compute in floating point
    (the FFT and Winograd's transforms are not exact in integers).
    """
    layer = check_conv(input, weight, bias, stride, padding, dilation, groups, n, op)
    if layer.x.dtype.kind != "f":
        raise TypeError(
            f"{op} computes in floating point only, but got input of dtype {layer.x.dtype} "
            f"(convbook.functional.conv{n}d takes integer input)"
        )
    return layer
