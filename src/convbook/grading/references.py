"""PyTorch references on NumPy arrays, for the expected side of every check (grader side only)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

_ndarray = np.ndarray
_array = np.array
_isinstance = isinstance


def _tensor(value: Any) -> Any:
    import torch

    return torch.from_numpy(_array(value, copy=True)) if _isinstance(value, _ndarray) else value


def _torch_corr1d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    import torch.nn.functional as F

    return F.conv1d(_tensor(x)[None, None], _tensor(w)[None, None])[0, 0].numpy()


def _torch_convolve1d(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    import torch.nn.functional as F

    kernel = _tensor(w).flip(0)[None, None]
    return F.conv1d(_tensor(x)[None, None], kernel, padding=len(w) - 1)[0, 0].numpy()


def _torch_corr2d(X: np.ndarray, K: np.ndarray) -> np.ndarray:
    import torch.nn.functional as F

    return F.conv2d(_tensor(X)[None, None], _tensor(K)[None, None])[0, 0].numpy()


def _torch_conv_output_size(
    input_size: Any, kernel_size: Any, stride: Any = 1, padding: Any = 0, dilation: Any = 1
) -> Any:
    """The output size torch's conv actually produces (on a zero input of that size)."""
    import torch
    import torch.nn.functional as F

    params = (input_size, kernel_size, stride, padding, dilation)
    lengths = [len(p) for p in params if not _isinstance(p, int)]
    scalar = not lengths
    n = 1 if scalar else lengths[0]

    def per_dim(v: Any) -> tuple:
        return (v,) * n if _isinstance(v, int) else tuple(v)

    sizes = per_dim(input_size)

    conv = {1: F.conv1d, 2: F.conv2d, 3: F.conv3d}[n]
    out = conv(
        torch.zeros((1, 1, *sizes)),
        torch.zeros((1, 1, *per_dim(kernel_size))),
        stride=per_dim(stride),
        padding=per_dim(padding),
        dilation=per_dim(dilation),
    )
    result = tuple(int(v) for v in out.shape[2:])
    return result[0] if scalar else result


_SPECIAL_REFERENCES = {
    "corr1d": _torch_corr1d,
    "convolve1d": _torch_convolve1d,
    "corr2d": _torch_corr2d,
    "conv_output_size": _torch_conv_output_size,
}


def torch_reference(name: str) -> Callable:
    """A torch reference on NumPy arrays: ``torch.nn.functional.<name>``, or one of
    ``corr1d``, ``convolve1d``, ``corr2d`` (one channel, valid/full) and ``conv_output_size``."""
    if name in _SPECIAL_REFERENCES:
        return _SPECIAL_REFERENCES[name]
    import torch.nn.functional as F

    torch_fn = getattr(F, name)

    def reference(*args: Any, **kwargs: Any) -> np.ndarray:
        import warnings

        with warnings.catch_warnings():  # torch's performance notes would show as errors in nbgrader
            warnings.simplefilter("ignore")
            out = torch_fn(*[_tensor(a) for a in args], **{k: _tensor(v) for k, v in kwargs.items()})
        return out.numpy()

    reference.__name__ = f"torch.nn.functional.{name}"
    return reference
