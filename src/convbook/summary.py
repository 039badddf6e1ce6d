"""What a network costs, layer by layer: output shape, parameters, multiply-adds,
activation memory and receptive field.

A network is described as a list of small layer records, in the order the
data flows, for an input of shape ``(C, *spatial)`` (one to three spatial
dimensions; the batch is a separate argument):

- :class:`Conv` (``nn.Conv*d``, optionally followed by ``nn.BatchNorm*d``),
- :class:`MaxPool`, :class:`AvgPool`, :class:`GlobalAvgPool`
  (``nn.AdaptiveAvgPool*d(1)``), :class:`Flatten` and :class:`Linear`,
- :class:`Concat` (parallel branches joined along the channels, as in an
  Inception block) and :class:`Residual` (a main branch plus a shortcut,
  identity or projection, as in ResNet).

Activations (ReLU), local response normalisation and dropout change no shape,
hold no parameters and do no multiply-adds, so the description leaves them
out. :func:`summarize` computes the costs; :func:`to_torch` builds the same
network with ``torch.nn`` (ReLU after every convolution and hidden linear
layer) and :func:`measure_in_torch` measures it on PyTorch's ``meta`` device,
so the book can check every number against torch without allocating the
network. The architectures of chapter 13 (:func:`lenet5`, :func:`alexnet`,
:func:`vgg16`, :func:`nin`, :func:`inception_3a`, :func:`resnet18`,
:func:`mobilenet_v1`) are described at the end of this module.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from .shapes import ReceptiveField, conv_output_size, pool_output_size

if TYPE_CHECKING:
    import torch

Size = int | tuple[int, ...]

__all__ = [
    "AvgPool",
    "Concat",
    "Conv",
    "Flatten",
    "GlobalAvgPool",
    "Layer",
    "Linear",
    "MaxPool",
    "Residual",
    "Row",
    "Summary",
    "alexnet",
    "inception_3a",
    "lenet5",
    "measure_in_torch",
    "mobilenet_v1",
    "nin",
    "resnet18",
    "summarize",
    "to_torch",
    "vgg16",
]


# ------------------------------------------------------------------ the layer records


@dataclass(frozen=True)
class Conv:
    """A convolution ``nn.Conv*d(C_in, out_channels, kernel_size, ...)``; ``C_in`` comes from its input.

    ``padding`` is per side, an int, a tuple, ``'valid'`` or ``'same'``
    (stride 1 only, extra padding on the right, as in torch).
    ``batch_norm=True`` adds an ``nn.BatchNorm*d`` after it (``2 * out_channels``
    parameters; its multiply-adds fold into the convolution at inference and
    are not counted).
    """

    out_channels: int
    kernel_size: Size
    stride: Size = 1
    padding: Size | str = 0
    dilation: Size = 1
    groups: int = 1
    bias: bool = True
    batch_norm: bool = False
    name: str | None = None


@dataclass(frozen=True)
class MaxPool:
    """``nn.MaxPool*d``; ``stride`` defaults to ``kernel_size``."""

    kernel_size: Size
    stride: Size | None = None
    padding: Size = 0
    dilation: Size = 1
    ceil_mode: bool = False
    name: str | None = None


@dataclass(frozen=True)
class AvgPool:
    """``nn.AvgPool*d``; ``stride`` defaults to ``kernel_size``."""

    kernel_size: Size
    stride: Size | None = None
    padding: Size = 0
    ceil_mode: bool = False
    name: str | None = None


@dataclass(frozen=True)
class GlobalAvgPool:
    """``nn.AdaptiveAvgPool*d(1)``: the mean of each channel, spatial size 1."""

    name: str | None = None


@dataclass(frozen=True)
class Flatten:
    """``nn.Flatten()``: ``(C, *spatial)`` becomes ``(C * prod(spatial),)``."""

    name: str | None = None


@dataclass(frozen=True)
class Linear:
    """``nn.Linear(in_features, out_features)`` on a flat input."""

    out_features: int
    bias: bool = True
    name: str | None = None


@dataclass(frozen=True, init=False)
class Concat:
    """Parallel branches on the same input, joined along the channels (``torch.cat(..., dim=1)``).

    ``Concat([layers of branch 1], [layers of branch 2], ..., name=None)``;
    an empty branch passes its input through.
    """

    branches: tuple[tuple[Any, ...], ...]
    name: str | None = None

    def __init__(self, *branches: Sequence[Any], name: str | None = None) -> None:
        if not branches:
            raise ValueError("Concat needs at least one branch")
        object.__setattr__(self, "branches", tuple(tuple(b) for b in branches))
        object.__setattr__(self, "name", name)


@dataclass(frozen=True)
class Residual:
    """``main(x) + shortcut(x)``: ``shortcut`` is empty for the identity, or a projection."""

    main: tuple[Any, ...]
    shortcut: tuple[Any, ...] = ()
    name: str | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "main", tuple(self.main))
        object.__setattr__(self, "shortcut", tuple(self.shortcut))


Layer = Conv | MaxPool | AvgPool | GlobalAvgPool | Flatten | Linear | Concat | Residual


# ------------------------------------------------------------------ the summary


@dataclass(frozen=True)
class Row:
    """One line of a :class:`Summary`; a block's row comes before the rows of its branches.

    ``params``, ``macs`` (multiply-adds, for the whole batch) and
    ``activation_bytes`` (the outputs this row creates, for the whole batch)
    of a block row (:class:`Concat`, :class:`Residual`) add up its children
    and its own output. ``receptive_field`` has one
    :class:`~convbook.shapes.ReceptiveField` per spatial dimension, in input
    coordinates and not clipped to the input (``None`` after a block whose
    branches step through the input with different jumps).
    """

    name: str
    description: str
    depth: int
    output_shape: tuple[int, ...]
    params: int
    macs: int
    activation_bytes: int
    receptive_field: tuple[ReceptiveField, ...] | None
    block: bool = False


@dataclass(frozen=True)
class Summary:
    """The rows of :func:`summarize` and their totals (blocks are counted once, not with their children)."""

    input_shape: tuple[int, ...]
    batch_size: int
    bytes_per_element: int
    rows: tuple[Row, ...] = field(default_factory=tuple)

    @property
    def top(self) -> list[Row]:
        """The rows at depth 0: they partition the network."""
        return [r for r in self.rows if r.depth == 0]

    @property
    def params(self) -> int:
        """Total number of parameters (weights, biases, batch-norm scales and shifts)."""
        return sum(r.params for r in self.top)

    @property
    def macs(self) -> int:
        """Total multiply-adds of the convolutions and linear layers, for the whole batch."""
        return sum(r.macs for r in self.top)

    @property
    def activation_bytes(self) -> int:
        """Bytes of every layer output, for the whole batch (what training keeps for the backward pass)."""
        return sum(r.activation_bytes for r in self.top)

    @property
    def input_bytes(self) -> int:
        """Bytes of the input batch."""
        return self.batch_size * math.prod(self.input_shape) * self.bytes_per_element

    @property
    def output_shape(self) -> tuple[int, ...]:
        """Shape of the network's output, without the batch."""
        return self.top[-1].output_shape if self.top else self.input_shape

    @property
    def receptive_field(self) -> tuple[ReceptiveField, ...] | None:
        """The receptive field of the network's outputs, one per spatial dimension of the input."""
        return (
            self.top[-1].receptive_field if self.top else tuple(ReceptiveField(1, 1, 0) for _ in self.input_shape[1:])
        )

    def table(self, max_depth: int | None = None) -> str:
        """A plain-text table of the rows down to ``max_depth`` (all rows by default), with totals."""
        rows = [r for r in self.rows if max_depth is None or r.depth <= max_depth]
        header = ("layer", "type", "output shape", "params", "mult-adds", "activations", "receptive field")
        lines = [
            (
                "  " * r.depth + r.name,
                r.description,
                " x ".join(str(s) for s in r.output_shape),
                f"{r.params:,}",
                f"{r.macs:,}",
                _bytes(r.activation_bytes),
                _field_text(r.receptive_field),
            )
            for r in rows
        ]
        lines.append(
            (
                "total",
                "",
                " x ".join(str(s) for s in self.output_shape),
                f"{self.params:,}",
                f"{self.macs:,}",
                _bytes(self.activation_bytes),
                "",
            )
        )
        widths = [max(len(str(x)) for x in column) for column in zip(header, *lines)]
        right = {3, 4, 5}

        def fmt(cells):
            return "  ".join(
                c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(cells, widths))
            ).rstrip()

        rule = "  ".join("-" * w for w in widths)
        return "\n".join([fmt(header), rule, *(fmt(c) for c in lines[:-1]), rule, fmt(lines[-1])])

    def __str__(self) -> str:
        return self.table()


