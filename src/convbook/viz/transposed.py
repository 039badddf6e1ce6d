"""Figures of transposed convolution as scatter-add: every input value stamps the kernel.

The stamps are computed by :func:`convbook.functional.conv_transpose2d` itself,
applied to a one-hot input (one input value kept, the others zeroed), so the
sum of the stamps drawn is exactly the output the functional returns.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..functional import conv_transpose2d
from .grids import draw_grid

if TYPE_CHECKING:
    from IPython.display import Image


def stamps(
    x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1
) -> list[tuple[tuple[int, int], np.ndarray]]:
    """One ``((row, col), stamp)`` per input value of the 2D array ``x``.

    ``stamp`` is ``conv_transpose2d`` of ``x`` with every other value zeroed:
    the kernel ``w`` (2D) scaled by ``x[row, col]`` and placed at
    ``(row * stride - padding, col * stride - padding)`` in the output.
    """
    x = np.asarray(x)
    w = np.asarray(w)
    result = []
    for r in range(x.shape[0]):
        for c in range(x.shape[1]):
            one = np.zeros_like(x)
            one[r, c] = x[r, c]
            out = conv_transpose2d(one[None, None], w[None, None], stride=stride, padding=padding, dilation=dilation)
            result.append(((r, c), out[0, 0]))
    return result


def draw_stamps(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1) -> Figure:
    """Input, kernel, one panel per stamp, and their sum (= ``conv_transpose2d``).

    Each stamp panel outlines, in red, where the scaled kernel lands.
    """
    x = np.asarray(x)
    w = np.asarray(w)
    parts = stamps(x, w, stride, padding, dilation)
    total = conv_transpose2d(x[None, None], w[None, None], stride=stride, padding=padding, dilation=dilation)[0, 0]
    panels = len(parts) + 3
    columns = min(panels, 4 + (len(parts) > 4))
    rows = -(-panels // columns)
    size = max(total.shape)
    fig, axes = plt.subplots(rows, columns, figsize=(0.32 * (size + 2) * columns, 0.32 * (size + 3) * rows))
    axes = list(np.atleast_1d(axes).flat)
    vmax = float(np.abs(total).max()) or 1.0
    draw_grid(axes[0], x, "input x")
    draw_grid(axes[1], w, "kernel w", cmap="Oranges")
    span = dilation * (w.shape[0] - 1) + 1, dilation * (w.shape[1] - 1) + 1
    for ax, ((r, c), stamp) in zip(axes[2:], parts, strict=False):
        window = (r * stride - padding, c * stride - padding, span[0], span[1])
        draw_grid(ax, stamp, f"x[{r},{c}] = {x[r, c]:g} · w", window=window, vmin=0, vmax=vmax)
    draw_grid(axes[len(parts) + 2], total, "sum of stamps", vmin=0, vmax=vmax)
    for ax in axes[panels:]:
        ax.axis("off")
    fig.tight_layout()
    return fig


def stamp_frames(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0) -> list[np.ndarray]:
    """The running sum after each stamp: frame ``i`` adds the stamps of inputs ``0..i`` (row-major)."""
    running = []
    total = None
    for _, stamp in stamps(x, w, stride, padding):
        total = stamp.copy() if total is None else total + stamp
        running.append(total.copy())
    return running


def stamp_animation(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0, dpi: int = 70) -> Image:
    """A GIF (``IPython.display.Image``) that adds the stamps one by one."""
    from .animation import to_gif

    x = np.asarray(x)
    w = np.asarray(w)
    frames = stamp_frames(x, w, stride, padding)
    vmax = float(np.abs(frames[-1]).max()) or 1.0
    size = frames[-1].shape
    fig, (ax_in, ax_out) = plt.subplots(
        1,
        2,
        figsize=(0.4 * (x.shape[1] + size[1] + 4), 0.4 * (max(size[0], x.shape[0]) + 3)),
        gridspec_kw={"width_ratios": [x.shape[1], size[1]]},
    )

    def update(i: int) -> None:
        r, c = divmod(i, x.shape[1])
        ax_in.clear()
        ax_out.clear()
        draw_grid(ax_in, x, "input", window=(r, c, 1, 1))
        window = (r * stride - padding, c * stride - padding, w.shape[0], w.shape[1])
        draw_grid(ax_out, frames[i], f"after stamp {i + 1}/{len(frames)}", window=window, vmin=0, vmax=vmax)

    return to_gif(fig, update, len(frames), fps=1.5, dpi=dpi)


def overlap_counts(size: int, kernel_size: int, stride: int, padding: int = 0) -> np.ndarray:
    """How many stamps cover each output pixel: ``conv_transpose2d`` of ones by ones."""
    ones = np.ones((1, 1, size, size))
    kernel = np.ones((1, 1, kernel_size, kernel_size))
    return conv_transpose2d(ones, kernel, stride=stride, padding=padding)[0, 0]


def draw_checkerboard(counts: dict[str, np.ndarray]) -> Figure:
    """Overlap counts side by side as images with a colour bar each (the checkerboard pattern)."""
    fig, axes = plt.subplots(1, len(counts), figsize=(3.4 * len(counts), 3.2))
    for ax, (title, image) in zip(np.atleast_1d(axes), counts.items(), strict=False):
        shown = ax.imshow(image, cmap="magma", vmin=0)
        ax.set_title(title, fontsize=10)
        ax.set_xticks([])
        ax.set_yticks([])
        fig.colorbar(shown, ax=ax, fraction=0.046)
    fig.tight_layout()
    return fig
