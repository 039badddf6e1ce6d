"""convbook.algorithms (five ways to compute one layer) against torch over random configurations.

Every algorithm takes torch's arguments and refuses what torch refuses; on
top of that the algorithms refuse integer input (they compute in floating
point) and Winograd F(2,3) refuses kernels other than 3, strides and
dilations: those refusals are checked to name the rule.
"""

import inspect
from fractions import Fraction

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import given
from hypothesis import strategies as st
from oracle import agree, assert_same, to_torch
from strategies import arrays, int_or_tuple, rarely

import convbook.algorithms as A
import convbook.functional as F
import convbook.functional.conv as conv_module

FLOATS = [np.float32, np.float64]


@st.composite
def conv_case(draw, n: int, winograd: bool = False, small: bool = False):
    """A convolution's arguments, mostly valid; invalid values one time in ten."""
    groups = draw(rarely(st.integers(1, 3), st.integers(0, 3)))
    g = max(groups, 1)
    in_channels = g * draw(st.integers(1, 2)) + draw(st.sampled_from([0] * 8 + [1]))
    out_channels = g * draw(st.integers(1, 2)) + draw(st.sampled_from([0] * 8 + [1]))
    max_size = {1: 10, 2: 5 if small else 7, 3: 5}[n]
    size = tuple(draw(st.integers(1, max_size)) for _ in range(n))
    if winograd:
        kernel = tuple(draw(rarely(st.just(3), st.integers(1, 4))) for _ in range(n))
        stride = draw(rarely(st.just(1), int_or_tuple(n, 0, 2)))
        dilation = draw(rarely(st.just(1), int_or_tuple(n, 0, 2)))
    else:
        kernel = tuple(draw(st.integers(1, 3 if small else 4)) for _ in range(n))
        stride = draw(rarely(int_or_tuple(n, 1, 3), int_or_tuple(n, 0, 3)))
        dilation = draw(rarely(int_or_tuple(n, 1, 3), int_or_tuple(n, 0, 3)))
    dtype = draw(rarely(st.sampled_from(FLOATS), st.just(np.float16)))
    batched = draw(st.booleans())
    batch = draw(rarely(st.integers(1, 2), st.just(0)))
    if batch == 0 and min(dilation if isinstance(dilation, tuple) else (dilation,)) < 1:
        batch = 1  # on an empty batch torch skips its dilation check (and sizes the output with dilation 0)
    x_shape = ((batch,) if batched else ()) + (in_channels, *size)
    w_shape = (out_channels, in_channels // g or 1, *kernel)
    x = draw(arrays(x_shape, dtype))
    weight = draw(arrays(w_shape, dtype))
    bias = draw(st.none() | arrays((out_channels,), dtype))
    padding = draw(rarely(st.sampled_from(["same", "valid"]) | int_or_tuple(n, 0, 3), int_or_tuple(n, -1, 3)))
    kwargs = {"stride": stride, "padding": padding, "dilation": dilation, "groups": groups}
    return (x, weight, bias), kwargs


CONV2D = {
    "naive": A.conv2d_naive,
    "offsets": A.conv2d_offsets,
    "im2col": A.conv2d_im2col,
    "fft": A.conv2d_fft,
}


@pytest.mark.parametrize("method", sorted(CONV2D))
@given(data=st.data())
def test_conv2d_algorithms_match_torch(method, data):
    args, kwargs = data.draw(conv_case(2, small=method == "naive"))
    agree(CONV2D[method], TF.conv2d, args, kwargs)


@given(data=st.data())
def test_conv1d_fft_matches_torch(data):
    args, kwargs = data.draw(conv_case(1))
    agree(A.conv1d_fft, TF.conv1d, args, kwargs)


def outside_f23(args, kwargs, n: int) -> bool:
    """A configuration torch computes but Winograd F(2,3) does not cover."""
    kernel = args[1].shape[2:] if args[1].ndim == n + 2 else None
    stride = kwargs["stride"] if isinstance(kwargs["stride"], tuple) else (kwargs["stride"],)
    dilation = kwargs["dilation"] if isinstance(kwargs["dilation"], tuple) else (kwargs["dilation"],)
    return kernel is None or any(k != 3 for k in kernel) or any(s != 1 for s in stride) or any(
        d != 1 for d in dilation
    )


@pytest.mark.parametrize("n", [1, 2])
@given(data=st.data())
def test_winograd_matches_torch_and_refuses_what_it_does_not_cover(n, data):
    args, kwargs = data.draw(conv_case(n, winograd=True))
    ours, theirs = getattr(A, f"conv{n}d_winograd"), getattr(TF, f"conv{n}d")
    try:
        expected = theirs(*to_torch(args), **kwargs).numpy()
    except RuntimeError:
        expected = None
    if expected is not None and outside_f23(args, kwargs, n):
        with pytest.raises(ValueError, match="Winograd F\\(2,3\\)|stride=1|dilation=1"):
            ours(*args, **kwargs)
        return
    agree(ours, theirs, args, kwargs)


@pytest.mark.parametrize("name", sorted(n for n in A.__all__ if n.startswith("conv")))
def test_algorithms_refuse_integer_input_naming_the_dtype(name):
    function = getattr(A, name)
    n = int(name[4])
    x = np.ones((1, 2) + (5,) * n, dtype=np.int64)
    w = np.ones((1, 2) + (3,) * n, dtype=np.int64)
    getattr(TF, f"conv{n}d")(torch.from_numpy(x), torch.from_numpy(w))  # torch takes it
    with pytest.raises(TypeError, match="floating point.*int64"):
        function(x, w)


@st.composite
def unfold_case(draw):
    ndim = draw(rarely(st.sampled_from([3, 4]), st.sampled_from([2, 5])))
    shape = tuple(draw(st.integers(1, 6)) for _ in range(ndim))
    if ndim == 4:
        shape = (draw(st.integers(0, 2)),) + shape[1:]
    dtype = draw(rarely(st.sampled_from(FLOATS), st.sampled_from([np.float16, np.int64, np.bool_])))
    x = draw(arrays(shape, dtype)) if dtype != np.bool_ else draw(arrays(shape, np.int64)) > 0

    def param(low, high):
        return draw(rarely(int_or_tuple(2, low, high, single=False), int_or_tuple(2, low - 1, high) | st.tuples(
            st.integers(low, high))))

    kwargs = {"kernel_size": param(1, 3), "dilation": param(1, 2), "padding": param(0, 2), "stride": param(1, 3)}
    return x, kwargs


@given(case=unfold_case())
def test_im2col_matches_unfold(case):
    x, kwargs = case
    agree(A.im2col, TF.unfold, (x,), kwargs)


def test_im2col_of_the_alexnet_layer_has_cs231n_shape():
    """CS231n's example: 227x227x3 input, 11x11 filters at stride 4 -> 363 x 3025 columns."""
    x = np.zeros((3, 227, 227), dtype=np.float32)
    assert A.im2col(x, 11, stride=4).shape == (363, 3025)


class Counted:
    """A number that counts the multiplications it takes part in (shared counter)."""

    count = 0

    def __init__(self, value):
        self.value = value

    @staticmethod
    def wrap(value):
        return value if isinstance(value, Counted) else Counted(value)

    def __add__(self, other):
        return Counted(self.value + Counted.wrap(other).value)

    __radd__ = __add__

    def __sub__(self, other):
        return Counted(self.value - Counted.wrap(other).value)

    def __mul__(self, other):
        Counted.count += 1
        return Counted(self.value * Counted.wrap(other).value)

    __rmul__ = __mul__

    def __truediv__(self, other):  # the filter transform's halves: not a data multiplication
        return Counted(self.value / Counted.wrap(other).value)


@given(
    d=st.lists(st.fractions(min_value=-9, max_value=9, max_denominator=7), min_size=4, max_size=4),
    g=st.lists(st.fractions(min_value=-9, max_value=9, max_denominator=7), min_size=3, max_size=3),
)
def test_winograd_tile_is_exact_with_four_multiplications_against_six(d, g):
    assert A.winograd_tile(d, g) == A.direct_tile(d, g)  # exact, in rational arithmetic
    counts = {}
    for name, tile in (("direct", A.direct_tile), ("winograd", A.winograd_tile)):
        Counted.count = 0
        tile([Counted(v) for v in d], [Counted(v) for v in g])
        counts[name] = Counted.count
    assert counts == {"direct": 6, "winograd": 4}


def test_winograd_matrices_are_lavin_and_grays_transforms():
    """``A^T [(G g) * (B^T d)]`` is the 2-output, 3-tap correlation for every d and g."""
    bt, g_matrix, at = A.winograd_matrices()
    rng = np.random.default_rng(0)
    d, g = rng.standard_normal(4), rng.standard_normal(3)
    np.testing.assert_allclose(at @ ((g_matrix @ g) * (bt @ d)), np.correlate(d, g, "valid"))
    np.testing.assert_allclose(A.winograd_tile(d, g), np.correlate(d, g, "valid"))
    assert A.winograd_tile([Fraction(1)] * 4, [Fraction(1)] * 3) == (3, 3)


@pytest.mark.parametrize(
    ("input_shape", "weight_shape", "padding"),
    [((1, 64, 56, 56), (64, 64, 3, 3), 1), ((2, 3, 9, 7), (4, 3, 3, 3), 0), ((2, 5, 11), (3, 5, 3), 2)],
)
def test_winograd_multiplications_match_the_layer_torch_builds(input_shape, weight_shape, padding):
    n = len(input_shape) - 2
    out = getattr(TF, f"conv{n}d")(torch.zeros(input_shape), torch.zeros(weight_shape), padding=padding)
    batch, out_channels, *out_size = out.shape
    per_channel = batch * out_channels * input_shape[1]
    counts = A.winograd_multiplications(input_shape, weight_shape, padding=padding)
    assert counts["direct"] == per_channel * int(np.prod(out_size)) * 3**n
    assert counts["winograd"] == per_channel * int(np.prod([(o + 1) // 2 for o in out_size])) * 4**n
    if all(o % 2 == 0 for o in out_size):
        assert counts["direct"] / counts["winograd"] == (9 / 4 if n == 2 else 6 / 4)


def test_winograd_multiplications_refuse_inconsistent_shapes():
    with pytest.raises(ValueError, match="channels"):
        A.winograd_multiplications((1, 4, 8, 8), (4, 3, 3, 3))
    with pytest.raises(ValueError, match="output"):
        A.winograd_multiplications((1, 4, 2, 2), (4, 4, 3, 3))


@pytest.mark.parametrize(
    ("budget", "costs"),
    [(1, (0, 1)), (1, (1, 0)), (4096, (0, 1)), (4096, None), (1 << 16, None), (1 << 40, None), (1 << 40, (1, 0))],
    ids=["1-tiles", "1-offsets", "4k-tiles", "4k", "64k", "all", "all-offsets"],
)
@given(data=st.data())
def test_functional_conv_tiles_agree_with_torch_for_any_tile_size(budget, costs, data):
    """convbook.functional's plans at every tile size: tiles cut along any axis (groups and images
    at once when a tile covers the whole output), or chunks of kernel offsets."""
    n = data.draw(st.sampled_from([1, 2, 3]))
    args, kwargs = data.draw(conv_case(n))
    saved = conv_module.COLUMN_BUDGET, conv_module.CALL_SECONDS, conv_module.BYTE_SECONDS
    conv_module.COLUMN_BUDGET = budget
    if costs is not None:  # (0, 1): tiles whenever one fits; (1, 0): offset chunks but for single tiles
        conv_module.CALL_SECONDS, conv_module.BYTE_SECONDS = costs
    try:
        agree(getattr(F, f"conv{n}d"), getattr(TF, f"conv{n}d"), args, kwargs)
    finally:
        conv_module.COLUMN_BUDGET, conv_module.CALL_SECONDS, conv_module.BYTE_SECONDS = saved


def test_the_five_ways_agree_on_one_realistic_layer():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((1, 8, 12, 12), dtype=np.float32)
    w = rng.standard_normal((16, 8, 3, 3), dtype=np.float32)
    b = rng.standard_normal(16, dtype=np.float32)
    expected = TF.conv2d(*to_torch((x, w, b)), padding=1).numpy()
    for function in (A.conv2d_naive, A.conv2d_offsets, A.conv2d_im2col, A.conv2d_fft, A.conv2d_winograd):
        assert_same(function(x, w, b, padding=1), expected, function.__name__)


@pytest.mark.parametrize("name", sorted(A.__all__))
def test_public_functions_have_type_hints_and_docstrings(name):
    function = getattr(A, name)
    signature = inspect.signature(function)
    missing = [p for p in signature.parameters.values() if p.annotation is inspect.Parameter.empty]
    assert not missing, f"{name}: parameters without type hints: {[p.name for p in missing]}"
    assert signature.return_annotation is not inspect.Signature.empty, f"{name}: no return type hint"
    assert function.__doc__ and len(function.__doc__.strip()) > 20, f"{name}: no docstring"
    if name.startswith("conv"):
        twin = getattr(TF, name.split("_")[0])
        assert "torch.nn.functional." + twin.__name__ in function.__doc__