def _bytes(n: int) -> str:
    for unit, scale in (("MB", 2**20), ("KB", 2**10)):
        if n >= scale:
            return f"{n / scale:.1f} {unit}"
    return f"{n} B"


def _field_text(fields: tuple[ReceptiveField, ...] | None) -> str:
    if fields is None:
        return "irregular"
    sizes = {f.size for f in fields}
    jumps = {f.jump for f in fields}
    size = str(fields[0].size) if len(sizes) == 1 else "x".join(str(f.size) for f in fields)
    jump = str(fields[0].jump) if len(jumps) == 1 else "x".join(str(f.jump) for f in fields)
    return f"{size} (jump {jump})"


def summarize(
    layers: Sequence[Layer], input_shape: Sequence[int], batch_size: int = 1, bytes_per_element: int = 4
) -> Summary:
    """Per-layer output shape, parameters, multiply-adds, activation memory and receptive field.

    ``layers`` is a list of :class:`Conv`, :class:`MaxPool`, :class:`AvgPool`,
    :class:`GlobalAvgPool`, :class:`Flatten`, :class:`Linear`,
    :class:`Concat` and :class:`Residual` records; ``input_shape`` is
    ``(C, *spatial)`` with one to three spatial dimensions. Multiply-adds
    count the products of convolutions (``out elements * C_in / groups *
    kernel volume``) and linear layers (``in * out``) for the whole batch;
    activation memory is ``batch_size * elements * bytes_per_element`` of
    each output (float32 by default). A layer that torch would refuse (a
    kernel larger than its padded input, channels not divisible by
    ``groups``, pooling padding above half the kernel, shapes that do not
    match in a block) raises ``ValueError`` naming the layer and the rule.

    The receptive field follows :func:`convbook.shapes.receptive_field`; a
    block's field spans those of its branches. After global pooling or
    flattening every output sees the whole last feature map.
    """
    shape = tuple(_positive_int(s, "input_shape") for s in input_shape)
    if not 2 <= len(shape) <= 4:
        raise ValueError(f"input_shape must be (C, *spatial) with 1 to 3 spatial dimensions, got {shape}")
    batch_size = _positive_int(batch_size, "batch_size")
    bytes_per_element = _positive_int(bytes_per_element, "bytes_per_element")
    start = tuple(ReceptiveField(1, 1, 0) for _ in shape[1:])
    walker = _Walker(batch_size, bytes_per_element)
    walker.walk(layers, shape, start, "", 0)
    return Summary(shape, batch_size, bytes_per_element, tuple(walker.rows))


