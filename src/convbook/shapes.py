"""Output-size formulas of convolution, transposed convolution and pooling.

Every functional in :mod:`convbook.functional` computes its output shape with
these, so the formulas the book prints are the ones the code runs. Sizes may
be ints (one dimension) or tuples (one entry per spatial dimension); padding
is counted **per side**, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Sequence

Size = int | Sequence[int]


def _broadcast(*params: Size):
    """Zip int-or-tuple arguments dimension by dimension; remember if all were ints."""
    lengths = {len(p) for p in params if not isinstance(p, int)}
    if len(lengths) > 1:
        raise ValueError(f"tuple arguments must all have the same length, got lengths {sorted(lengths)}")
    scalar = not lengths
    n = 1 if scalar else lengths.pop()
    columns = [(p,) * n if isinstance(p, int) else tuple(p) for p in params]
    return list(zip(*columns)), scalar


def _result(values: list[int], scalar: bool) -> Size:
    return values[0] if scalar else tuple(values)


def conv_output_size(
    input_size: Size, kernel_size: Size, stride: Size = 1, padding: Size = 0, dilation: Size = 1
) -> Size:
    """``floor((in + 2p - d(k - 1) - 1) / s) + 1``: the output size of ``conv*d``.

    Mirrors the shape formula in the ``torch.nn.Conv*d`` docs.
    """
    dims, scalar = _broadcast(input_size, kernel_size, stride, padding, dilation)
    return _result([(i + 2 * p - d * (k - 1) - 1) // s + 1 for i, k, s, p, d in dims], scalar)


def conv_transpose_output_size(
    input_size: Size,
    kernel_size: Size,
    stride: Size = 1,
    padding: Size = 0,
    output_padding: Size = 0,
    dilation: Size = 1,
) -> Size:
    """``(in - 1)s - 2p + d(k - 1) + output_padding + 1``: the output size of ``conv_transpose*d``.

    Mirrors the shape formula in the ``torch.nn.ConvTranspose*d`` docs.
    """
    dims, scalar = _broadcast(input_size, kernel_size, stride, padding, output_padding, dilation)
    return _result([(i - 1) * s - 2 * p + d * (k - 1) + op + 1 for i, k, s, p, op, d in dims], scalar)


def pool_output_size(
    input_size: Size,
    kernel_size: Size,
    stride: Size | None = None,
    padding: Size = 0,
    dilation: Size = 1,
    ceil_mode: bool = False,
) -> Size:
    """Output size of ``max_pool*d``/``avg_pool*d`` (``stride`` defaults to ``kernel_size``).

    With ``ceil_mode`` the division rounds up, but a last window that would
    start beyond the input and its left padding is dropped (torch's rule).
    """
    stride = kernel_size if stride is None else stride
    dims, scalar = _broadcast(input_size, kernel_size, stride, padding, dilation)
    sizes = []
    for i, k, s, p, d in dims:
        span = i + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)
        out = span // s + 1
        if ceil_mode and (out - 1) * s >= i + p:
            out -= 1
        sizes.append(out)
    return _result(sizes, scalar)


def unpool_output_size(input_size: Size, kernel_size: Size, stride: Size | None = None, padding: Size = 0) -> Size:
    """``(in - 1)s - 2p + k``: the default output size of ``max_unpool*d``."""
    stride = kernel_size if stride is None else stride
    dims, scalar = _broadcast(input_size, kernel_size, stride, padding)
    return _result([(i - 1) * s - 2 * p + k for i, k, s, p in dims], scalar)
