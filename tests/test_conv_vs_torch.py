"""conv{1,2,3}d and conv_transpose{1,2,3}d against torch over random configurations."""

from unittest import mock

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from oracle import agree, is_empty
from strategies import arrays, int_or_tuple, rarely

import convbook.functional as F
from convbook.functional import conv as conv_module
from convbook.functional import flat

DIMS = [1, 2, 3]
DTYPES = [np.float32, np.float64, np.int64]


@st.composite
def conv_case(draw, n: int, transposed: bool):
    groups = draw(rarely(st.integers(1, 3), st.integers(0, 3)))
    g = max(groups, 1)
    in_channels = g * draw(st.integers(1, 2)) + draw(st.sampled_from([0] * 8 + [1]))
    out_channels = g * draw(st.integers(1, 2)) + draw(st.sampled_from([0] * 8 + [1]))
    max_size = {1: 9, 2: 7, 3: 5}[n]
    size = tuple(draw(st.integers(1, max_size)) for _ in range(n))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(n))
    dtype = draw(st.sampled_from(DTYPES))
    batched = draw(st.booleans())
    batch = draw(st.integers(1, 2))
    x_shape = ((batch,) if batched else ()) + (in_channels, *size)
    if transposed:
        w_shape = (in_channels, out_channels // g or 1, *kernel)
    else:
        w_shape = (out_channels, in_channels // g or 1, *kernel)
    x = draw(arrays(x_shape, dtype))
    weight = draw(arrays(w_shape, dtype))
    bias = draw(st.none() | arrays((w_shape[1] * g if transposed else out_channels,), dtype))
    kwargs = {
        "stride": draw(rarely(int_or_tuple(n, 1, 3), int_or_tuple(n, 0, 3))),
        "dilation": draw(rarely(int_or_tuple(n, 1, 3), int_or_tuple(n, 0, 3))),
        "groups": groups,
    }
    if transposed:
        kwargs["padding"] = draw(rarely(int_or_tuple(n, 0, 3), int_or_tuple(n, -1, 3)))
        kwargs["output_padding"] = draw(int_or_tuple(n, 0, 2))
    else:
        kwargs["padding"] = draw(
            rarely(st.sampled_from(["same", "valid"]) | int_or_tuple(n, 0, 3), int_or_tuple(n, -1, 3))
        )
    return (x, weight, bias), kwargs


@pytest.mark.parametrize("n", DIMS)
@given(data=st.data())
def test_conv_matches_torch(n, data):
    args, kwargs = data.draw(conv_case(n, transposed=False))
    agree(getattr(F, f"conv{n}d"), getattr(TF, f"conv{n}d"), args, kwargs)


@pytest.mark.parametrize("n", DIMS)
@given(data=st.data())
def test_conv_transpose_matches_torch(n, data):
    args, kwargs = data.draw(conv_case(n, transposed=True))
    ours, theirs = getattr(F, f"conv_transpose{n}d"), getattr(TF, f"conv_transpose{n}d")
    agree(ours, theirs, args, kwargs, may_refuse=is_empty if kwargs["groups"] > 1 else None)


@st.composite
def depthwise_case(draw, n: int):
    """One input channel per group, stride 1: the layers conv*d sends to :mod:`convbook.functional.flat`."""
    groups = draw(st.integers(1, 6))
    multiplier = draw(st.integers(1, 3))
    max_size = {1: 12, 2: 9, 3: 6}[n]
    size = tuple(draw(st.integers(1, max_size)) for _ in range(n))
    kernel = tuple(draw(st.integers(1, 4)) for _ in range(n))
    dtype = draw(st.sampled_from(DTYPES))
    batch = draw(st.integers(1, 3))
    x = draw(arrays((batch, groups, *size), dtype))
    weight = draw(arrays((groups * multiplier, 1, *kernel), dtype))
    bias = draw(st.none() | arrays((groups * multiplier,), dtype))
    kwargs = {
        "padding": draw(st.sampled_from(["same", "valid"]) | int_or_tuple(n, 0, 3)),
        "dilation": draw(int_or_tuple(n, 1, 3)),
        "groups": groups,
    }
    return (x, weight, bias), kwargs


@pytest.mark.parametrize("n", DIMS)
@given(data=st.data())
def test_depthwise_stride_one_matches_torch(n, data):
    """The flat path, with blocks of groups from one group (budget 1 byte) to all of them.

    The memory cap is lifted so that every drawn layer takes the flat path, small ones included."""
    args, kwargs = data.draw(depthwise_case(n))
    budget = data.draw(st.sampled_from([1, 256, 4096, flat.BLOCK_BUDGET]))
    with mock.patch.object(flat, "BLOCK_BUDGET", budget), mock.patch.object(flat, "OUTPUT_FACTOR", 10**9):
        agree(getattr(F, f"conv{n}d"), getattr(TF, f"conv{n}d"), args, kwargs)


@pytest.mark.parametrize("n", DIMS)
def test_depthwise_stride_one_takes_the_flat_path(n):
    """conv*d routes one-input-channel-per-group, stride-1 layers to correlate_flat, and only those
    whose columns for one group stay within twice the output (not one large single-channel image)."""
    x = np.ones((2, 32, *(8,) * n), dtype=np.float32)
    conv = getattr(F, f"conv{n}d")
    with mock.patch.object(conv_module, "correlate_flat", wraps=flat.correlate_flat) as spy:
        conv(x, np.ones((64, 1, *(3,) * n), dtype=np.float32), padding=1, groups=32)
        assert spy.call_count == 1
        conv(x, np.ones((64, 1, *(3,) * n), dtype=np.float32), padding=1, groups=32, stride=2)
        conv(x, np.ones((64, 2, *(3,) * n), dtype=np.float32), padding=1, groups=16)
        conv(np.ones((1, 1, *(40,) * n), dtype=np.float32), np.ones((1, 1, *(5,) * n), dtype=np.float32))
        assert spy.call_count == 1


def test_same_padding_puts_the_extra_pixel_after():
    """Even kernel with padding='same': torch pads 1 before and 2 after for k=4."""
    x = np.arange(6.0).reshape(1, 1, 6)
    w = np.array([[[1.0, 0.0, 0.0, 0.0]]])
    out = F.conv1d(x, w, padding="same")
    expected = TF.conv1d(torch.from_numpy(x), torch.from_numpy(w), padding="same").numpy()
    np.testing.assert_array_equal(out, expected)
    # The first tap reads one position to the left: out[i] = x[i - 1].
    np.testing.assert_array_equal(out[0, 0], np.concatenate([[0.0], x[0, 0, :-1]]))


def test_classic_integer_example_stays_integer():
    image = np.array([[1, 2, 0, 3, 1], [0, 1, 1, 0, 0], [1, 2, 1, 0, 0], [5, 2, 3, 1, 1], [2, 1, 0, 1, 1]])
    kernel = np.array([[1, 2, 1], [0, 1, 0], [2, 1, 0]])
    x, w = image.reshape(1, 1, 5, 5), kernel.reshape(1, 1, 3, 3)
    for kwargs in ({}, {"stride": 2}, {"padding": 1}):
        agree(F.conv2d, TF.conv2d, (x, w), kwargs)
        assert F.conv2d(x, w, **kwargs).dtype == np.int64


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: F.conv2d(np.ones((1, 10, 5, 5)), np.ones((6, 1, 3, 3)), groups=6), ["in_channels (10)", "groups (6)"]),
        (lambda: F.conv2d(np.ones((1, 10, 5, 5)), np.ones((6, 2, 3, 3)), groups=5), ["out_channels", "groups (5)"]),
        (lambda: F.conv2d(np.ones((1, 12, 5, 5)), np.ones((6, 2, 3, 3)), groups=3), ["expected input", "channels"]),
        (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=0), ["stride"]),
        (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding=-1), ["padding"]),
        (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding="same", stride=2), ["same", "stride"]),
        (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding="full"), ["padding", "valid", "same"]),
        (lambda: F.conv2d(np.ones((1, 1, 2, 2)), np.ones((1, 1, 3, 3))), ["Kernel size", "input size"]),
        (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), np.ones(2)), ["bias", "1"]),
        (lambda: F.conv2d(np.ones((5, 5)), np.ones((1, 1, 3, 3))), ["3D", "4D", "input"]),
        (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3), np.float32)), ["dtype"]),
        (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), stride=1.5), ["stride"]),
        (lambda: F.conv2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), dilation=(1, 1, 1)), ["dilation", "2"]),
        (
            lambda: F.conv_transpose2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), output_padding=1),
            ["output_padding", "stride", "dilation"],
        ),
        (lambda: F.conv_transpose2d(np.ones((1, 1, 5, 5)), np.ones((1, 1, 3, 3)), padding=5), ["output size"]),
        (lambda: F.conv_transpose2d(np.ones((1, 4, 5, 5)), np.ones((4, 1, 3, 3)), groups=3), ["groups"]),
        (lambda: F.conv2d([[1.0]], np.ones((1, 1, 1, 1))), ["input", "ndarray"]),
    ],
)
def test_errors_name_the_parameter_and_the_rule(call, words):
    with pytest.raises((ValueError, TypeError, RuntimeError)) as caught:
        call()
    for word in words:
        assert word in str(caught.value), f"{word!r} missing from {caught.value}"
