"""max/avg pooling and max unpooling against torch over random configurations."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from oracle import agree, is_empty, reads_padding_only
from strategies import arrays, int_or_tuple, rarely

import convbook.functional as F

DIMS = [1, 2, 3]


@st.composite
def pool_input(draw, n: int, dtypes):
    max_size = {1: 10, 2: 8, 3: 5}[n]
    size = tuple(draw(st.integers(1, max_size)) for _ in range(n))
    channels = draw(st.integers(1, 3))
    shape = ((draw(st.integers(1, 2)),) if draw(st.booleans()) else ()) + (channels, *size)
    return draw(arrays(shape, draw(st.sampled_from(dtypes))))


@st.composite
def pool_params(draw, n: int):
    kernel = draw(rarely(int_or_tuple(n, 1, 4), int_or_tuple(n, 0, 6)))
    smallest = min(np.atleast_1d(kernel))
    # Usually a padding torch accepts (at most half the kernel), sometimes any.
    padding = rarely(int_or_tuple(n, 0, max(smallest, 0) // 2), int_or_tuple(n, -1, 3))
    return {
        "kernel_size": kernel,
        "stride": draw(st.none() | rarely(int_or_tuple(n, 1, 3), int_or_tuple(n, 0, 3))),
        "padding": draw(padding),
        "ceil_mode": draw(st.booleans()),
    }


@pytest.mark.parametrize("n", DIMS)
@given(data=st.data())
def test_max_pool_matches_torch(n, data):
    x = data.draw(pool_input(n, [np.float32, np.float64, np.int64]))
    kwargs = data.draw(pool_params(n))
    kwargs["dilation"] = data.draw(rarely(int_or_tuple(n, 1, 3), int_or_tuple(n, 0, 3)))
    kwargs["return_indices"] = data.draw(st.booleans())
    ours, theirs = getattr(F, f"max_pool{n}d"), getattr(TF, f"max_pool{n}d")
    agree(ours, theirs, (x,), kwargs, may_refuse=reads_padding_only)


@pytest.mark.parametrize("n", DIMS)
@given(data=st.data())
def test_avg_pool_matches_torch(n, data):
    x = data.draw(pool_input(n, [np.float32, np.float64, np.int64]))
    kwargs = data.draw(pool_params(n))
    kwargs["count_include_pad"] = data.draw(st.booleans())
    if n > 1:
        kwargs["divisor_override"] = data.draw(st.none() | st.integers(-3, 5))
    agree(getattr(F, f"avg_pool{n}d"), getattr(TF, f"avg_pool{n}d"), (x,), kwargs)


@pytest.mark.parametrize("n", DIMS)
@given(data=st.data())
def test_max_unpool_inverts_torch_max_pool(n, data):
    """Pool with torch, unpool both ways; output_size near, on and past the allowed range."""
    x = data.draw(pool_input(n, [np.float32, np.float64]))
    # torch's unpooling indexes kernel_size and stride per dimension: no 1-tuples there.
    kernel = data.draw(int_or_tuple(n, 1, 3, single=False))
    stride = data.draw(st.none() | int_or_tuple(n, 1, 3, single=False))
    k = np.broadcast_to(np.asarray(kernel), n)
    padding = tuple(data.draw(st.integers(0, int(kk) // 2)) for kk in k)
    try:
        pooled, indices = getattr(TF, f"max_pool{n}d")(
            torch.from_numpy(x.copy()), kernel, stride, padding, return_indices=True
        )
    except RuntimeError:
        return  # a pooling configuration torch refuses; the pooling test covers it
    kwargs = {"kernel_size": kernel, "stride": stride, "padding": padding}
    if data.draw(st.booleans()):
        default = np.asarray(x.shape[-n:])  # the size that was pooled
        delta = data.draw(st.lists(st.integers(-3, 3), min_size=n, max_size=n))
        kwargs["output_size"] = tuple(int(v) for v in default + np.asarray(delta))
    # torch returns an empty output and drops the values when the default size is 0; convbook refuses.
    ours, theirs = getattr(F, f"max_unpool{n}d"), getattr(TF, f"max_unpool{n}d")
    agree(ours, theirs, (pooled.numpy(), indices.numpy()), kwargs, may_refuse=is_empty)


def test_max_pool_tie_keeps_the_first_maximum():
    x = np.array([[[3, 1, 3, 3, 2, 2]]])
    values, indices = F.max_pool1d(x, 3, stride=3, return_indices=True)
    np.testing.assert_array_equal(indices, [[[0, 3]]])
    agree(F.max_pool1d, TF.max_pool1d, (x,), {"kernel_size": 3, "stride": 3, "return_indices": True})


def test_two_channel_pooling_worked_example():
    rows = np.arange(8.0).repeat(4).reshape(2, 4, 4)[None]  # channel 0: rows 0..3, channel 1: rows 4..7
    assert F.avg_pool2d(rows, 2, stride=1, padding=1).shape == (1, 2, 5, 5)
    np.testing.assert_allclose(F.avg_pool2d(rows, 4)[0, :, 0, 0], rows.mean(axis=(2, 3))[0])


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: F.max_pool2d(np.ones((1, 1, 5, 5)), 3, padding=2), ["padding", "half", "kernel_size"]),
        (lambda: F.max_pool2d(np.ones((1, 1, 5, 5)), 6), ["output size", "too small"]),
        (lambda: F.max_pool2d(np.ones((1, 1, 5, 5)), 2, stride=0), ["stride"]),
        (lambda: F.avg_pool2d(np.ones((1, 1, 5, 5)), 2, divisor_override=0), ["divisor_override"]),
        (lambda: F.avg_pool2d(np.ones((1, 1, 5, 5)), 2, divisor_override=1.5), ["divisor_override"]),
        (lambda: F.max_pool1d(np.ones((1, 5), np.int64), 2), ["max_pool1d", "int64"]),
        (lambda: F.max_pool1d(np.ones((1, 2)), 2, stride=1, padding=1, dilation=3), ["padding only"]),
        (lambda: F.max_unpool2d(np.ones((1, 1, 2, 2)), np.full((1, 1, 2, 2), 30), 2), ["invalid max index", "30"]),
        (lambda: F.max_unpool2d(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 2), np.int32), 2), ["int64"]),
        (
            lambda: F.max_unpool2d(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 2), np.int64), 2, output_size=(6, 5)),
            ["output_size", "between"],
        ),
        (lambda: F.max_unpool2d(np.ones((1, 1, 2, 2)), np.zeros((1, 1, 2, 1), np.int64), 2), ["shape of indices"]),
    ],
)
def test_pooling_errors_name_the_parameter_and_the_rule(call, words):
    with pytest.raises((ValueError, TypeError, RuntimeError)) as caught:
        call()
    for word in words:
        assert word in str(caught.value), f"{word!r} missing from {caught.value}"
