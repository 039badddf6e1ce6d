"""convbook.upsampling against torch: bilinear kernels vs F.interpolate, pixel (un)shuffle,
sub-pixel convolution as one transposed convolution."""

import inspect

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import assume, given
from hypothesis import strategies as st
from oracle import agree, is_empty
from strategies import arrays, rarely

import convbook.functional as F
from convbook import upsampling as U

LINEAR_MODES = {3: "linear", 4: "bilinear", 5: "trilinear"}


def torch_upsample_linear(input, scale_factor):
    """torch's interpolate with the linear mode that fits the input's rank."""
    mode = LINEAR_MODES.get(input.dim(), "bilinear")
    return TF.interpolate(input, scale_factor=scale_factor, mode=mode, align_corners=False)


torch_upsample_linear.__name__ = "upsample_linear"


def impulse_response(factor: int, ndim: int) -> np.ndarray:
    """What torch's interpolate makes of a single 1 in the middle of a 5-sample input,
    cut out where a transposed convolution with stride ``factor``, padding ``factor // 2``
    would place its kernel; everything outside that window must be zero."""
    centre, size = 2, 2 * factor - factor % 2
    x = torch.zeros((1, 1) + (5,) * ndim, dtype=torch.float64)
    x[(0, 0) + (centre,) * ndim] = 1.0
    y = torch_upsample_linear(x, factor)[0, 0].numpy()
    start = factor * centre - factor // 2
    window = (slice(start, start + size),) * ndim
    outside = y.copy()
    outside[window] = 0
    assert not outside.any(), "interpolate's impulse response reaches outside the kernel window"
    return y[window]


@pytest.mark.parametrize("ndim", [1, 2, 3])
@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5, 6])
def test_bilinear_kernel_is_the_impulse_response_of_interpolate(factor, ndim):
    kernel = U.bilinear_kernel(factor, ndim)
    expected = impulse_response(factor, ndim)
    assert kernel.shape == expected.shape
    np.testing.assert_allclose(kernel, expected, rtol=1e-12, atol=1e-12)


