"""pad in all four modes against torch over random configurations."""

import numpy as np
import pytest
import torch.nn.functional as TF
from hypothesis import assume, given
from hypothesis import strategies as st
from oracle import agree, is_empty
from strategies import arrays, rarely

import convbook.functional as F


@st.composite
def pad_case(draw):
    ndim = draw(st.integers(1, 5))
    shape = tuple(draw(rarely(st.integers(1, 4), st.integers(0, 4))) for _ in range(ndim))
    x = draw(arrays(shape, draw(st.sampled_from([np.float32, np.float64, np.int64]))))
    pairs = draw(st.integers(0, 4))
    pad = tuple(draw(rarely(st.integers(-1, 3), st.integers(-5, 6))) for _ in range(2 * pairs))
    if draw(st.integers(0, 19)) == 0:
        pad = pad + (1,)  # odd length
    mode = draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    value = draw(st.none() | st.sampled_from([0, 0.0, 1.5, -2]))
    return x, pad, mode, value


def wraps_nothing(x, pad, mode) -> bool:
    """Circular padding of a dimension that negative padding cropped to nothing.

    torch returns uninitialised memory there; convbook refuses (tested below).
    """
    pairs = list(zip(pad[::2], pad[1::2]))
    if mode != "circular" or len(pad) % 2 or len(pairs) > x.ndim:
        return False
    sizes = x.shape[::-1]
    return any(size - max(-b, 0) - max(-a, 0) <= 0 and max(a, b) > 0 for size, (b, a) in zip(sizes, pairs))


@given(case=pad_case())
def test_pad_matches_torch(case):
    x, pad, mode, value = case
    assume(not wraps_nothing(x, pad, mode))
    # torch's reflect/replicate refuse a width cropped to 0 but return a height cropped to 0; convbook refuses both.
    agree(F.pad, TF.pad, (x, pad), {"mode": mode, "value": value}, may_refuse=None if mode == "constant" else is_empty)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: F.pad(np.ones((1, 1, 3)), (3, 3), mode="reflect"), ["reflect", "less than", "input size"]),
        (lambda: F.pad(np.ones((1, 1, 3)), (5, 0), mode="circular"), ["circular", "wrap"]),
        (lambda: F.pad(np.ones((1, 1, 2)), (-1, 2), mode="circular"), ["circular", "after cropping"]),
        (lambda: F.pad(np.ones((1, 1, 3)), (1, 1), mode="reflect", value=1), ["value"]),
        (lambda: F.pad(np.ones((1, 1, 3)), (1, 1, 1)), ["divisible by 2"]),
        (lambda: F.pad(np.ones((1, 1, 3)), (1, 1), mode="mirror"), ["mode", "reflect"]),
        (lambda: F.pad(np.ones((1, 1, 3)), (1.5, 1)), ["pad", "ints"]),
        (lambda: F.pad(np.ones((3,)), (1, 1), mode="replicate"), ["2D or 3D"]),
        (lambda: F.pad(np.ones((1, 1, 1)), (1, -1), mode="circular"), ["circular", "at most once"]),
    ],
)
def test_pad_errors_name_the_parameter_and_the_rule(call, words):
    with pytest.raises((ValueError, TypeError, RuntimeError)) as caught:
        call()
    for word in words:
        assert word in str(caught.value), f"{word!r} missing from {caught.value}"
