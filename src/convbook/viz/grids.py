"""Matrices drawn as grids of cells: the primitive behind most figures.

``draw_grid`` shows a 2D array as coloured cells with their values written in
them, and can outline a window of cells (the kernel's current position) and
shade padding cells. Figures in the book combine several grids on one row
(input, kernel, output) with ``grid_row``.
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

WINDOW_COLOUR = "tab:red"
OUTPUT_COLOUR = "tab:blue"
PAD_COLOUR = "#e8e8e8"


def format_value(value: float) -> str:
    """Short text for a cell: integers as integers, floats with two decimals."""
    if float(value).is_integer():
        return str(int(value))
    return f"{value:.2f}"


def draw_grid(
    ax: Axes,
    values: np.ndarray,
    title: str = "",
    window: tuple[int, int, int, int] | None = None,
    window_colour: str = WINDOW_COLOUR,
    padding: int | tuple[int, int] = 0,
    cmap: str = "Blues",
    show_values: bool = True,
    vmin: float | None = None,
    vmax: float | None = None,
) -> Axes:
    """Draw ``values`` (2D) as a grid of cells on ``ax``.

    ``window`` is ``(row, col, height, width)`` in cell units, outlined with
    ``window_colour``. ``padding`` (per side, rows and columns) marks that many
    border cells as padding: grey, values hidden when zero.
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"draw_grid draws 2D arrays, got shape {values.shape}")
    pad_r, pad_c = (padding, padding) if isinstance(padding, int) else padding
    rows, cols = values.shape
    ax.imshow(values, cmap=cmap, vmin=vmin, vmax=vmax, extent=(0, cols, rows, 0))
    inside = np.zeros(values.shape, dtype=bool)
    inside[pad_r : rows - pad_r, pad_c : cols - pad_c] = True
    for r in range(rows):
        for c in range(cols):
            if not inside[r, c]:
                ax.add_patch(Rectangle((c, r), 1, 1, facecolor=PAD_COLOUR, edgecolor="none"))
            if show_values and (inside[r, c] or values[r, c] != 0):
                ax.text(c + 0.5, r + 0.5, format_value(values[r, c]), ha="center", va="center", fontsize=9)
    ax.set_xticks(np.arange(cols + 1))
    ax.set_yticks(np.arange(rows + 1))
    ax.grid(color="black", linewidth=0.6)
    ax.tick_params(length=0, labelbottom=False, labelleft=False)
    ax.set_xlim(0, cols)
    ax.set_ylim(rows, 0)
    if window is not None:
        r, c, h, w = window
        ax.add_patch(Rectangle((c, r), w, h, fill=False, edgecolor=window_colour, linewidth=3))
    if title:
        ax.set_title(title, fontsize=10)
    return ax


def grid_row(
    arrays: Sequence[np.ndarray], titles: Sequence[str], cell_inches: float = 0.35
) -> tuple[Figure, list[Axes]]:
    """A figure with one grid per array, side by side, sized to the cells."""
    widths = [np.asarray(a).shape[1] for a in arrays]
    height = max(np.asarray(a).shape[0] for a in arrays)
    fig, axes = plt.subplots(
        1,
        len(arrays),
        figsize=(cell_inches * (sum(widths) + 2 * len(arrays)), cell_inches * (height + 2)),
        gridspec_kw={"width_ratios": widths},
    )
    axes = list(np.atleast_1d(axes))
    for ax, a, t in zip(axes, arrays, titles):
        draw_grid(ax, a, t)
    return fig, axes


def image_grid(
    images: Sequence[np.ndarray], titles: Sequence[str] | None = None, columns: int = 4, cmap: str = "gray"
) -> Figure:
    """Feature maps or filters as a grid of small images (no values written)."""
    count = len(images)
    rows = -(-count // columns)
    fig, axes = plt.subplots(rows, columns, figsize=(2.2 * columns, 2.2 * rows), squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.axis("off")
        if i < count:
            ax.imshow(images[i], cmap=cmap)
            if titles is not None:
                ax.set_title(titles[i], fontsize=9)
    fig.tight_layout()
    return fig
