"""Figures of backward passes: where each output's gradient goes.

Every value drawn comes from :mod:`convbook.grad` (``conv2d_input``,
``max_pool2d_backward``, ``avg_pool2d_backward``), so a figure cannot
disagree with the gradients the chapter checks against torch.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import FancyArrowPatch, FancyBboxPatch

from ..functional import max_pool2d
from ..grad import avg_pool2d_backward, conv2d_input, max_pool2d_backward
from .grids import draw_grid

WINNER_COLOUR = "tab:red"
FORWARD_COLOUR = "tab:blue"
BACKWARD_COLOUR = "tab:red"


def gradient_stamps(
    grad_output: np.ndarray,
    weight: np.ndarray,
    input_shape: tuple[int, int],
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> list[tuple[tuple[int, int], np.ndarray]]:
    """The contribution of each output-gradient entry to the input gradient (2D arrays).

    Entry ``(a, b)`` of ``grad_output`` contributes ``conv2d_input`` of a
    ``grad_output`` that is zero except for that entry: a copy of the kernel,
    scaled by ``grad_output[a, b]``, placed where the forward window of output
    ``(a, b)`` sat. The contributions sum to the input gradient.
    """
    grad_output = np.asarray(grad_output, dtype=float)
    weight = np.asarray(weight, dtype=float)
    parts = []
    for a, b in np.ndindex(grad_output.shape):
        one = np.zeros_like(grad_output)
        one[a, b] = grad_output[a, b]
        stamp = conv2d_input((1, 1, *input_shape), weight[None, None], one[None, None], stride, padding, dilation)[0, 0]
        parts.append(((a, b), stamp))
    return parts


def draw_gradient_stamps(
    grad_output: np.ndarray,
    weight: np.ndarray,
    input_shape: tuple[int, int],
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
) -> Figure:
    """One panel per output-gradient entry with its stamp on the input grid, then their sum.

    The red outline marks the input window that output entry read in the
    forward pass; the last panel is ``conv2d_input`` of the whole ``grad_output``.
    """
    weight = np.asarray(weight, dtype=float)
    parts = gradient_stamps(grad_output, weight, input_shape, stride, padding, dilation)
    total = conv2d_input(
        (1, 1, *input_shape),
        weight[None, None],
        np.asarray(grad_output, dtype=float)[None, None],
        stride,
        padding,
        dilation,
    )[0, 0]
    rows, cols = input_shape
    # One symmetric colour scale for all panels (light colours keep the numbers readable).
    limit = 1.6 * max(float(np.max(np.abs(total))), max(float(np.max(np.abs(p))) for _, p in parts), 1e-12)
    scale = {"cmap": "coolwarm", "vmin": -limit, "vmax": limit}
    span_r, span_c = (dilation * (k - 1) + 1 for k in weight.shape)
    fig, axes = plt.subplots(1, len(parts) + 1, figsize=(0.42 * (cols + 1.5) * (len(parts) + 1), 0.42 * (rows + 2.5)))
    for ax, ((a, b), stamp) in zip(axes, parts):
        window = (a * stride - padding, b * stride - padding, span_r, span_c)
        draw_grid(ax, stamp, f"from g[{a},{b}]", window=window, **scale)
    draw_grid(axes[-1], total, "input gradient (sum)", **scale)
    fig.tight_layout()
    return fig


def pool_winners(x: np.ndarray, kernel_size: int, stride: int | None = None, padding: int = 0) -> list[tuple[int, int]]:
    """``(row, col)`` of the input cell that wins each max-pooling window (torch's indices), row-major."""
    x = np.asarray(x, dtype=float)
    _, indices = max_pool2d(x[None, None], kernel_size, stride, padding, return_indices=True)
    return [divmod(int(i), x.shape[1]) for i in indices.ravel()]


def pool_backward(
    x: np.ndarray,
    grad_output: np.ndarray,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    mode: str = "max",
    **kwargs: object,
) -> np.ndarray:
    """``max_pool2d_backward`` or ``avg_pool2d_backward`` (``mode``) on 2D arrays, returned as 2D."""
    backward = {"max": max_pool2d_backward, "avg": avg_pool2d_backward}[mode]
    x = np.asarray(x, dtype=float)[None, None]
    grad_output = np.asarray(grad_output, dtype=float)[None, None]
    return backward(grad_output, x, kernel_size, stride, padding, **kwargs)[0, 0]


def draw_pool_backward(
    x: np.ndarray,
    grad_output: np.ndarray,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    mode: str = "max",
    **kwargs: object,
) -> Figure:
    """Input, output gradient and input gradient of a pooling layer, side by side.

    For max pooling the winning input cells are outlined in red on the input
    and on the input gradient (a cell that wins several windows collects all
    their gradients).
    """
    x = np.asarray(x, dtype=float)
    grad_output = np.asarray(grad_output, dtype=float)
    grad_input = pool_backward(x, grad_output, kernel_size, stride, padding, mode, **kwargs)
    fig, axes = plt.subplots(
        1,
        3,
        figsize=(0.42 * (2 * x.shape[1] + grad_output.shape[1] + 6), 0.42 * (x.shape[0] + 2.5)),
        gridspec_kw={"width_ratios": [x.shape[1], grad_output.shape[1], x.shape[1]]},
    )
    draw_grid(axes[0], x, "input")
    limit = 1.6 * max(
        float(np.max(np.abs(grad_output), initial=0)), float(np.max(np.abs(grad_input), initial=0)), 1e-12
    )
    scale = {"cmap": "coolwarm", "vmin": -limit, "vmax": limit}
    draw_grid(axes[1], grad_output, "output gradient", **scale)
    draw_grid(axes[2], grad_input, f"input gradient ({mode} pool)", **scale)
    if mode == "max":
        for r, c in set(pool_winners(x, kernel_size, stride, padding)):
            for ax in (axes[0], axes[2]):
                ax.add_patch(plt.Rectangle((c, r), 1, 1, fill=False, edgecolor=WINNER_COLOUR, linewidth=2.5))
    fig.tight_layout()
    return fig


def draw_network_flow(
    stages: Sequence[tuple[str, str]], gradients: Sequence[str], values: Sequence[str] | None = None
) -> Figure:
    """A left-to-right diagram of a small network: forward arrows above, backward arrows below.

    ``stages`` lists ``(name, description)`` boxes (the first is the input,
    the last the loss); ``gradients`` has one label per arrow between
    consecutive boxes, written under the backward (red) arrow that carries it;
    ``values`` (optional) likewise labels the forward (blue) arrows from above.
    """
    arrows = len(stages) - 1
    if len(gradients) != arrows or (values is not None and len(values) != arrows):
        raise ValueError(f"need one label per arrow ({arrows}), got {len(gradients)} gradients, values {values!r}")
    width, gap = 2.0, 1.3
    fig, ax = plt.subplots(figsize=(len(stages) * (width + gap) / 1.5, 2.6))
    for i, (name, text) in enumerate(stages):
        left = i * (width + gap)
        ax.add_patch(
            FancyBboxPatch((left, -0.6), width, 1.2, boxstyle="round,pad=0.05", facecolor="#eef3fb", edgecolor="black")
        )
        ax.text(left + width / 2, 0.2, name, ha="center", va="center", fontsize=10, weight="bold")
        ax.text(left + width / 2, -0.25, text, ha="center", va="center", fontsize=8)
    for i, label in enumerate(gradients):
        start = i * (width + gap) + width
        end = start + gap
        ax.add_patch(
            FancyArrowPatch((start, 0.3), (end, 0.3), arrowstyle="-|>", mutation_scale=12, color=FORWARD_COLOUR)
        )
        ax.add_patch(
            FancyArrowPatch((end, -0.3), (start, -0.3), arrowstyle="-|>", mutation_scale=12, color=BACKWARD_COLOUR)
        )
        ax.text((start + end) / 2, -0.75, label, ha="center", va="top", fontsize=8, color=BACKWARD_COLOUR)
        if values is not None:
            ax.text((start + end) / 2, 0.75, values[i], ha="center", va="bottom", fontsize=8, color=FORWARD_COLOUR)
    ax.text(0, 1.25, "forward: values (blue, above)   backward: gradients (red, below)", fontsize=9, va="bottom")
    ax.set_xlim(-0.3, len(stages) * (width + gap) - gap + 0.3)
    ax.set_ylim(-1.3, 1.6)
    ax.axis("off")
    fig.tight_layout()
    return fig
