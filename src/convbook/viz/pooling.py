"""Figures of pooling windows and of max unpooling.

Window positions come from :func:`convbook.shapes.pool_output_size` and the
values from :mod:`convbook.functional` (``max_pool2d``, ``avg_pool2d``,
``max_unpool2d``), so a figure shows what the functions compute.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from ..functional import avg_pool2d, max_pool2d
from ..shapes import pool_output_size
from .grids import draw_grid

if TYPE_CHECKING:
    from IPython.display import Image


def pool2d(
    x: np.ndarray, kernel_size: int, stride: int | None = None, padding: int = 0, mode: str = "max", **kwargs: object
) -> np.ndarray:
    """``max_pool2d`` or ``avg_pool2d`` (``mode``) of a 2D array, returned as 2D."""
    function = {"max": max_pool2d, "avg": avg_pool2d}[mode]
    return function(np.asarray(x)[None, None], kernel_size, stride, padding, **kwargs)[0, 0]


def windows(
    in_size: int, kernel_size: int, stride: int | None = None, padding: int = 0, ceil_mode: bool = False
) -> list[tuple[int, int]]:
    """``(start, stop)`` of each pooling window along one dimension, in padded coordinates.

    Coordinates count from the first padding cell, so window ``i`` starts at
    ``i * stride``; the count is :func:`convbook.shapes.pool_output_size`.
    """
    stride = kernel_size if stride is None else stride
    count = pool_output_size(in_size, kernel_size, stride, padding, ceil_mode=ceil_mode)
    return [(i * stride, i * stride + kernel_size) for i in range(count)]


def draw_pool_windows(
    x: np.ndarray,
    kernel_size: int,
    stride: int | None = None,
    padding: int = 0,
    mode: str = "max",
    cells: list[tuple[int, int]] | None = None,
    **kwargs: object,
) -> Figure:
    """One panel per chosen output cell: its window on the (padded) input, and the output with that cell marked.

    ``cells`` lists output positions to show (default: the corners of the output).
    Padding cells are drawn grey; the output is computed by convbook.
    """
    x = np.asarray(x, dtype=float)
    out = pool2d(x, kernel_size, stride, padding, mode, **kwargs)
    step = kernel_size if stride is None else stride
    padded = np.pad(x, padding)
    if cells is None:
        last_r, last_c = out.shape[0] - 1, out.shape[1] - 1
        cells = sorted({(0, 0), (0, last_c), (last_r, 0), (last_r, last_c)})
    fig, axes = plt.subplots(
        len(cells),
        2,
        figsize=(0.36 * (padded.shape[1] + out.shape[1] + 4), 0.36 * (padded.shape[0] + 2) * len(cells)),
        gridspec_kw={"width_ratios": [padded.shape[1], out.shape[1]]},
        squeeze=False,
    )
    for (ax_in, ax_out), (r, c) in zip(axes, cells, strict=False):
        window = (r * step, c * step, kernel_size, kernel_size)
        draw_grid(ax_in, padded, f"window of out[{r},{c}]", window=window, padding=padding)
        draw_grid(ax_out, out, f"{mode} pool", window=(r, c, 1, 1))
    fig.tight_layout()
    return fig


def window_frames(out_shape: tuple[int, int]) -> list[tuple[int, int]]:
    """The output cells in the order an animation visits them (row-major)."""
    return [(r, c) for r in range(out_shape[0]) for c in range(out_shape[1])]


def pool_animation(
    x: np.ndarray, kernel_size: int, stride: int | None = None, padding: int = 0, mode: str = "max", dpi: int = 70
) -> Image:
    """A GIF that slides the pooling window and fills in the output cell by cell."""
    from .animation import to_gif

    x = np.asarray(x, dtype=float)
    out = pool2d(x, kernel_size, stride, padding, mode)
    step = kernel_size if stride is None else stride
    padded = np.pad(x, padding)
    order = window_frames(out.shape)
    fig, (ax_in, ax_out) = plt.subplots(
        1,
        2,
        figsize=(0.4 * (padded.shape[1] + out.shape[1] + 4), 0.4 * (padded.shape[0] + 3)),
        gridspec_kw={"width_ratios": [padded.shape[1], out.shape[1]]},
    )
    vmin, vmax = float(out.min()), float(out.max())

    def update(i: int) -> None:
        r, c = order[i]
        shown = np.full(out.shape, np.nan)
        for rr, cc in order[: i + 1]:
            shown[rr, cc] = out[rr, cc]
        ax_in.clear()
        ax_out.clear()
        draw_grid(ax_in, padded, "input", window=(r * step, c * step, kernel_size, kernel_size), padding=padding)
        draw_grid(
            ax_out, np.nan_to_num(shown), f"{mode} pool", window=(r, c, 1, 1), vmin=vmin, vmax=vmax, show_values=False
        )
        for rr, cc in order[: i + 1]:
            ax_out.text(cc + 0.5, rr + 0.5, f"{out[rr, cc]:g}", ha="center", va="center", fontsize=9)

    return to_gif(fig, update, len(order), fps=1.5, dpi=dpi)


def draw_unpool(
    x: np.ndarray, pooled: np.ndarray, indices: np.ndarray, unpooled: np.ndarray, as_images: bool = False
) -> Figure:
    """Input, max-pooled values, and the unpooled result, with each kept maximum marked.

    ``indices`` are the flat positions returned by ``max_pool2d(..., return_indices=True)``;
    the marked cells are ``divmod(index, width)``. With ``as_images`` the arrays
    are drawn as images (for large inputs) and the maxima as dots.
    """
    x, pooled, unpooled = (np.asarray(a, dtype=float) for a in (x, pooled, unpooled))
    width = x.shape[1]
    rows, cols = np.divmod(np.asarray(indices).ravel(), width)
    fig, axes = plt.subplots(
        1,
        3,
        figsize=(10, 3.6) if as_images else (0.36 * (2 * width + pooled.shape[1] + 6), 0.36 * (x.shape[0] + 2)),
        gridspec_kw={"width_ratios": [width, pooled.shape[1], unpooled.shape[1]]},
    )
    titles = ["input", "max_pool2d", "max_unpool2d"]
    for ax, a, title in zip(axes, (x, pooled, unpooled), titles, strict=False):
        if as_images:
            ax.imshow(a, cmap="gray")
            ax.set_title(f"{title} {a.shape[0]}x{a.shape[1]}", fontsize=10)
            ax.set_xticks([])
            ax.set_yticks([])
        else:
            draw_grid(ax, a, title)
    for ax in (axes[0], axes[2]):
        if as_images:
            ax.plot(cols, rows, ".", color="tab:red", markersize=2)
        else:
            for r, c in zip(rows, cols, strict=False):
                ax.add_patch(plt.Rectangle((c, r), 1, 1, fill=False, edgecolor="tab:red", linewidth=2.5))
    fig.tight_layout()
    return fig