def _positive_int(value: Any, name: str, minimum: int = 1) -> int:
    if not isinstance(value, numbers.Integral) or isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return int(value)


def _per_dim(value: Any, n: int, name: str, minimum: int) -> tuple[int, ...]:
    if isinstance(value, (tuple, list)):
        if len(value) != n:
            raise ValueError(f"{name} must be an int or a tuple of {n} ints, got {value!r}")
        return tuple(_positive_int(v, name, minimum) for v in value)
    return (_positive_int(value, name, minimum),) * n


def _extend(fields, kernel, stride, left_padding, dilation):
    if fields is None:
        return None
    return tuple(
        ReceptiveField(f.size + (k - 1) * d * f.jump, f.jump * s, f.start - p * f.jump)
        for f, k, s, p, d in zip(fields, kernel, stride, left_padding, dilation)
    )


def _whole(fields, spatial):
    """The field of an output that sees every position of a feature map of size ``spatial``."""
    return _extend(fields, spatial, (1,) * len(spatial), (0,) * len(spatial), (1,) * len(spatial))


def _union(fields_list):
    """The field spanning several branches' fields; ``None`` if they step differently through the input.

    Branches whose jumps differ (possible when their outputs happen to have
    the same size) give each output a field of its own size: no single
    ``(size, jump, start)`` describes them.
    """
    if any(f is None for f in fields_list):
        return None
    out = []
    for dims in zip(*fields_list):
        if len({f.jump for f in dims}) > 1:
            return None
        start = min(f.start for f in dims)
        end = max(f.start + f.size - 1 for f in dims)
        out.append(ReceptiveField(end - start + 1, dims[0].jump, start))
    return tuple(out)


def _kernel_text(kernel) -> str:
    return str(kernel[0]) if len(set(kernel)) == 1 else "x".join(map(str, kernel))


