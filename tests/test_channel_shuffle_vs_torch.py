"""channel_shuffle against torch over random shapes, groups and dtypes, valid and invalid."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from oracle import agree
from strategies import arrays, rarely

import convbook.functional as F

DTYPES = [np.float32, np.float64, np.int64, np.bool_]


@st.composite
def shuffle_case(draw):
    groups = draw(rarely(st.integers(1, 4), st.integers(-1, 7)))
    channels = max(groups, 1) * draw(st.integers(0, 3)) + draw(st.sampled_from([0] * 6 + [1, 2]))
    ndim = draw(rarely(st.integers(3, 5), st.integers(1, 2)))
    shape = (draw(st.integers(0, 2)), channels, *(draw(st.integers(0, 3)) for _ in range(ndim - 2)))[:ndim]
    return draw(arrays(shape, draw(st.sampled_from(DTYPES)))), groups


@given(case=shuffle_case())
def test_channel_shuffle_matches_torch(case):
    x, groups = case
    agree(F.channel_shuffle, TF.channel_shuffle, (x, groups), {})


def test_channel_shuffle_interleaves_the_groups():
    """Six channels in two groups: 0 1 2 | 3 4 5 becomes 0 3 1 4 2 5, as torch's module does it."""
    x = np.arange(6.0).reshape(1, 6, 1, 1)
    module = torch.nn.ChannelShuffle(2)(torch.from_numpy(x)).numpy()
    np.testing.assert_array_equal(F.channel_shuffle(x, 2).ravel(), [0, 3, 1, 4, 2, 5])
    np.testing.assert_array_equal(F.channel_shuffle(x, 2), module)


@pytest.mark.parametrize("groups", [2.0, True, "2", None])
def test_groups_must_be_an_int(groups):
    with pytest.raises(TypeError, match="groups must be an int"):
        F.channel_shuffle(np.zeros((1, 6, 2)), groups)
    with pytest.raises(TypeError):
        TF.channel_shuffle(torch.zeros(1, 6, 2), groups)


@pytest.mark.parametrize(
    "shape, groups, words",
    [((6, 2), 2, "more than 2 dimensions"), ((1, 6, 2), 0, "must be positive"), ((1, 6, 2), 4, "divisible by groups")],
)
def test_errors_name_the_rule(shape, groups, words):
    with pytest.raises(RuntimeError, match=words):
        F.channel_shuffle(np.zeros(shape), groups)
