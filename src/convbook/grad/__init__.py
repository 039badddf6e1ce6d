"""Backward passes of the convolution, pooling and padding functionals.

Mirrors ``torch.nn.grad`` (``conv{1,2,3}d_input``, ``conv{1,2,3}d_weight``:
same names, parameters and defaults, plus ``padding='same'/'valid'`` and
unbatched input) and adds the gradients torch only computes inside autograd:
transposed convolution, bias, max/average pooling and padding. A numerical
gradient checker (central differences) referees them all.
"""

from .conv import (
    conv1d_input,
    conv1d_weight,
    conv2d_input,
    conv2d_weight,
    conv3d_input,
    conv3d_weight,
    conv_bias,
    conv_transpose1d_input,
    conv_transpose1d_weight,
    conv_transpose2d_input,
    conv_transpose2d_weight,
    conv_transpose3d_input,
    conv_transpose3d_weight,
)
from .numerical import max_gradient_error, numerical_gradient
from .padding import pad_backward
from .pooling import (
    avg_pool1d_backward,
    avg_pool2d_backward,
    avg_pool3d_backward,
    max_pool1d_backward,
    max_pool2d_backward,
    max_pool3d_backward,
)

__all__ = [
    "conv1d_input",
    "conv2d_input",
    "conv3d_input",
    "conv1d_weight",
    "conv2d_weight",
    "conv3d_weight",
    "conv_bias",
    "conv_transpose1d_input",
    "conv_transpose2d_input",
    "conv_transpose3d_input",
    "conv_transpose1d_weight",
    "conv_transpose2d_weight",
    "conv_transpose3d_weight",
    "max_pool1d_backward",
    "max_pool2d_backward",
    "max_pool3d_backward",
    "avg_pool1d_backward",
    "avg_pool2d_backward",
    "avg_pool3d_backward",
    "pad_backward",
    "numerical_gradient",
    "max_gradient_error",
]
