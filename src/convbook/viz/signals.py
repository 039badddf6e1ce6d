"""1D signals for the first chapter: a noisy position sensor and stem plots.

``sensor_data`` generates (with a seeded NumPy generator, no downloads) the
spaceship-position measurements that chapter 1 smooths; ``plot_signals``
draws continuous-looking curves on one axis and ``stem_signals`` draws
discrete sequences (a signal, a kernel, an output) one above the other.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure


def sensor_data(
    seed: int = 0, n: int = 200, dt: float = 0.05, noise: float = 1.5
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(t, true_position, measured_position)`` of a spaceship accelerating away, measured with noise.

    The true position is a smooth curve; each measurement adds independent
    Gaussian noise with standard deviation ``noise``.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(n) * dt
    truth = 2.0 * t + 0.3 * t**2 + 1.5 * np.sin(0.8 * t)
    return t, truth, truth + rng.normal(scale=noise, size=n)


def plot_signals(t: np.ndarray, series: dict[str, np.ndarray], title: str = "", xlabel: str = "time t") -> Figure:
    """One line per named series against ``t``; a series named ``measured`` is drawn as faint dots."""
    fig, ax = plt.subplots(figsize=(7, 3))
    for name, values in series.items():
        if name.startswith("measured"):
            ax.plot(t[: len(values)], values, ".", markersize=3, alpha=0.5, label=name)
        else:
            ax.plot(t[: len(values)], values, linewidth=2, label=name)
    ax.set_xlabel(xlabel)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title, fontsize=10)
    fig.tight_layout()
    return fig


def stem_signals(series: dict[str, np.ndarray], title: str = "") -> Figure:
    """Discrete sequences as stem plots, one axis per named sequence, indices on the x axis."""
    fig, axes = plt.subplots(len(series), 1, figsize=(7, 1.6 * len(series)), squeeze=False)
    for ax, (name, values) in zip(axes[:, 0], series.items(), strict=True):
        values = np.asarray(values)
        ax.stem(np.arange(len(values)), values, basefmt="k-")
        ax.set_ylabel(name)
        ax.set_xlim(-0.5, max(len(v) for v in series.values()) - 0.5)
    if title:
        axes[0, 0].set_title(title, fontsize=10)
    fig.tight_layout()
    return fig
