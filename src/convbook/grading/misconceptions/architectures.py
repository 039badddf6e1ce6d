"""Wrong variants of assignment 13: ``conv_layer_cost``, ``network_cost``, ``padding_for``.

The costs are measured as the test cells measure them: torch's layers on the meta device, their parameters
counted and their FLOPs halved, for the call with one of its arguments (or one layer record) changed.
(``design_strides`` is checked by the test cell itself, by running the returned choices: nothing to name here.)
"""

from __future__ import annotations

from typing import Any

from . import misconception, signature
from ._common import per_dim


def _measure(layer: Any, shape: tuple) -> tuple[tuple, int, int]:
    """(output shape, parameters, multiply-adds) of a torch ``layer`` built on the meta device, on one image."""
    import torch
    from torch.utils.flop_counter import FlopCounterMode

    counter = FlopCounterMode(display=False)
    with torch.device("meta"), counter:
        y = layer(torch.empty(1, *shape))
    return tuple(y.shape[1:]), sum(w.numel() for w in layer.parameters()), counter.get_total_flops() // 2


# --------------------------------------------------------------------------- conv_layer_cost

signature(("conv_layer_cost",), "input_shape", "out_channels", "kernel_size", ("stride", 1), ("padding", 0),
          ("dilation", 1), ("groups", 1), ("bias", True))


def _cost(p: dict, **changes: Any) -> tuple[tuple, int, int]:
    """torch's (output shape, parameters, multiply-adds) of the call's Conv2d with ``changes`` to its arguments."""
    import torch

    q = {**p, **changes}
    with torch.device("meta"):
        layer = torch.nn.Conv2d(q["input_shape"][0], q["out_channels"], q["kernel_size"], q["stride"], q["padding"],
                                q["dilation"], q["groups"], q["bias"])
    return _measure(layer, tuple(q["input_shape"]))


@misconception("conv_layer_cost", says="the cost without the bias (its C_out parameters left out)",
               truth="C_out · (C_in / groups) · kH · kW weights + C_out biases (bias=True)", chapter=13)
def _cost_no_bias(p: dict) -> Any:
    return _cost(p, bias=False) if p["bias"] else None


@misconception("conv_layer_cost", says="the cost of an ungrouped convolution (groups ignored)",
               truth="C_out · (C_in / groups) · kH · kW weights: each filter sees C_in / groups channels", chapter=5)
def _cost_ungrouped(p: dict) -> Any:
    return None if p["groups"] == 1 else _cost(p, groups=1)


@misconception("conv_layer_cost", says="the cost with the stride ignored (stride=1)",
               truth="H' = floor((H + 2p - d(k - 1) - 1)/s) + 1 with stride={stride}", chapter=3)
def _cost_unstrided(p: dict) -> Any:
    return None if all(s == 1 for s in per_dim(p["stride"], 2)) else _cost(p, stride=1)


@misconception("conv_layer_cost", says="the cost with the dilation ignored (dilation=1)",
               truth="H' = floor((H + 2p - d(k - 1) - 1)/s) + 1 with dilation={dilation}", chapter=3)
def _cost_undilated(p: dict) -> Any:
    return None if all(d == 1 for d in per_dim(p["dilation"], 2)) else _cost(p, dilation=1)


@misconception("conv_layer_cost", says="the multiply-adds of one output channel (C_out left out)",
               truth="C_out · H' · W' · (C_in / groups) · kH · kW multiply-adds", chapter=13)
def _cost_one_channel(p: dict) -> Any:
    if p["out_channels"] == 1:
        return None
    shape, parameters, multiply_adds = _cost(p)
    return shape, parameters, multiply_adds // p["out_channels"]


# --------------------------------------------------------------------------- network_cost

signature(("network_cost",), "layers", "input_shape")


def _torch_layer(layer: dict, shape: tuple) -> Any:
    """The torch module of one layer record (as the test cell builds it), on the meta device."""
    import torch
    from torch import nn

    kind = layer["type"]
    with torch.device("meta"):
        if kind == "conv":
            return nn.Conv2d(shape[0], layer["out_channels"], layer["kernel_size"], layer.get("stride", 1),
                             layer.get("padding", 0), groups=layer.get("groups", 1), bias=layer.get("bias", True))
        if kind in ("max_pool", "avg_pool"):
            pool = nn.MaxPool2d if kind == "max_pool" else nn.AvgPool2d
            return pool(layer["kernel_size"], layer.get("stride"), layer.get("padding", 0))
        if kind == "flatten":
            return nn.Flatten()
        return nn.Linear(shape[0], layer["out_features"], bias=layer.get("bias", True))


def _network(p: dict, change: Any) -> Any:
    """torch's cost table of the network with each layer record replaced by ``change(record)``, which returns the
    record itself where the mistake changes nothing (None if it changes no layer)."""
    layers = [change(layer) for layer in p["layers"]]
    if all(new is old for new, old in zip(layers, p["layers"])):
        return None
    rows, shape = [], tuple(p["input_shape"])
    for layer in layers:
        rows.append(_measure(_torch_layer(layer, shape), shape))
        shape = rows[-1][0]
    return tuple(rows)


def _pooling(layer: dict) -> bool:
    return layer["type"] in ("max_pool", "avg_pool")


@misconception("network_cost", says="the table with pooling's stride defaulting to 1",
               truth="stride = kernel_size for a pooling layer given none (torch's stride=None)", chapter=9)
def _network_pool_stride_one(p: dict) -> Any:
    def change(layer: dict) -> dict:
        default = _pooling(layer) and "stride" not in layer and layer["kernel_size"] != 1
        return {**layer, "stride": 1} if default else layer

    return _network(p, change)


@misconception("network_cost", says="the table with the linear layers' biases left out",
               truth="n·m + m parameters for a linear layer from n to m features (bias=True)", chapter=13)
def _network_linear_no_bias(p: dict) -> Any:
    def change(layer: dict) -> dict:
        return {**layer, "bias": False} if layer["type"] == "linear" and layer.get("bias", True) else layer

    return _network(p, change)


@misconception("network_cost", says="the table with pooling's padding ignored",
               truth="pooling with its padding: (H + 2p - k) // s + 1", chapter=9)
def _network_pool_unpadded(p: dict) -> Any:
    def change(layer: dict) -> dict:
        return {**layer, "padding": 0} if _pooling(layer) and layer.get("padding", 0) else layer

    return _network(p, change)


# --------------------------------------------------------------------------- padding_for

signature(("padding_for",), "input_size", "output_size", "kernel_size", ("stride", 1), ("dilation", 1))


@misconception("padding_for", says="the smallest padding from 1 up (padding 0 never tried)",
               truth="the smallest padding, 0 included: {input_size} already gives {output_size} without padding",
               chapter=13)
def _padding_from_one(p: dict) -> Any:
    n, k, s, d = p["input_size"], p["kernel_size"], p["stride"], p["dilation"]
    lengths = [(n + 2 * q - d * (k - 1) - 1) // s + 1 for q in (0, 1)]
    # padding 0 gives the size; more padding never shortens the output, so the search from 1 stops at 1 or raises
    return 1 if lengths == [p["output_size"]] * 2 else None