@given(
    factor=st.integers(1, 4),
    channels=st.integers(1, 3),
    size=st.tuples(st.integers(1, 7), st.integers(1, 7)),
    seed=st.integers(0, 2**32 - 1),
)
def test_bilinear_weight_in_torch_conv_transpose_interpolates_away_from_the_border(factor, channels, size, seed):
    """torch's own conv_transpose2d with the weight equals interpolate wherever no zero padding is read."""
    x = torch.from_numpy(np.random.default_rng(seed).standard_normal((2, channels, *size)))
    weight = torch.from_numpy(U.bilinear_weight(channels, factor))
    up = TF.conv_transpose2d(x, weight, stride=factor, padding=factor // 2, groups=channels)
    expected = torch_upsample_linear(x, factor)
    assert up.shape == expected.shape
    inner = (Ellipsis, slice(factor, -factor), slice(factor, -factor))
    np.testing.assert_allclose(up[inner].numpy(), expected[inner].numpy(), rtol=1e-12, atol=1e-12)
    if factor > 1:
        # at the border the transposed convolution reads zeros, interpolate repeats the edge
        assert not np.allclose(up[..., 0, :].numpy(), expected[..., 0, :].numpy())


@st.composite
def upsample_case(draw):
    n = draw(rarely(st.integers(1, 3), st.sampled_from([0, 4])))
    shape = (draw(rarely(st.integers(1, 2), st.just(0))), draw(rarely(st.integers(1, 3), st.just(0))))
    shape += tuple(draw(st.integers(1, {1: 8, 2: 6, 3: 4}.get(n, 3))) for _ in range(n))
    dtype = draw(rarely(st.sampled_from([np.float32, np.float64]), st.sampled_from([np.float16, np.int64])))
    x = draw(arrays(shape, dtype))
    factor = rarely(st.integers(1, 4), st.integers(-1, 4))
    scale = draw(st.one_of(factor, st.tuples(*[factor] * max(n, 1)), st.tuples(factor, factor)))
    return x, scale


@given(case=upsample_case())
def test_upsample_linear_matches_interpolate(case):
    x, scale = case
    agree(U.upsample_linear, torch_upsample_linear, (x, scale), {})


@pytest.mark.parametrize("scale", [1.5, 2.0, "2", None, True])
def test_upsample_linear_takes_integer_factors_only(scale):
    with pytest.raises(TypeError, match="scale_factor must be an int"):
        U.upsample_linear(np.ones((1, 1, 3, 3)), scale)


@st.composite
def shuffle_case(draw, shuffle: bool):
    factor = draw(rarely(st.integers(1, 3), st.integers(-1, 3)))
    r = max(factor, 1)
    off = st.sampled_from([0] * 8 + [1])  # one time in nine, not divisible by the factor
    if shuffle:
        core = (draw(st.integers(1, 3)) * r * r + draw(off), draw(st.integers(1, 4)), draw(st.integers(1, 4)))
    else:
        side = st.integers(1, 3).map(lambda v: v * r)
        core = (draw(st.integers(1, 3)), draw(side) + draw(off), draw(side) + draw(off))
    lead = tuple(draw(st.integers(0, 2)) for _ in range(draw(st.integers(0, 2))))
    shape = draw(rarely(st.just(lead + core), st.just(core[1:])))  # rarely: too few dimensions
    dtype = draw(st.sampled_from([np.float32, np.float64, np.int64, np.uint8]))
    return draw(arrays(shape, dtype)), factor


@given(case=shuffle_case(shuffle=True))
def test_pixel_shuffle_matches_torch(case):
    agree(U.pixel_shuffle, TF.pixel_shuffle, case, {})


@given(case=shuffle_case(shuffle=False))
def test_pixel_unshuffle_matches_torch(case):
    # torch returns an empty input unchanged (its shape not rearranged); convbook refuses it
    agree(U.pixel_unshuffle, TF.pixel_unshuffle, case, {}, may_refuse=is_empty)


@given(case=shuffle_case(shuffle=True))
def test_pixel_unshuffle_undoes_pixel_shuffle(case):
    x, r = case
    assume(x.size > 0)  # pixel_unshuffle refuses empty inputs (tested above)
    try:
        y = U.pixel_shuffle(x, r)
    except (ValueError, TypeError, RuntimeError):
        return
    np.testing.assert_array_equal(U.pixel_unshuffle(y, r), x)


@given(
    r=st.integers(1, 3),
    kernel=st.tuples(st.integers(1, 4), st.integers(1, 4)),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
)
def test_subpixel_convolution_is_one_transposed_convolution(r, kernel, data, seed):
    """In torch: pixel_shuffle(conv2d(x, w, padding=p), r) == conv_transpose2d(x, W, stride=r, padding=r(k-1-p))."""
    kh, kw = kernel
    padding = (data.draw(st.integers(0, kh - 1)), data.draw(st.integers(0, kw - 1)))
    channels, in_channels = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3))
    rng = np.random.default_rng(seed)
    size = (kh + data.draw(st.integers(0, 3)), kw + data.draw(st.integers(0, 3)))
    x = rng.standard_normal((2, in_channels, *size))
    w = rng.standard_normal((channels * r * r, in_channels, kh, kw))
    subpixel = TF.pixel_shuffle(TF.conv2d(torch.from_numpy(x), torch.from_numpy(w), padding=padding), r)
    big = U.subpixel_transposed_weight(w, r)
    assert big.shape == (in_channels, channels, kh * r, kw * r)
    big_padding = (r * (kh - 1 - padding[0]), r * (kw - 1 - padding[1]))
    transposed = TF.conv_transpose2d(torch.from_numpy(x), torch.from_numpy(big), stride=r, padding=big_padding)
    assert transposed.shape == subpixel.shape
    np.testing.assert_allclose(transposed.numpy(), subpixel.numpy(), rtol=1e-10, atol=1e-10)
    ours = U.pixel_shuffle(F.conv2d(x, w, padding=padding), r)
    np.testing.assert_allclose(ours, subpixel.numpy(), rtol=1e-10, atol=1e-10)


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda: U.bilinear_kernel(0), ["factor", "positive"]),
        (lambda: U.bilinear_kernel(2, ndim=4), ["ndim", "1, 2 or 3"]),
        (lambda: U.bilinear_weight(0, 2), ["channels", "positive"]),
        (lambda: U.upsample_linear(np.ones((1, 1, 3, 3)), (2, 2, 2)), ["scale_factor", "2 ints"]),
        (lambda: U.upsample_linear(np.ones((1, 3, 3), np.int64), 2), ["floating-point", "int64"]),
        (lambda: U.upsample_linear(np.ones((3, 3)), 2), ["input", "3D", "4D", "5D"]),
        (lambda: U.pixel_shuffle(np.ones((1, 8, 2, 2)), 2.0), ["upscale_factor", "int"]),
        (lambda: U.pixel_shuffle(np.ones((1, 8, 2, 2)), 3), ["divisible", "9"]),
        (lambda: U.pixel_unshuffle(np.ones((1, 1, 4, 5)), 2), ["width", "divisible"]),
        (lambda: U.pixel_unshuffle(np.ones((0, 1, 4, 4)), 2), ["empty", "unchanged"]),
        (lambda: U.subpixel_transposed_weight(np.ones((6, 1, 3, 3)), 2), ["weight.shape[0]", "divisible"]),
        (lambda: U.subpixel_transposed_weight(np.ones((4, 3, 3)), 2), ["weight", "4D"]),
    ],
)
def test_errors_name_the_parameter_and_the_rule(call, words):
    with pytest.raises((ValueError, TypeError, RuntimeError)) as caught:
        call()
    for word in words:
        assert word in str(caught.value), f"{word!r} missing from {caught.value}"


@pytest.mark.parametrize("name", ["pixel_shuffle", "pixel_unshuffle"])
def test_shuffles_have_torchs_parameters(name):
    ours = list(inspect.signature(getattr(U, name)).parameters)
    header = getattr(TF, name).__doc__.strip().splitlines()[0]
    theirs = [p.strip() for p in header[header.index("(") + 1 : header.index(")")].split(",")]
    assert ours == theirs


@pytest.mark.parametrize("name", U.__all__)
def test_public_functions_have_type_hints_and_docstrings(name):
    function = getattr(U, name)
    signature = inspect.signature(function)
    assert all(p.annotation is not inspect.Parameter.empty for p in signature.parameters.values()), name
    assert signature.return_annotation is not inspect.Signature.empty, name
    assert function.__doc__ and len(function.__doc__.strip()) > 20, name
