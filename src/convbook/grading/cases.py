"""Random cases for hidden tests, drawn from a seed the messages print (``CONVBOOK_SEED`` replays one)."""

from __future__ import annotations

import os
import time
from typing import Any

import numpy as np

_default_rng = np.random.default_rng


def fresh_rng() -> tuple[np.random.Generator, int]:
    """A generator seeded afresh at each run, and its seed (``CONVBOOK_SEED`` overrides it)."""
    from .checks import refuse_untrusted_autograde

    refuse_untrusted_autograde()
    fixed = os.environ.get("CONVBOOK_SEED")
    if fixed:
        seed = int(fixed)
    else:
        seed = int.from_bytes(os.urandom(4), "little") ^ (time.time_ns() & 0xFFFFFFFF)
    return _default_rng(seed), seed


def _ints(rng: np.random.Generator, low: int, high: int, n: int) -> tuple[int, ...]:
    return tuple(int(v) for v in rng.integers(low, high + 1, size=n))


def random_conv_case(
    rng: np.random.Generator,
    ndim: int = 2,
    batched: bool | None = None,
    bias: bool | None = None,
    max_stride: int = 3,
    max_padding: int = 2,
    max_dilation: int = 3,
    max_kernel: int = 4,
    max_channels: int = 3,
    tuples: bool | None = None,
) -> dict[str, Any]:
    """Random valid arguments of ``conv{ndim}d`` (groups=1) as a dict: input, weight, bias, stride, padding, dilation.

    Output size is at least 1 in every dimension; input is float64.
    """
    batched = bool(rng.integers(2)) if batched is None else batched
    with_bias = bool(rng.integers(2)) if bias is None else bias
    tuples = bool(rng.integers(2)) if tuples is None else tuples
    c_in, c_out = _ints(rng, 1, max_channels, 2)
    kernel = _ints(rng, 1, max_kernel, ndim)
    stride = _ints(rng, 1, max_stride, ndim)
    padding = _ints(rng, 0, max_padding, ndim)
    dilation = _ints(rng, 1, max_dilation, ndim)
    size = []
    for k, p, d in zip(kernel, padding, dilation):
        smallest = max(1, d * (k - 1) + 1 - 2 * p)
        size.append(int(rng.integers(smallest, smallest + 7)))
    shape = ((int(rng.integers(1, 3)),) if batched else ()) + (c_in, *size)
    case: dict[str, Any] = {
        "input": rng.standard_normal(shape),
        "weight": rng.standard_normal((c_out, c_in, *kernel)),
    }
    case["bias"] = rng.standard_normal(c_out) if with_bias else None
    if tuples:
        case.update(stride=stride, padding=padding, dilation=dilation)
    else:
        s, p, d = int(stride[0]), int(padding[0]), int(dilation[0])
        case.update(stride=s, padding=p, dilation=d)
        # the scalar form must also give a valid output size
        for i, size_i in enumerate(size):
            need = d * (kernel[i] - 1) + 1 - 2 * p
            if size_i < need:
                grown = list(case["input"].shape)
                grown[-ndim + i] = need
                case["input"] = rng.standard_normal(tuple(grown))
    return case


def random_pad_case(rng: np.random.Generator, ndim: int = 2, mode: str | None = None) -> dict[str, Any]:
    """Random valid arguments of ``pad`` over the last ``ndim`` (1 or 2) dims of a 2D/3D/4D input."""
    mode = mode or str(rng.choice(["constant", "reflect", "replicate", "circular"]))
    batch_dims = int(rng.integers(1, 3))
    sizes = _ints(rng, 2, 6, ndim)
    shape = _ints(rng, 1, 3, batch_dims) + sizes
    pad: list[int] = []
    for size in reversed(sizes):  # pad lists the last dimension first
        limit = size - 1 if mode == "reflect" else size if mode == "circular" else 4
        pad += list(_ints(rng, 0, limit, 2))
    case: dict[str, Any] = {"input": rng.standard_normal(shape), "pad": tuple(pad), "mode": mode}
    if mode == "constant" and rng.integers(2):
        case["value"] = float(rng.integers(-3, 4))
    return case
