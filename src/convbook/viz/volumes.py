"""Figures and animations for 3D convolution: a kernel sweeping the frames of a clip.

The values shown are computed by :func:`convbook.functional.conv3d`, and the
animation reveals the output one position at a time, so every frame of the
GIF agrees with the function the tests check.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import functional as cbf
from .animation import to_gif
from .grids import OUTPUT_COLOUR, WINDOW_COLOUR, draw_grid

if TYPE_CHECKING:
    from IPython.display import Image


def sweep_states(video: np.ndarray, kernel: np.ndarray) -> Iterator[tuple[tuple[int, int, int], np.ndarray]]:
    """Yield ``((d, i, j), partial)`` for each output position of a one-channel 3D cross-correlation.

    ``video`` is ``(D, H, W)``, ``kernel`` ``(kD, kH, kW)``. ``partial`` is the
    output ``(D', H', W')`` with the positions computed so far filled in from
    ``conv3d`` and the rest ``NaN``; after the last yield it equals ``conv3d``.
    """
    out = cbf.conv3d(np.asarray(video, dtype=float)[None, None], np.asarray(kernel, dtype=float)[None, None])[0, 0]
    partial = np.full(out.shape, np.nan)
    for d in range(out.shape[0]):
        for i in range(out.shape[1]):
            for j in range(out.shape[2]):
                partial[d, i, j] = out[d, i, j]
                yield (d, i, j), partial.copy()


def _draw_state(
    axes: np.ndarray, video: np.ndarray, kernel: np.ndarray, position: tuple[int, int, int], partial: np.ndarray
) -> None:
    d, i, j = position
    k_d, k_h, k_w = kernel.shape
    vmin, vmax = float(video.min()), float(video.max())
    finite = partial[np.isfinite(partial)]
    omin, omax = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    for f, ax in enumerate(axes[0]):
        ax.clear()
        if f < video.shape[0]:
            inside = d <= f < d + k_d
            draw_grid(
                ax,
                video[f],
                f"frame {f}" + (f"  (kernel[{f - d}])" if inside else ""),
                window=(i, j, k_h, k_w) if inside else None,
                vmin=vmin,
                vmax=vmax,
                cmap="Blues" if inside else "Greys",
            )
        else:
            ax.axis("off")
    for f, ax in enumerate(axes[1]):
        ax.clear()
        if f < partial.shape[0]:
            shown = np.nan_to_num(partial[f], nan=0.0)
            draw_grid(
                ax,
                shown,
                f"output depth {f}",
                window=(i, j, 1, 1) if f == d else None,
                window_colour=OUTPUT_COLOUR,
                cmap="Purples",
                show_values=False,
                vmin=omin,
                vmax=omax,
            )
            for r in range(shown.shape[0]):
                for c in range(shown.shape[1]):
                    if np.isfinite(partial[f, r, c]):
                        ax.text(c + 0.5, r + 0.5, f"{partial[f, r, c]:g}", ha="center", va="center", fontsize=8)
        else:
            ax.axis("off")


def sweep_figure(video: np.ndarray, kernel: np.ndarray, step: int | None = None) -> Figure:
    """Static picture of the sweep at output position number ``step`` (default: the last one).

    Top row: the input frames, the ``kD`` frames under the kernel outlined in
    red; bottom row: the output volume computed so far by ``conv3d``.
    """
    video = np.asarray(video, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    states = list(sweep_states(video, kernel))
    position, partial = states[-1 if step is None else step]
    fig, axes = _sweep_axes(video)
    _draw_state(axes, video, kernel, position, partial)
    return fig


def _sweep_axes(video: np.ndarray):
    frames, h, w = video.shape
    fig, axes = plt.subplots(2, frames, figsize=(0.32 * frames * (w + 1.5), 0.32 * 2 * (h + 2)), squeeze=False)
    fig.subplots_adjust(wspace=0.15, hspace=0.35)
    return fig, axes


def sweep_gif(video: np.ndarray, kernel: np.ndarray, fps: float = 3.0, dpi: int = 60) -> Image:
    """GIF (``IPython.display.Image``) of ``kernel`` sweeping ``video``, one frame per output position."""
    video = np.asarray(video, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    states = list(sweep_states(video, kernel))
    fig, axes = _sweep_axes(video)

    def update(n: int) -> None:
        position, partial = states[n]
        _draw_state(axes, video, kernel, position, partial)

    return to_gif(fig, update, len(states), fps=fps, dpi=dpi)


def frames_figure(clip: np.ndarray, titles: list[str] | None = None, cmap: str = "gray") -> Figure:
    """Frames of a ``(D, H, W)`` clip (or ``(D, H, W, 3)`` RGB) side by side, one small image each."""
    clip = np.asarray(clip)
    fig, axes = plt.subplots(1, clip.shape[0], figsize=(1.7 * clip.shape[0], 1.9), squeeze=False)
    for f, ax in enumerate(axes[0]):
        ax.imshow(clip[f], cmap=cmap)
        ax.axis("off")
        ax.set_title(titles[f] if titles else f"frame {f}", fontsize=9)
    fig.tight_layout()
    return fig


__all__ = ["WINDOW_COLOUR", "frames_figure", "sweep_figure", "sweep_gif", "sweep_states"]
