"""Hypothesis strategies for the parameter space of convolution and pooling.

Ranges deliberately include invalid values (zero stride, negative padding,
too-large kernels, groups that do not divide the channels) so that the tests
check that convbook refuses exactly what torch refuses.
"""

from __future__ import annotations

import numpy as np
from hypothesis import strategies as st

LAYOUTS = ("contiguous", "transposed", "stepped", "reversed")


def int_or_tuple(n: int, low: int, high: int, single: bool = True):
    """An int, or a tuple of n ints (or, if ``single``, a 1-tuple, which torch expands)."""
    one = st.integers(low, high)
    options = [one, st.tuples(*[one] * n)] + ([st.tuples(one)] if single else [])
    return st.one_of(*options)


def make_array(seed: int, shape, dtype, layout: str) -> np.ndarray:
    """Random values of ``shape`` and ``dtype``, stored with the given memory layout.

    Non-contiguous layouts hold the same kind of values, only viewed
    differently: a swapped-axes copy swapped back, every other element of a
    larger array, or a reversed array read backwards.
    """
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)

    def fresh(s):
        if dtype.kind == "f":
            return rng.uniform(-1, 1, size=s).astype(dtype)
        return rng.integers(-4, 5, size=s).astype(dtype)

    shape = tuple(shape)
    if layout == "transposed" and len(shape) >= 2:
        return np.swapaxes(fresh(shape[:-2] + (shape[-1], shape[-2])), -1, -2)
    if layout == "stepped":
        return fresh(tuple(2 * s for s in shape))[tuple(slice(None, None, 2) for _ in shape)]
    if layout == "reversed":
        return fresh(shape)[..., ::-1]
    return fresh(shape)


def rarely(usual, unusual):
    """Values from ``unusual`` one time in ten: invalid values stay in the mix."""
    return st.integers(0, 9).flatmap(lambda r: unusual if r == 0 else usual)


@st.composite
def arrays(draw, shape, dtype):
    seed = draw(st.integers(0, 2**32 - 1))
    layout = draw(st.sampled_from(LAYOUTS))
    return make_array(seed, shape, dtype, layout)
