"""Sliding-window animations of 1D and 2D cross-correlation.

Every value drawn comes from :func:`convbook.functional.conv1d` or
:func:`convbook.functional.conv2d`: :func:`output_states` returns what the
output looks like after each frame (NaN where the kernel has not been yet),
and the animations only draw those states, so a frame cannot disagree with
the functional the tests check.

``conv_arithmetic(case)`` draws the classic cases (no padding, same, full,
strided, dilated) in the style of Dumoulin and Visin's *A guide to
convolution arithmetic*.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from IPython.display import Image
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from ..functional import conv1d, conv2d, pad
from ..shapes import conv_output_size
from .animation import FIXED_TITLES, to_gif
from .grids import OUTPUT_COLOUR, PAD_COLOUR, WINDOW_COLOUR, format_value

#: The classic cases of the convolution-arithmetic guide: input size, kernel size, stride, padding, dilation.
CASES: dict[str, dict[str, int]] = {
    "no padding": {"size": 5, "kernel": 3, "stride": 1, "padding": 0, "dilation": 1},
    "same": {"size": 5, "kernel": 3, "stride": 1, "padding": 1, "dilation": 1},
    "full": {"size": 4, "kernel": 3, "stride": 1, "padding": 2, "dilation": 1},
    "strided": {"size": 5, "kernel": 3, "stride": 2, "padding": 1, "dilation": 1},
    "dilated": {"size": 7, "kernel": 3, "stride": 1, "padding": 0, "dilation": 2},
}


def _pair(value: int | tuple[int, int]) -> tuple[int, int]:
    return (value, value) if isinstance(value, int) else tuple(value)


def _as_rows(x: np.ndarray, w: np.ndarray, stride: int, padding: int, dilation: int):
    """1D problems become one-row 2D problems (no padding, stride or dilation along rows)."""
    x, w = np.asarray(x), np.asarray(w)
    if x.ndim == 1 and w.ndim == 1:
        return x[None, :], w[None, :], (1, stride), (0, padding), (1, dilation)
    if x.ndim == 2 and w.ndim == 2:
        return x, w, _pair(stride), _pair(padding), _pair(dilation)
    raise ValueError(f"x and w must both be 1D or both be 2D, got shapes {x.shape} and {w.shape}")


def conv_output(x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1) -> np.ndarray:
    """Single-channel cross-correlation of a 1D or 2D ``x`` with ``w``, by ``convbook.functional``."""
    x, w = np.asarray(x), np.asarray(w)
    op = {1: conv1d, 2: conv2d}.get(x.ndim)
    if op is None or w.ndim != x.ndim:
        raise ValueError(f"x and w must both be 1D or both be 2D, got shapes {x.shape} and {w.shape}")
    return op(x[None, None], w[None, None], stride=stride, padding=padding, dilation=dilation)[0, 0]


def output_states(
    x: np.ndarray, w: np.ndarray, stride: int = 1, padding: int = 0, dilation: int = 1
) -> list[np.ndarray]:
    """The output after each frame of the animation, as float arrays.

    Frame ``i`` holds the first ``i + 1`` outputs in row-major order (the
    order the kernel visits them) and NaN elsewhere; the last frame equals
    :func:`conv_output`.
    """
    y = conv_output(x, w, stride, padding, dilation).astype(float)
    current = np.full(y.shape, np.nan)
    states = []
    for index in np.ndindex(y.shape):
        current[index] = y[index]
        states.append(current.copy())
    return states


def window_cells(
    index: tuple[int, ...], kernel_shape: tuple[int, ...], stride: int = 1, dilation: int = 1
) -> list[tuple[int, ...]]:
    """Cells of the padded input that output ``index`` reads, one per kernel entry (row-major).

    Works in any number of dimensions: cell = ``index * stride + kernel_offset * dilation``.
    """
    n = len(index)
    s = (stride,) * n if isinstance(stride, int) else tuple(stride)
    d = (dilation,) * n if isinstance(dilation, int) else tuple(dilation)
    return [
        tuple(i * si + k * di for i, si, k, di in zip(index, s, offset, d, strict=True))
        for offset in np.ndindex(kernel_shape)
    ]


class _Board:
    """A grid of cells drawn once; each frame only changes colours and texts (fast to animate)."""

    def __init__(self, ax: Axes, shape: tuple[int, int], pad: tuple[int, int] = (0, 0)) -> None:
        rows, cols = shape
        self.ax, self.shape = ax, shape
        self.inside = np.zeros(shape, dtype=bool)
        self.inside[pad[0] : rows - pad[0], pad[1] : cols - pad[1]] = True
        self.cells, self.values, self.weights = {}, {}, {}
        for r in range(rows):
            for c in range(cols):
                self.cells[r, c] = ax.add_patch(Rectangle((c, r), 1, 1, edgecolor="black", linewidth=0.6))
                self.values[r, c] = ax.text(c + 0.5, r + 0.45, "", ha="center", va="center", fontsize=9)
                self.weights[r, c] = ax.text(
                    c + 0.95, r + 0.92, "", ha="right", va="bottom", fontsize=6, color=WINDOW_COLOUR
                )
        ax.set_xlim(0, cols)
        ax.set_ylim(rows, 0)
        ax.set_aspect("equal")
        ax.axis("off")

    def show(
        self,
        values: np.ndarray,
        title: str = "",
        window: list[tuple[int, int]] | None = None,
        weights: np.ndarray | None = None,
        current: tuple[int, int] | None = None,
        show_values: bool = True,
    ) -> None:
        """Padding grey, window cells red with their weights, computed outputs blue, ``current`` outlined."""
        window = window or []
        flat_weights = {} if weights is None else dict(zip(window, np.asarray(weights).ravel(), strict=False))
        for (r, c), cell in self.cells.items():
            v = values[r, c]
            face = "white" if self.inside[r, c] else PAD_COLOUR
            if (r, c) in flat_weights:
                face = "#f4b6b6"
            elif current is not None and not np.isnan(v):
                face = "#c6dbef"
            edge, width = ("black", 0.6)
            if (r, c) in flat_weights:
                edge, width = WINDOW_COLOUR, 1.8
            if (r, c) == current:
                edge, width = OUTPUT_COLOUR, 2.5
            cell.set_facecolor(face)
            cell.set_edgecolor(edge)
            cell.set_linewidth(width)
            cell.set_zorder(3 if width > 1 else 1)
            shown = show_values and not np.isnan(v) and (self.inside[r, c] or v != 0)
            self.values[r, c].set_text(format_value(v) if shown else "")
            self.weights[r, c].set_text(f"×{format_value(flat_weights[r, c])}" if (r, c) in flat_weights else "")
        self.ax.set_title(title, fontsize=9)


def sliding_window_gif(
    x: np.ndarray,
    w: np.ndarray,
    stride: int = 1,
    padding: int = 0,
    dilation: int = 1,
    title: str = "",
    show_values: bool = True,
    fps: float = 1.5,
    dpi: int = 70,
) -> Image:
    """Animate the kernel sliding over a 1D or 2D ``x`` while the output fills in (GIF ``Image``).

    Left/top: the zero-padded input, the cells the kernel reads in red with
    the weight each one is multiplied by. Right/bottom: the output so far
    (from :func:`output_states`), the entry being computed outlined in blue.
    """
    x2, w2, s, p, d = _as_rows(x, w, stride, padding, dilation)
    one_d = np.asarray(x).ndim == 1
    padded = pad(x2.astype(float), (p[1], p[1], p[0], p[0]))
    states = [st.reshape(-1, st.shape[-1]) for st in output_states(x, w, stride, padding, dilation)]
    out_shape = states[0].shape
    indices = list(np.ndindex(out_shape))
    with plt.rc_context(FIXED_TITLES):
        if one_d:
            width = 0.45 * (padded.shape[1] + 1)
            fig, (ax_in, ax_out) = plt.subplots(2, 1, figsize=(max(width, 4.0), 1.9))
        else:
            cols = padded.shape[1] + out_shape[1] + 1
            fig, (ax_in, ax_out) = plt.subplots(
                1,
                2,
                figsize=(0.42 * cols + 0.3, 0.42 * padded.shape[0] + 0.8),
                gridspec_kw={"width_ratios": [padded.shape[1], out_shape[1]]},
            )
    if title:
        fig.suptitle(title, fontsize=10)

    board_in, board_out = _Board(ax_in, padded.shape, p), _Board(ax_out, out_shape)

    def update(i: int) -> None:
        index = indices[i]
        cells = window_cells(index, w2.shape, s, d)
        board_in.show(padded, "input" + (" (padded)" if any(p) else ""), cells, w2, show_values=show_values)
        label = f"y[{index[1]}]" if one_d else f"y[{index[0]},{index[1]}]"
        value = format_value(states[i][index])
        board_out.show(states[i], f"output: {label} = {value}", current=index, show_values=show_values)

    return to_gif(fig, update, len(indices), fps=fps, dpi=dpi)


def conv_arithmetic_input(case: str) -> tuple[np.ndarray, np.ndarray, dict[str, int]]:
    """Input, kernel and parameters of one of :data:`CASES` (small integers, so values fit in cells)."""
    if case not in CASES:
        raise ValueError(f"case must be one of {sorted(CASES)}, got {case!r}")
    params = CASES[case]
    n, k = params["size"], params["kernel"]
    x = (np.arange(n * n).reshape(n, n) % 4).astype(np.int64)
    w = np.array([[1, 0, 1], [0, 1, 0], [1, 0, 1]], dtype=np.int64)[:k, :k]
    return x, w, params


def conv_arithmetic(case: str, dpi: int = 60) -> Image:
    """GIF of one classic case of convolution arithmetic: 'no padding', 'same', 'full', 'strided' or 'dilated'."""
    x, w, p = conv_arithmetic_input(case)
    out = conv_output_size(p["size"], p["kernel"], p["stride"], p["padding"], p["dilation"])
    title = (
        f"{case}: n={p['size']}, k={p['kernel']}, s={p['stride']}, p={p['padding']}, d={p['dilation']} → {out}×{out}"
    )
    return sliding_window_gif(
        x, w, stride=p["stride"], padding=p["padding"], dilation=p["dilation"], title=title, fps=2.0, dpi=dpi
    )
