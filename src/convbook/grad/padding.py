"""Gradient of ``pad``.

Constant padding copies each input value to one place (or drops it, when a
negative pad crops): its gradient is ``grad_output`` cropped back, which is
``pad`` again with the widths negated. Reflect, replicate and circular
padding copy some input values to several places: their gradient adds the
gradients of all the copies back onto the value they came from.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from .._arguments import require
from ..functional.padding import MODES, check_mode_pairs, pad, pairs_per_dim, source_positions
from .conv import check_float, check_size


def pad_backward(
    grad_output: np.ndarray, input_shape: Sequence[int], pad: Sequence[int], mode: str = "constant"
) -> np.ndarray:
    """Gradient of ``pad(input, pad, mode)`` with respect to ``input`` (of shape ``input_shape``).

    Mirrors what torch's autograd computes for ``torch.nn.functional.pad``.
    """
    return pad_backward_nd(grad_output, input_shape, pad, mode)


def pad_backward_nd(grad_output, input_shape, widths, mode: str) -> np.ndarray:
    """Crop (constant) or scatter-add (other modes) ``grad_output`` back to ``input_shape``."""
    grad_output = check_float(grad_output, "grad_output")
    input_shape = check_size(input_shape, 0, "input_shape", tuple(range(1, 33)))
    pairs = pairs_per_dim(widths, len(input_shape))
    if mode not in MODES:
        raise ValueError(f"Unrecognised padding mode {mode!r}: use one of {', '.join(MODES)}")
    expected = list(input_shape)
    for dim, before, after in pairs:
        expected[dim] += before + after
    require(
        tuple(grad_output.shape) == tuple(expected),
        f"grad_output must have the padded shape {tuple(expected)}, but got shape {tuple(grad_output.shape)}",
        ValueError,
    )
    if mode == "constant":
        # Input position i went to output position i + before (if kept): read it back there.
        return pad(grad_output, [-w for w in widths], "constant")
    # The forward checks need only the input's shape: a zero-stride view stands in for it.
    check_mode_pairs(np.broadcast_to(np.zeros((), grad_output.dtype), input_shape), pairs, mode)
    grad = grad_output
    for dim, before, after in pairs:
        sources = source_positions(input_shape[dim], before, after, mode)
        moved = np.moveaxis(grad, dim, 0)
        summed = np.zeros((input_shape[dim], *moved.shape[1:]), dtype=grad.dtype)
        np.add.at(summed, sources, moved)  # output position j adds into the input position it copied
        grad = np.moveaxis(summed, 0, dim)
    return np.ascontiguousarray(grad)
