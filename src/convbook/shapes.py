"""Output-size formulas of convolution, transposed convolution and pooling.

Every functional in :mod:`convbook.functional` computes its output shape with
these, so the formulas the book prints are the ones the code runs.
:func:`receptive_field` follows a stack of layers back to the input. Sizes may
be ints (one dimension) or tuples (one entry per spatial dimension); padding
is counted **per side**, as in PyTorch.
"""

from __future__ import annotations

import numbers
from collections.abc import Mapping, Sequence
from typing import NamedTuple

import numpy as np

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


class ReceptiveField(NamedTuple):
    """The receptive field of one layer's outputs, in input coordinates (one spatial dimension).

    ``size`` is how many input positions one output spans (first to last
    tap, gaps included); ``jump`` is the distance in the input between two
    neighbouring outputs; ``start`` is the input coordinate of the left edge
    of output 0's field (negative when padding puts it outside the input).
    Output ``i`` spans the inputs ``start + i * jump`` to
    ``start + i * jump + size - 1``.
    """

    size: int
    jump: int
    start: int


#: A layer for :func:`receptive_field`: a dict, or ``(kernel_size, stride, padding, dilation)``.
Layer = Mapping[str, int] | Sequence[int]

_LAYER_KEYS = ("kernel_size", "stride", "padding", "dilation")
_LAYER_DEFAULTS = {"stride": 1, "padding": 0, "dilation": 1}
_LAYER_MINIMUM = {"kernel_size": 1, "stride": 1, "padding": 0, "dilation": 1}


def _layer_parameters(layer: Layer, index: int) -> tuple[int, int, int, int]:
    """``(kernel_size, stride, padding, dilation)`` of one layer, checked."""
    where = f"layer {index}"
    if isinstance(layer, Mapping):
        unknown = sorted(set(layer) - set(_LAYER_KEYS), key=str)
        if unknown:
            raise ValueError(f"{where}: unknown keys {unknown}; a layer has the keys {list(_LAYER_KEYS)}")
        if "kernel_size" not in layer:
            raise ValueError(f"{where}: kernel_size is required")
        values = {**_LAYER_DEFAULTS, **layer}
    elif isinstance(layer, (tuple, list)):
        if not 1 <= len(layer) <= 4:
            raise ValueError(
                f"{where}: a tuple layer is (kernel_size, stride, padding, dilation) with 1 to 4 items, "
                f"got {len(layer)} items"
            )
        values = {**_LAYER_DEFAULTS, **dict(zip(_LAYER_KEYS, layer))}
    else:
        raise TypeError(
            f"{where} must be a dict or a tuple (kernel_size, stride, padding, dilation), got {type(layer).__name__}"
        )
    checked = []
    for name in _LAYER_KEYS:
        value = values[name]
        if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)):
            raise TypeError(f"{where}: {name} must be an int (one spatial dimension), got {value!r}")
        if value < _LAYER_MINIMUM[name]:
            rule = "non-negative" if name == "padding" else "at least 1"
            raise ValueError(f"{where}: {name} must be {rule}, got {value}")
        checked.append(int(value))
    return tuple(checked)


def receptive_field(layers: Sequence[Layer]) -> list[ReceptiveField]:
    """Receptive field, jump and start offset after each layer of a stack.

    ``layers`` lists the layers from input to output, each a dict with the
    keys ``kernel_size`` (required), ``stride`` (default 1), ``padding`` (per
    side, default 0) and ``dilation`` (default 1), or a tuple
    ``(kernel_size, stride, padding, dilation)`` whose trailing items may be
    left out. Pooling layers are described the same way (give their stride
    explicitly: here it defaults to 1, not to the kernel size). The values are
    ints for one spatial dimension; a 2D layer with square kernels, strides,
    paddings and dilations has the same field along each dimension, otherwise
    call this once per dimension. ``ceil_mode`` does not change the field.

    With ``r_0 = 1``, ``j_0 = 1`` and ``start_0 = 0`` (the input itself):

    - ``r_l = r_{l-1} + (k_l - 1) * d_l * j_{l-1}``
    - ``j_l = j_{l-1} * s_l``
    - ``start_l = start_{l-1} - p_l * j_{l-1}``

    Returns one :class:`ReceptiveField` ``(size, jump, start)`` per layer.
    The field counts every input between its first and last tap: with
    dilation, or a stride larger than the field below it, some of those
    inputs are never read. Raises ``ValueError`` for a kernel, stride or
    dilation below 1 or a negative padding, ``TypeError`` for a value that is
    not an int, naming the layer and the parameter.

    >>> receptive_field([(3,), (3,), (3,)])[-1]
    ReceptiveField(size=7, jump=1, start=0)
    """
    if isinstance(layers, (Mapping, str)) or not isinstance(layers, Sequence):
        raise TypeError(f"layers must be a sequence of layers (dicts or tuples), got {type(layers).__name__}")
    size, jump, start = 1, 1, 0
    fields = []
    for index, layer in enumerate(layers):
        kernel_size, stride, padding, dilation = _layer_parameters(layer, index)
        size += (kernel_size - 1) * dilation * jump
        start -= padding * jump
        jump *= stride
        fields.append(ReceptiveField(size, jump, start))
    return fields
