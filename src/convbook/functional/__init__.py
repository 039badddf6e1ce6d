"""NumPy mirrors of ``torch.nn.functional``'s convolution, pooling, padding and channel shuffle.

Same names, parameters, defaults, output shapes, values and dtypes as torch,
on ``numpy.ndarray`` inputs, batched ``(N, C, *spatial)`` or unbatched
``(C, *spatial)``.
"""

from .conv import conv1d, conv2d, conv3d
from .conv_transpose import conv_transpose1d, conv_transpose2d, conv_transpose3d
from .padding import pad
from .pooling import avg_pool1d, avg_pool2d, avg_pool3d, max_pool1d, max_pool2d, max_pool3d
from .shuffle import channel_shuffle
from .unpooling import max_unpool1d, max_unpool2d, max_unpool3d

__all__ = [
    "conv1d",
    "conv2d",
    "conv3d",
    "conv_transpose1d",
    "conv_transpose2d",
    "conv_transpose3d",
    "max_pool1d",
    "max_pool2d",
    "max_pool3d",
    "avg_pool1d",
    "avg_pool2d",
    "avg_pool3d",
    "max_unpool1d",
    "max_unpool2d",
    "max_unpool3d",
    "pad",
    "channel_shuffle",
]
