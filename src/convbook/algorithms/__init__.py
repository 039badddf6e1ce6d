"""One convolution layer computed five ways, each checked against torch.

The book's chapter 12 times and measures these side by side. Every function
takes torch's arguments (``input, weight, bias, stride, padding, dilation,
groups``, batched or unbatched input), refuses what torch refuses, and
returns what ``torch.nn.functional.conv2d`` (or ``conv1d``) returns:

- :mod:`.naive`: seven nested Python loops, one multiply-add at a time;
- :mod:`.offsets`: a loop over kernel offsets, one matrix product per offset
  over all pixels (the design :mod:`convbook.functional` grew from);
- :mod:`.im2col`: every receptive field copied into a column, then one
  matrix product (``im2col`` mirrors ``torch.nn.functional.unfold``);
- :mod:`.fft`: the convolution theorem, products of spectra from ``np.fft``;
- :mod:`.winograd`: Winograd's minimal filtering F(2,3) and F(2x2,3x3), with
  multiplication counts.

They compute in floating point (float16, float32, float64); integer input
raises a ``TypeError`` (``convbook.functional`` takes it).
"""

from .fft import conv1d_fft, conv2d_fft
from .im2col import conv2d_im2col, im2col
from .naive import conv2d_naive
from .offsets import conv2d_offsets
from .winograd import (
    conv1d_winograd,
    conv2d_winograd,
    direct_tile,
    winograd_matrices,
    winograd_multiplications,
    winograd_tile,
)

__all__ = [
    "conv1d_fft",
    "conv1d_winograd",
    "conv2d_fft",
    "conv2d_im2col",
    "conv2d_naive",
    "conv2d_offsets",
    "conv2d_winograd",
    "direct_tile",
    "im2col",
    "winograd_matrices",
    "winograd_multiplications",
    "winograd_tile",
]
