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
from matplotlib.patches import Rectangle

from .. import functional as cbf
from .animation import FIXED_TITLES, to_gif
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


class _Sweep:
    """A figure of the input frames (top) and output volume (bottom) whose artists are updated in place."""

    def __init__(self, video: np.ndarray, kernel: np.ndarray) -> None:
        self.video, self.kernel = video, kernel
        self.states = list(sweep_states(video, kernel))
        final = self.states[-1][1]
        frames, h, w = video.shape
        with plt.rc_context(FIXED_TITLES):
            self.fig, axes = plt.subplots(
                2, frames, figsize=(0.32 * frames * (w + 1.5), 0.32 * 2 * (h + 2)), squeeze=False
            )
        self.fig.subplots_adjust(wspace=0.15, hspace=0.35)
        vmin, vmax = float(video.min()), float(video.max())
        self.inputs, self.windows = [], []
        for f, ax in enumerate(axes[0]):
            draw_grid(ax, video[f], f"frame {f}", vmin=vmin, vmax=vmax)
            self.inputs.append(ax)
            self.windows.append(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=WINDOW_COLOUR, linewidth=3)))
        self.outputs, self.images, self.texts, self.marks = [], [], [], []
        omin, omax = float(final.min()), float(final.max())
        for f, ax in enumerate(axes[1]):
            if f >= final.shape[0]:
                ax.axis("off")
                continue
            draw_grid(ax, np.zeros(final.shape[1:]), f"output depth {f}", cmap="Purples", show_values=False)
            image = ax.images[0]
            image.set_clim(omin, omax)
            self.images.append(image)
            self.texts.append(
                [
                    [ax.text(c + 0.5, r + 0.5, "", ha="center", va="center", fontsize=8) for c in range(final.shape[2])]
                    for r in range(final.shape[1])
                ]
            )
            self.marks.append(ax.add_patch(Rectangle((0, 0), 1, 1, fill=False, edgecolor=OUTPUT_COLOUR, linewidth=3)))

    def update(self, n: int) -> None:
        """Show the sweep after output position number ``n``."""
        (d, i, j), partial = self.states[n]
        k_d, k_h, k_w = self.kernel.shape
        for f, (ax, window) in enumerate(zip(self.inputs, self.windows)):
            inside = d <= f < d + k_d
            window.set_visible(inside)
            window.set_bounds(j, i, k_w, k_h)
            ax.images[0].set_cmap("Blues" if inside else "Greys")
            ax.set_title(f"frame {f}" + (f"  (kernel[{f - d}])" if inside else ""), fontsize=10)
        for f, (image, texts, mark) in enumerate(zip(self.images, self.texts, self.marks)):
            image.set_data(np.ma.masked_invalid(partial[f]))
            for r, row in enumerate(texts):
                for c, text in enumerate(row):
                    value = partial[f, r, c]
                    text.set_text(f"{value:g}" if np.isfinite(value) else "")
            mark.set_visible(f == d)
            mark.set_bounds(j, i, 1, 1)


def sweep_figure(video: np.ndarray, kernel: np.ndarray, step: int | None = None) -> Figure:
    """Static picture of the sweep at output position number ``step`` (default: the last one).

    Top row: the input frames, the ``kD`` frames under the kernel outlined in
    red; bottom row: the output volume computed so far by ``conv3d``.
    """
    sweep = _Sweep(np.asarray(video, dtype=float), np.asarray(kernel, dtype=float))
    sweep.update(len(sweep.states) - 1 if step is None else step)
    return sweep.fig


def sweep_gif(video: np.ndarray, kernel: np.ndarray, fps: float = 3.0, dpi: int = 60) -> Image:
    """GIF (``IPython.display.Image``) of ``kernel`` sweeping ``video``, one frame per output position."""
    sweep = _Sweep(np.asarray(video, dtype=float), np.asarray(kernel, dtype=float))
    return to_gif(sweep.fig, sweep.update, len(sweep.states), fps=fps, dpi=dpi)


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
