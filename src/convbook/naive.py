"""Loop versions of the operations, written to be read, not to be fast.

The lessons print these functions. Each is tested against the vectorised
code in :mod:`convbook.functional` (or NumPy), so the short version a
reader studies computes exactly what the fast one does.
"""

from __future__ import annotations

import numpy as np


def convolve1d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """True ("full") 1D convolution ``y[n] = sum_k x[k] * w[n - k]``.

    The kernel is flipped as it slides. Equals ``np.convolve(x, w, 'full')``.
    """
    y = np.zeros(len(x) + len(w) - 1, dtype=np.result_type(x, w))
    for n in range(len(y)):
        for k in range(len(x)):
            if 0 <= n - k < len(w):
                y[n] += x[k] * w[n - k]
    return y


def corr1d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Valid 1D cross-correlation ``y[i] = sum_j x[i + j] * w[j]`` (no flip).

    This is what ``conv1d`` computes for one channel.
    """
    y = np.zeros(len(x) - len(w) + 1, dtype=np.result_type(x, w))
    for i in range(len(y)):
        y[i] = (x[i : i + len(w)] * w).sum()
    return y


def corr2d(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Valid 2D cross-correlation of a matrix with a kernel (one channel)."""
    h, w = K.shape
    Y = np.zeros((X.shape[0] - h + 1, X.shape[1] - w + 1), dtype=np.result_type(X, K))
    for i in range(Y.shape[0]):
        for j in range(Y.shape[1]):
            Y[i, j] = (X[i : i + h, j : j + w] * K).sum()
    return Y


def corr2d_multi_in(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """Cross-correlate ``(C_in, H, W)`` with ``(C_in, kH, kW)`` and sum over channels."""
    return sum(corr2d(x, k) for x, k in zip(X, K))


def corr2d_multi_in_out(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    """One output channel per filter: ``(C_in, H, W)`` with ``(C_out, C_in, kH, kW)``."""
    return np.stack([corr2d_multi_in(X, k) for k in K])
