"""convbook.shapes against the shapes torch produces; convbook.naive against
the vectorised functions and NumPy."""

import numpy as np
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st

import convbook.functional as F
from convbook import naive, shapes


@given(
    size=st.integers(1, 12),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 4),
    padding=st.integers(0, 3),
    dilation=st.integers(1, 3),
)
def test_conv_output_size_is_torch_shape(size, kernel, stride, padding, dilation):
    expected = shapes.conv_output_size(size, kernel, stride, padding, dilation)
    x, w = torch.zeros(1, 1, size), torch.zeros(1, 1, kernel)
    try:
        out = TF.conv1d(x, w, stride=stride, padding=padding, dilation=dilation)
    except RuntimeError:
        assert expected < 1, f"torch refused but the formula gives {expected}"
        return
    assert out.shape[-1] == expected


@given(
    size=st.integers(1, 8),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 4),
    padding=st.integers(0, 3),
    output_padding=st.integers(0, 3),
    dilation=st.integers(1, 3),
)
def test_conv_transpose_output_size_is_torch_shape(size, kernel, stride, padding, output_padding, dilation):
    expected = shapes.conv_transpose_output_size(size, kernel, stride, padding, output_padding, dilation)
    x, w = torch.zeros(1, 1, size), torch.zeros(1, 1, kernel)
    try:
        out = TF.conv_transpose1d(
            x, w, stride=stride, padding=padding, output_padding=output_padding, dilation=dilation
        )
    except RuntimeError:
        assert expected < 1 or output_padding >= max(stride, dilation)
        return
    assert out.shape[-1] == expected


@given(
    size=st.tuples(st.integers(1, 12), st.integers(1, 12)),
    kernel=st.integers(1, 5),
    stride=st.integers(1, 4),
    padding=st.integers(0, 2),
    dilation=st.integers(1, 3),
    ceil_mode=st.booleans(),
)
def test_pool_output_size_is_torch_shape(size, kernel, stride, padding, dilation, ceil_mode):
    expected = shapes.pool_output_size(size, kernel, stride, padding, dilation, ceil_mode)
    try:
        out = TF.max_pool2d(torch.zeros(1, 1, *size), kernel, stride, padding, dilation, ceil_mode)
    except RuntimeError:
        assert padding > kernel // 2 or min(expected) < 1
        return
    assert tuple(out.shape[-2:]) == expected


def test_documented_shape_examples():
    assert shapes.conv_output_size((50, 100), 3, 2) == (24, 49)
    assert shapes.conv_output_size((50, 100), (3, 5), (2, 1), (4, 2)) == (28, 100)
    assert shapes.conv_output_size((50, 100), (3, 5), (2, 1), (4, 2), (3, 1)) == (26, 100)
    assert shapes.pool_output_size((50, 32), 3, 2, 1) == (25, 16)


@given(n=st.integers(1, 12), k=st.integers(1, 5), seed=st.integers(0, 2**32 - 1))
def test_naive_1d(n, k, seed):
    rng = np.random.default_rng(seed)
    x, w = rng.normal(size=n), rng.normal(size=k)
    np.testing.assert_allclose(naive.convolve1d(x, w), np.convolve(x, w, "full"))
    if k <= n:
        np.testing.assert_allclose(naive.corr1d(x, w), F.conv1d(x[None, None], w[None, None])[0, 0])
        np.testing.assert_allclose(naive.corr1d(x, w), np.correlate(x, w, "valid"))


@given(
    c_in=st.integers(1, 3),
    c_out=st.integers(1, 3),
    size=st.tuples(st.integers(3, 7), st.integers(3, 7)),
    k=st.tuples(st.integers(1, 3), st.integers(1, 3)),
    seed=st.integers(0, 2**32 - 1),
)
def test_naive_2d_multi_channel(c_in, c_out, size, k, seed):
    rng = np.random.default_rng(seed)
    X, K = rng.normal(size=(c_in, *size)), rng.normal(size=(c_out, c_in, *k))
    np.testing.assert_allclose(naive.corr2d(X[0], K[0, 0]), F.conv2d(X[:1], K[:1, :1])[0])
    np.testing.assert_allclose(naive.corr2d_multi_in(X, K[0]), F.conv2d(X, K[:1])[0])
    np.testing.assert_allclose(naive.corr2d_multi_in_out(X, K), F.conv2d(X, K), atol=1e-12)
