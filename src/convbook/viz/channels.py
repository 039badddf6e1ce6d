"""Figures about channels: summing over input channels, groups, and which inputs feed which outputs.

The pictures are drawn from arrays that :mod:`convbook.functional` computes
(the per-channel partial sums, the connectivity found by probing a layer with
unit impulses), so a figure cannot disagree with the operation it shows.
"""

from __future__ import annotations

from collections.abc import Callable

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure

from .. import functional as cbf
from .grids import draw_grid


def channel_partials(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Per-input-channel cross-correlations of ``x`` ``(C_in, H, W)`` with one filter ``(C_in, kH, kW)``.

    Returns ``(C_in, H', W')``; their sum over axis 0 is ``conv2d`` with that filter.
    """
    x = np.asarray(x)
    weight = np.asarray(weight)
    return np.stack([cbf.conv2d(x[c : c + 1], weight[None, c : c + 1])[0] for c in range(x.shape[0])])


def multi_in_figure(x: np.ndarray, weight: np.ndarray, cell_inches: float = 0.32) -> Figure:
    """One row per input channel (input, kernel slice, partial result) and the summed output.

    ``x`` is ``(C_in, H, W)``, ``weight`` one filter ``(C_in, kH, kW)``. The
    output panel is ``conv2d(x, weight[None])``, drawn next to the partials it sums.
    """
    x = np.asarray(x)
    weight = np.asarray(weight)
    partials = channel_partials(x, weight)
    out = cbf.conv2d(x[None], weight[None])[0, 0]
    c_in, h, w = x.shape
    kh, kw = weight.shape[1:]
    oh, ow = out.shape
    widths = [w, kw, ow, ow]
    fig, axes = plt.subplots(
        c_in,
        4,
        figsize=(cell_inches * (sum(widths) + 10), cell_inches * c_in * (h + 2)),
        gridspec_kw={"width_ratios": widths},
        squeeze=False,
    )
    for c in range(c_in):
        draw_grid(axes[c, 0], x[c], f"input channel {c}")
        draw_grid(axes[c, 1], weight[c], f"kernel[{c}]", cmap="Oranges")
        draw_grid(axes[c, 2], partials[c], f"channel {c} alone", cmap="Greens")
        axes[c, 3].axis("off")
    mid = c_in // 2
    axes[mid, 3].axis("on")
    draw_grid(axes[mid, 3], out, "sum = output", cmap="Purples")
    fig.tight_layout()
    return fig


def connectivity(layer: Callable[[np.ndarray], np.ndarray], in_channels: int, size: int = 3) -> np.ndarray:
    """Which output channels respond to which input channels: a ``(C_out, C_in)`` 0/1 matrix.

    ``layer`` maps a ``(1, C_in, size, size)`` array to ``(1, C_out, ...)``
    (for example ``lambda x: cbf.conv2d(x, w, groups=3)`` with positive ``w``);
    input channel ``i`` is probed with ones on that channel only.
    """
    columns = []
    for i in range(in_channels):
        probe = np.zeros((1, in_channels, size, size))
        probe[0, i] = 1.0
        out = np.asarray(layer(probe))[0]
        columns.append(np.abs(out).reshape(out.shape[0], -1).sum(axis=1) > 0)
    return np.stack(columns, axis=1).astype(int)


def connection_figure(matrix: np.ndarray, title: str = "", ax: plt.Axes | None = None) -> Figure:
    """Draw a ``(C_out, C_in)`` connectivity matrix as lines from input to output channels."""
    matrix = np.asarray(matrix)
    c_out, c_in = matrix.shape
    if ax is None:
        fig, ax = plt.subplots(figsize=(4.2, 0.32 * max(c_in, c_out) + 1.0))
    else:
        fig = ax.figure
    y_in = np.linspace(0, 1, c_in)[::-1]
    y_out = np.linspace(0, 1, c_out)[::-1] if c_out > 1 else np.array([0.5])
    colours = plt.get_cmap("tab10")
    for o in range(c_out):
        for i in range(c_in):
            if matrix[o, i]:
                ax.plot([0, 1], [y_in[i], y_out[o]], color=colours(o % 10), linewidth=1.2, alpha=0.8)
    ax.scatter(np.zeros(c_in), y_in, s=60, color="black", zorder=3)
    ax.scatter(np.ones(c_out), y_out, s=60, color=[colours(o % 10) for o in range(c_out)], zorder=3)
    for i in range(c_in):
        ax.text(-0.06, y_in[i], f"in {i}", ha="right", va="center", fontsize=8)
    for o in range(c_out):
        ax.text(1.06, y_out[o], f"out {o}", ha="left", va="center", fontsize=8)
    ax.set_xlim(-0.35, 1.35)
    ax.set_ylim(-0.08, 1.08)
    ax.axis("off")
    if title:
        ax.set_title(title, fontsize=10)
    return fig


def dependency_figure(matrix: np.ndarray, title: str = "", ax: plt.Axes | None = None) -> Figure:
    """Draw a ``(outputs, inputs)`` 0/1 dependency matrix: which input steps each output step reads."""
    matrix = np.asarray(matrix)
    if ax is None:
        fig, ax = plt.subplots(figsize=(0.35 * matrix.shape[1] + 1.2, 0.35 * matrix.shape[0] + 1.0))
    else:
        fig = ax.figure
    draw_grid(ax, matrix, title, cmap="Greys", show_values=False, vmin=0, vmax=1.6)
    ax.tick_params(labelbottom=True, labelleft=True)
    ax.set_xticks(np.arange(matrix.shape[1]) + 0.5, minor=True)
    ax.set_yticks(np.arange(matrix.shape[0]) + 0.5, minor=True)
    ax.set_xticklabels([str(i) for i in range(matrix.shape[1])], minor=True, fontsize=7)
    ax.set_yticklabels([str(i) for i in range(matrix.shape[0])], minor=True, fontsize=7)
    ax.set_xticklabels([])
    ax.set_yticklabels([])
    ax.tick_params(which="minor", length=0)
    ax.set_xlabel("input step s")
    ax.set_ylabel("output step t")
    return fig


def time_dependency(layer: Callable[[np.ndarray], np.ndarray], channels: int, length: int) -> np.ndarray:
    """``(L_out, length)`` 0/1 matrix: output step ``t`` changes when input step ``s`` is perturbed.

    ``layer`` maps ``(1, channels, length)`` to ``(1, C_out, L_out)``; each
    input step is probed with a unit impulse on all channels.
    """
    base = np.asarray(layer(np.zeros((1, channels, length))))[0]
    columns = []
    for s in range(length):
        probe = np.zeros((1, channels, length))
        probe[0, :, s] = 1.0
        diff = np.abs(np.asarray(layer(probe))[0] - base).sum(axis=0)
        columns.append(diff > 1e-12)
    return np.stack(columns, axis=1).astype(int)
