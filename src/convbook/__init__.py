"""convbook: the NumPy reference package of the convbook textbook.

``convbook.functional`` mirrors ``torch.nn.functional`` (convolution,
transposed convolution, pooling, unpooling, padding); ``convbook.grad``
mirrors ``torch.nn.grad`` and adds the backward passes of pooling and
padding; ``convbook.nn`` holds layer objects with forward and backward for
training a CNN in NumPy; ``convbook.shapes`` the output-size formulas;
``convbook.naive`` the loop versions the lessons read; ``convbook.viz`` the
book's figures; ``convbook.grading`` the autograder's helpers.
"""

from . import functional, grad, naive, nn, shapes

__version__ = "0.1.0"
__all__ = ["functional", "grad", "naive", "nn", "shapes"]
