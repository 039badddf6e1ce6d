"""``channel_shuffle``: interleave the channels of the groups of a grouped convolution (ShuffleNet).

Stacked grouped convolutions never exchange information between groups: group
``j`` of the second layer sees only what group ``j`` of the first one wrote.
ShuffleNet (Zhang et al., 2018) reorders the channels in between, so that each
group of the next layer reads a few channels of every group.
"""

from __future__ import annotations

import numpy as np

from .._arguments import as_array, is_int, require


def channel_shuffle(input: np.ndarray, groups: int) -> np.ndarray:
    """Read the ``C`` channels of ``(N, C, *spatial)`` as a ``(groups, C / groups)`` grid, write them column by column.

    Output channel ``i * groups + j`` is input channel ``j * (C / groups) + i``:
    with 6 channels and ``groups=2``, the order ``0 1 2 | 3 4 5`` becomes
    ``0 3 1 4 2 5``. Mirrors ``torch.nn.functional.channel_shuffle``.
    """
    x = as_array(input, "input")
    if not is_int(groups):
        raise TypeError(f"groups must be an int, got {groups!r}")
    require(
        x.ndim > 2,
        f"channel_shuffle expects input with more than 2 dimensions (N, C, *spatial), but got input of shape "
        f"{list(x.shape)}",
    )
    require(groups > 0, f"the number of groups must be positive, but got groups={groups}")
    batch, channels, *spatial = x.shape
    require(
        channels % groups == 0,
        f"the number of channels ({channels}) must be divisible by groups ({groups})",
    )
    return x.reshape(batch, groups, channels // groups, *spatial).swapaxes(1, 2).reshape(x.shape)