class _Walker:
    def __init__(self, batch_size: int, bytes_per_element: int) -> None:
        self.batch = batch_size
        self.bytes = bytes_per_element
        self.rows: list[Row] = []

    def memory(self, shape) -> int:
        return self.batch * math.prod(shape) * self.bytes

    def walk(self, layers, shape, fields, prefix, depth):
        """Append the rows of ``layers``; return the output shape and field."""
        if isinstance(layers, (str, bytes)) or not isinstance(layers, Sequence):
            raise TypeError(f"{prefix or 'layers'}: expected a list of layers, got {type(layers).__name__}")
        for index, layer in enumerate(layers):
            name = f"{prefix}{layer.name if getattr(layer, 'name', None) else index}"
            shape, fields = self.layer(layer, shape, fields, name, depth)
        return shape, fields

    def layer(self, layer, shape, fields, name, depth):
        if isinstance(layer, Concat):
            return self.concat(layer, shape, fields, name, depth)
        if isinstance(layer, Residual):
            return self.residual(layer, shape, fields, name, depth)
        if isinstance(layer, Conv):
            out, fields, params, macs, text = self.conv(layer, shape, fields, name)
        elif isinstance(layer, (MaxPool, AvgPool)):
            out, fields, text = self.pool(layer, shape, fields, name)
            params = macs = 0
        elif isinstance(layer, GlobalAvgPool):
            self.need_spatial(shape, name, "GlobalAvgPool")
            out, fields, params, macs, text = (shape[0],) + (1,) * (len(shape) - 1), _whole(fields, shape[1:]), 0, 0, ""
            text = "global avg pool"
        elif isinstance(layer, Flatten):
            if len(shape) > 1:
                fields = _whole(fields, shape[1:])
            out, params, macs, text = (math.prod(shape),), 0, 0, "flatten"
        elif isinstance(layer, Linear):
            if len(shape) != 1:
                raise ValueError(f"{name}: Linear needs a flat input (add Flatten first), got shape {shape}")
            features = _positive_int(layer.out_features, f"{name}: out_features")
            out = (features,)
            params = shape[0] * features + (features if layer.bias else 0)
            macs = self.batch * shape[0] * features
            text = f"linear {shape[0]}->{features}"
        else:
            raise TypeError(f"{name}: not a layer record: {layer!r}")
        self.rows.append(Row(name, text, depth, out, params, macs, self.memory(out), fields))
        return out, fields

    def need_spatial(self, shape, name, what):
        if len(shape) < 2:
            raise ValueError(f"{name}: {what} needs a (C, *spatial) input, got the flat shape {shape}")

    def conv(self, layer, shape, fields, name):
        self.need_spatial(shape, name, "Conv")
        n = len(shape) - 1
        in_channels = shape[0]
        out_channels = _positive_int(layer.out_channels, f"{name}: out_channels")
        kernel = _per_dim(layer.kernel_size, n, f"{name}: kernel_size", 1)
        stride = _per_dim(layer.stride, n, f"{name}: stride", 1)
        dilation = _per_dim(layer.dilation, n, f"{name}: dilation", 1)
        groups = _positive_int(layer.groups, f"{name}: groups")
        if in_channels % groups or out_channels % groups:
            raise ValueError(
                f"{name}: groups={groups} must divide both in_channels={in_channels} and out_channels={out_channels}"
            )
        if layer.padding == "valid":
            left = right = (0,) * n
        elif layer.padding == "same":
            if any(s != 1 for s in stride):
                raise ValueError(f"{name}: padding='same' is not supported for strided convolutions (stride={stride})")
            left = tuple(d * (k - 1) // 2 for k, d in zip(kernel, dilation))
            right = tuple(d * (k - 1) - lo for k, d, lo in zip(kernel, dilation, left))
        elif isinstance(layer.padding, str):
            raise ValueError(f"{name}: padding must be an int, a tuple, 'valid' or 'same', got {layer.padding!r}")
        else:
            left = right = _per_dim(layer.padding, n, f"{name}: padding", 0)
        spatial = tuple(
            conv_output_size(i + lo + hi - 2 * lo, k, s, lo, d)
            for i, k, s, lo, hi, d in zip(shape[1:], kernel, stride, left, right, dilation)
        )
        if any(o < 1 for o in spatial):
            raise ValueError(
                f"{name}: the kernel (kernel_size={kernel}, dilation={dilation}) is larger than the padded input "
                f"{shape[1:]} (padding={layer.padding}): the output size {spatial} would be below 1"
            )
        out = (out_channels, *spatial)
        weight = out_channels * (in_channels // groups) * math.prod(kernel)
        params = weight + (out_channels if layer.bias else 0) + (2 * out_channels if layer.batch_norm else 0)
        macs = self.batch * math.prod(out) * (in_channels // groups) * math.prod(kernel)
        parts = [f"conv {_kernel_text(kernel)}"]
        if any(s != 1 for s in stride):
            parts.append(f"/{_kernel_text(stride)}")
        if any(d != 1 for d in dilation):
            parts.append(f" dil {_kernel_text(dilation)}")
        if groups != 1:
            parts.append(" depthwise" if groups == in_channels == out_channels else f" groups {groups}")
        if layer.batch_norm:
            parts.append(" +bn")
        return out, _extend(fields, kernel, stride, left, dilation), params, macs, "".join(parts)

    def pool(self, layer, shape, fields, name):
        kind = "max" if isinstance(layer, MaxPool) else "avg"
        self.need_spatial(shape, name, f"{kind} pooling")
        n = len(shape) - 1
        kernel = _per_dim(layer.kernel_size, n, f"{name}: kernel_size", 1)
        stride = kernel if layer.stride is None else _per_dim(layer.stride, n, f"{name}: stride", 1)
        padding = _per_dim(layer.padding, n, f"{name}: padding", 0)
        dilation = _per_dim(getattr(layer, "dilation", 1), n, f"{name}: dilation", 1)
        if not isinstance(layer.ceil_mode, bool):
            raise TypeError(f"{name}: ceil_mode must be a bool, got {layer.ceil_mode!r}")
        if any(p > k // 2 for p, k in zip(padding, kernel)):
            raise ValueError(f"{name}: padding should be at most half of kernel_size, got {padding} and {kernel}")
        spatial = pool_output_size(tuple(shape[1:]), kernel, stride, padding, dilation, layer.ceil_mode)
        if any(o < 1 for o in spatial):
            raise ValueError(f"{name}: the pooling window is larger than the padded input {shape[1:]}")
        text = f"{kind} pool {_kernel_text(kernel)}/{_kernel_text(stride)}"
        return (shape[0], *spatial), _extend(fields, kernel, stride, padding, dilation), text

    def concat(self, layer, shape, fields, name, depth):
        self.need_spatial(shape, name, "Concat")
        first = len(self.rows)
        outs = [self.walk(branch, shape, fields, f"{name}.{b}.", depth + 1) for b, branch in enumerate(layer.branches)]
        spatial = {o[0][1:] for o in outs}
        if any(len(o[0]) < 2 for o in outs) or len(spatial) > 1:
            raise ValueError(
                f"{name}: branches must keep spatial dimensions to be concatenated, got {[o[0] for o in outs]}"
            )
        out = (sum(o[0][0] for o in outs), *spatial.pop())
        fields = _union([o[1] for o in outs])
        self.block_row(first, name, f"concat of {len(outs)} branches", depth, out, fields)
        return out, fields

    def residual(self, layer, shape, fields, name, depth):
        first = len(self.rows)
        main = self.walk(layer.main, shape, fields, f"{name}.main.", depth + 1)
        short = self.walk(layer.shortcut, shape, fields, f"{name}.shortcut.", depth + 1)
        if main[0] != short[0]:
            raise ValueError(f"{name}: the main branch gives {main[0]} but the shortcut gives {short[0]}: cannot add")
        fields = _union([main[1], short[1]])
        text = "residual, " + ("projection" if layer.shortcut else "identity")
        self.block_row(first, name, text, depth, main[0], fields)
        return main[0], fields

    def block_row(self, first, name, text, depth, out, fields):
        children = [r for r in self.rows[first:] if r.depth == depth + 1]
        params = sum(r.params for r in children)
        macs = sum(r.macs for r in children)
        memory = sum(r.activation_bytes for r in children) + self.memory(out)
        self.rows.insert(first, Row(name, text, depth, out, params, macs, memory, fields, block=True))


# ------------------------------------------------------------------ torch


def to_torch(layers: Sequence[Layer], input_shape: Sequence[int], relu: bool = True) -> torch.nn.Module:
    """The same network as ``torch.nn`` modules (ReLU after each convolution and each linear layer but the last).

    ``input_shape`` is ``(C, *spatial)``. Torch itself finds each linear
    layer's input size, in a dry run of the network on the ``meta`` device.
    Build it under ``with torch.device('meta'):`` to measure a large network
    without allocating memory. Torch refuses (raises) where its layers would
    for this input, and a residual block whose branches give different
    shapes. Needs PyTorch.
    """
    import torch
    from torch import nn

    class Cat(nn.Module):
        def __init__(self, branches):
            super().__init__()
            self.branches = nn.ModuleList(branches)

        def forward(self, x):
            return torch.cat([b(x) for b in self.branches], dim=1)

    class Add(nn.Module):
        def __init__(self, main, shortcut):
            super().__init__()
            self.main, self.shortcut = main, shortcut

        def forward(self, x):
            main, shortcut = self.main(x), self.shortcut(x)
            if main.shape != shortcut.shape:  # a residual block adds equal shapes; no broadcasting
                raise RuntimeError(f"residual: main branch {tuple(main.shape)} != shortcut {tuple(shortcut.shape)}")
            return main + shortcut

    def build(items, channels, spatial_dims, last_linear, features):
        modules = []
        for index, layer in enumerate(items):
            if isinstance(layer, Conv):
                conv = (nn.Conv1d, nn.Conv2d, nn.Conv3d)[spatial_dims - 1]
                modules.append(
                    conv(
                        channels,
                        layer.out_channels,
                        layer.kernel_size,
                        layer.stride,
                        layer.padding,
                        layer.dilation,
                        layer.groups,
                        layer.bias,
                    )
                )
                if layer.batch_norm:
                    modules.append(
                        (nn.BatchNorm1d, nn.BatchNorm2d, nn.BatchNorm3d)[spatial_dims - 1](layer.out_channels)
                    )
                if relu:
                    modules.append(nn.ReLU())
                channels = layer.out_channels
            elif isinstance(layer, MaxPool):
                pool = (nn.MaxPool1d, nn.MaxPool2d, nn.MaxPool3d)[spatial_dims - 1]
                modules.append(
                    pool(layer.kernel_size, layer.stride, layer.padding, layer.dilation, ceil_mode=layer.ceil_mode)
                )
            elif isinstance(layer, AvgPool):
                pool = (nn.AvgPool1d, nn.AvgPool2d, nn.AvgPool3d)[spatial_dims - 1]
                modules.append(pool(layer.kernel_size, layer.stride, layer.padding, ceil_mode=layer.ceil_mode))
            elif isinstance(layer, GlobalAvgPool):
                modules.append((nn.AdaptiveAvgPool1d, nn.AdaptiveAvgPool2d, nn.AdaptiveAvgPool3d)[spatial_dims - 1](1))
            elif isinstance(layer, Flatten):
                modules.append(nn.Flatten())
                spatial_dims = 0
            elif isinstance(layer, Linear):
                if features is None:  # the dry run: torch finds the input size
                    modules.append(nn.LazyLinear(layer.out_features, layer.bias))
                else:
                    modules.append(nn.Linear(next(features), layer.out_features, layer.bias))
                if relu and not (last_linear and index == len(items) - 1):
                    modules.append(nn.ReLU())
            elif isinstance(layer, Concat):
                branches = [build(b, channels, spatial_dims, False, features) for b in layer.branches]
                modules.append(Cat([b for b, _ in branches]))
                channels = sum(c for _, c in branches)
            elif isinstance(layer, Residual):
                main, channels_main = build(layer.main, channels, spatial_dims, False, features)
                shortcut, _ = build(layer.shortcut, channels, spatial_dims, False, features)
                modules.append(Add(main, shortcut))
                channels = channels_main
            else:
                raise TypeError(f"not a layer record: {layer!r}")
        return nn.Sequential(*modules), channels

    layers = list(layers)
    spatial_dims = len(input_shape) - 1
    features = None
    if any(isinstance(m, Linear) for m in _leaves(layers)):
        # A dry run on the meta device (no memory) lets torch find each linear layer's input size.
        with torch.device("meta"):
            dry, _ = build(layers, input_shape[0], spatial_dims, True, None)
            dry.eval()(torch.empty(1, *input_shape))  # eval: batch norm takes a batch of one value
        features = iter([m.in_features for m in dry.modules() if isinstance(m, nn.Linear)])
    model, _ = build(layers, input_shape[0], spatial_dims, True, features)
    return model


def _leaves(layers):
    for layer in layers:
        if isinstance(layer, Concat):
            for branch in layer.branches:
                yield from _leaves(branch)
        elif isinstance(layer, Residual):
            yield from _leaves(layer.main)
            yield from _leaves(layer.shortcut)
        else:
            yield layer


def measure_in_torch(layers: Sequence[Layer], input_shape: Sequence[int], batch_size: int = 1) -> dict[str, Any]:
    """Build :func:`to_torch`'s network on the ``meta`` device and measure it.

    Returns ``{'output_shape', 'params', 'macs'}``: the output shape without
    the batch, the parameter count from ``torch.nn`` (``p.numel()`` over
    ``parameters()``) and the multiply-adds that
    ``torch.utils.flop_counter.FlopCounterMode`` counts (its FLOPs / 2).
    Nothing is allocated, whatever the network's size.
    """
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    shape = tuple(input_shape)
    with torch.device("meta"):
        model = to_torch(layers, shape).eval()
        x = torch.empty(batch_size, *shape)
        counter = FlopCounterMode(display=False)
        with torch.no_grad(), counter:
            y = model(x)
    params = sum(p.numel() for p in model.parameters())
    return {"output_shape": tuple(y.shape[1:]), "params": params, "macs": counter.get_total_flops() // 2}


# ------------------------------------------------------------------ the architectures of chapter 13


def lenet5() -> list[Layer]:
    """LeNet-5 (LeCun et al. 1998) for a ``(1, 32, 32)`` input, as usually built today.

    Every C3 map reads all six S2 maps (the paper connects each to a subset)
    and the subsampling layers are plain average pooling (the paper gives
    each map a trainable coefficient and bias); the output is a linear layer
    instead of the paper's radial-basis units.
    """
    return [
        Conv(6, 5, name="C1"),
        AvgPool(2, name="S2"),
        Conv(16, 5, name="C3"),
        AvgPool(2, name="S4"),
        Conv(120, 5, name="C5"),
        Flatten(name="flatten"),
        Linear(84, name="F6"),
        Linear(10, name="output"),
    ]


def alexnet(groups: int = 2) -> list[Layer]:
    """AlexNet (Krizhevsky et al. 2012) for a ``(3, 227, 227)`` input.

    ``groups=2`` is the paper's split over two GPUs: conv2, conv4 and conv5
    read only the half of the channels on their own GPU; ``groups=1`` is the
    same network on one device. Local response normalisation and dropout hold
    no parameters and are left out.
    """
    return [
        Conv(96, 11, stride=4, name="conv1"),
        MaxPool(3, 2, name="pool1"),
        Conv(256, 5, padding=2, groups=groups, name="conv2"),
        MaxPool(3, 2, name="pool2"),
        Conv(384, 3, padding=1, name="conv3"),
        Conv(384, 3, padding=1, groups=groups, name="conv4"),
        Conv(256, 3, padding=1, groups=groups, name="conv5"),
        MaxPool(3, 2, name="pool5"),
        Flatten(name="flatten"),
        Linear(4096, name="fc6"),
        Linear(4096, name="fc7"),
        Linear(1000, name="fc8"),
    ]


def vgg16() -> list[Layer]:
    """VGG-16, configuration D of Simonyan & Zisserman (2015), for a ``(3, 224, 224)`` input.

    Thirteen 3x3 convolutions with padding 1 in five stages, each stage
    closed by a 2x2 max pooling with stride 2, then three linear layers.
    """
    layers: list[Layer] = []
    for stage, (channels, repeats) in enumerate([(64, 2), (128, 2), (256, 3), (512, 3), (512, 3)], start=1):
        layers += [Conv(channels, 3, padding=1, name=f"conv{stage}_{i}") for i in range(1, repeats + 1)]
        layers.append(MaxPool(2, 2, name=f"pool{stage}"))
    return layers + [
        Flatten(name="flatten"),
        Linear(4096, name="fc6"),
        Linear(4096, name="fc7"),
        Linear(1000, name="fc8"),
    ]


def nin(classes: int = 1000) -> list[Layer]:
    """Network in Network (Lin et al. 2014), ImageNet-sized as in d2l, for a ``(3, 224, 224)`` input.

    Each block is a convolution followed by two 1x1 convolutions (the
    "micro network"); the last block has one channel per class and global
    average pooling replaces the fully connected layers.
    """

    def block(n: int, channels: int, kernel: int, stride: int, padding: int) -> list[Layer]:
        return [
            Conv(channels, kernel, stride, padding, name=f"block{n}.conv"),
            Conv(channels, 1, name=f"block{n}.1x1a"),
            Conv(channels, 1, name=f"block{n}.1x1b"),
        ]

    return [
        *block(1, 96, 11, 4, 0),
        MaxPool(3, 2, name="pool1"),
        *block(2, 256, 5, 1, 2),
        MaxPool(3, 2, name="pool2"),
        *block(3, 384, 3, 1, 1),
        MaxPool(3, 2, name="pool3"),
        *block(4, classes, 3, 1, 1),
        GlobalAvgPool(name="gap"),
        Flatten(name="flatten"),
    ]


def inception_3a(reduce: bool = True) -> list[Layer]:
    """GoogLeNet's Inception block 3a (Szegedy et al. 2015) for its ``(192, 28, 28)`` input.

    Four branches: 1x1; 1x1 then 3x3; 1x1 then 5x5; 3x3 max pooling then
    1x1, concatenated to 256 channels. ``reduce=False`` is the naive block
    without the 1x1 reductions (the pooling branch then passes 192 channels).
    """
    if reduce:
        branches = (
            [Conv(64, 1, name="1x1")],
            [Conv(96, 1, name="3x3reduce"), Conv(128, 3, padding=1, name="3x3")],
            [Conv(16, 1, name="5x5reduce"), Conv(32, 5, padding=2, name="5x5")],
            [MaxPool(3, 1, 1, name="pool"), Conv(32, 1, name="poolproj")],
        )
    else:
        branches = (
            [Conv(64, 1, name="1x1")],
            [Conv(128, 3, padding=1, name="3x3")],
            [Conv(32, 5, padding=2, name="5x5")],
            [MaxPool(3, 1, 1, name="pool")],
        )
    return [Concat(*branches, name="inception3a")]


def resnet18(classes: int = 1000) -> list[Layer]:
    """ResNet-18 (He et al. 2016) for a ``(3, 224, 224)`` input.

    Convolutions have no bias and are followed by batch normalisation. Each
    stage has two basic blocks (two 3x3 convolutions and a shortcut); the
    first block of stages 2-4 halves the size with stride 2 and projects the
    shortcut with a strided 1x1 convolution.
    """

    def conv_bn(channels: int, kernel: int, stride: int, name: str) -> Conv:
        return Conv(channels, kernel, stride, kernel // 2, bias=False, batch_norm=True, name=name)

    layers: list[Layer] = [conv_bn(64, 7, 2, "conv1"), MaxPool(3, 2, 1, name="maxpool")]
    in_channels = 64
    for stage, (channels, stride) in enumerate([(64, 1), (128, 2), (256, 2), (512, 2)], start=1):
        for block in range(2):
            s = stride if block == 0 else 1
            main = [conv_bn(channels, 3, s, "conv1"), conv_bn(channels, 3, 1, "conv2")]
            project = s != 1 or in_channels != channels
            shortcut = [conv_bn(channels, 1, s, "proj")] if project else []
            layers.append(Residual(main, shortcut, name=f"layer{stage}.{block}"))
            in_channels = channels
    return layers + [GlobalAvgPool(name="avgpool"), Flatten(name="flatten"), Linear(classes, name="fc")]


def mobilenet_v1(width: float = 1.0, classes: int = 1000) -> list[Layer]:
    """MobileNet-v1 (Howard et al. 2017) for a ``(3, 224, 224)`` input, with width multiplier ``width``.

    After a strided 3x3 convolution, thirteen depthwise-separable blocks: a
    3x3 depthwise convolution (``groups`` = channels) and a 1x1 pointwise
    convolution, each followed by batch normalisation.
    """

    def c(channels: int) -> int:
        return max(1, int(channels * width))

    layers: list[Layer] = [Conv(c(32), 3, 2, 1, bias=False, batch_norm=True, name="conv1")]
    in_channels = c(32)
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    for n, (channels, stride) in enumerate(plan, start=2):
        layers.append(Conv(in_channels, 3, stride, 1, groups=in_channels, bias=False, batch_norm=True, name=f"dw{n}"))
        layers.append(Conv(c(channels), 1, bias=False, batch_norm=True, name=f"pw{n}"))
        in_channels = c(channels)
    return layers + [GlobalAvgPool(name="avgpool"), Flatten(name="flatten"), Linear(classes, name="fc")]
