"""convbook: the NumPy reference package of the convbook textbook.

``convbook.functional`` mirrors ``torch.nn.functional`` (convolution,
transposed convolution, pooling, unpooling, padding); ``convbook.shapes``
holds the output-size formulas; ``convbook.naive`` the loop versions the
lessons read.
"""

from . import functional, naive, shapes

__version__ = "0.1.0"
__all__ = ["functional", "naive", "shapes"]
