"""Numerical gradients by central differences, to check analytic gradients.

``numerical_gradient`` nudges one element at a time, which is slow (two calls
of ``f`` per element) and only accurate to about ``eps**2`` in theory and
``1e-9`` in practice on float64, but it needs no calculus, so it is the
referee for every backward pass in the book and in the exercises.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np


def numerical_gradient(f: Callable[[np.ndarray], object], x: np.ndarray, eps: float = 1e-6) -> np.ndarray:
    """Gradient of ``sum(f(x))`` at ``x`` by central differences, in float64.

    ``(f(x + eps e_i) - f(x - eps e_i)) / (2 eps)`` for every element ``i``;
    ``f`` may return a scalar or an array (its sum is differentiated).
    """
    x = np.array(x, dtype=np.float64)  # a copy we may nudge
    grad = np.empty_like(x)
    for i in np.ndindex(x.shape):
        original = x[i]
        x[i] = original + eps
        plus = float(np.sum(f(x)))
        x[i] = original - eps
        minus = float(np.sum(f(x)))
        x[i] = original
        grad[i] = (plus - minus) / (2 * eps)
    return grad


def max_gradient_error(
    f: Callable[..., np.ndarray],
    inputs: Sequence[np.ndarray],
    backward: Callable[..., np.ndarray | Sequence[np.ndarray]],
    eps: float = 1e-6,
    seed: int = 0,
) -> float:
    """Largest absolute difference between ``backward``'s gradients and numerical ones.

    ``f(*inputs)`` returns an array ``y``; a random ``grad_output`` ``g`` of
    its shape is drawn, ``backward(g, *inputs)`` must return the gradient of
    ``sum(f(*inputs) * g)`` with respect to each input (a tuple, or one array
    for one input). Everything runs in float64; a correct backward pass gives
    an error around ``1e-8`` or less.
    """
    inputs = [np.array(a, dtype=np.float64) for a in inputs]
    grad_output = np.random.default_rng(seed).standard_normal(np.shape(f(*inputs)))
    analytic = backward(grad_output, *inputs)
    if isinstance(analytic, np.ndarray):
        analytic = (analytic,)
    if len(analytic) != len(inputs):
        raise ValueError(f"backward returned {len(analytic)} gradients for {len(inputs)} inputs")
    error = 0.0
    for k, (x, grad) in enumerate(zip(inputs, analytic)):

        def loss(value, k=k):
            return np.sum(f(*inputs[:k], value, *inputs[k + 1 :]) * grad_output)

        numeric = numerical_gradient(loss, x, eps)
        if np.shape(grad) != numeric.shape:
            raise ValueError(f"gradient {k} has shape {np.shape(grad)}, but input {k} has shape {numeric.shape}")
        error = max(error, float(np.max(np.abs(numeric - grad), initial=0.0)))
    return error
