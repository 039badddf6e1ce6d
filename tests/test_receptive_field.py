"""convbook.shapes.receptive_field against receptive fields measured in torch.

Two measurements, both on random stacks of convolutions and poolings:
impulses (one forward pass over a batch of one-hot inputs: output ``i``
depends on input ``j`` when the impulse at ``j`` reaches it) and the
gradient of one output with respect to the input. Both see only what lies
inside the input and, with dilation or large strides, a field with holes; so
the tests compare the first and last input index an output depends on with
``start + i * jump`` and ``start + i * jump + size - 1`` for an output whose
field lies inside the input, and check that no output depends on anything
outside its computed field.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pytest
import torch
import torch.nn.functional as TF
from hypothesis import assume, given
from hypothesis import strategies as st

from convbook.shapes import ReceptiveField, receptive_field

LAYER_KINDS = ("conv", "max", "avg")


@st.composite
def layers(draw, kinds=LAYER_KINDS, max_layers=4):
    """A stack of (kind, kernel, stride, padding, dilation) that torch accepts (padding within torch's limits)."""
    stack = []
    for _ in range(draw(st.integers(1, max_layers))):
        kind = draw(st.sampled_from(kinds))
        kernel = draw(st.integers(1, 5 if kind == "conv" else 4))
        stride = draw(st.integers(1, 3))
        if kind == "conv":
            padding, dilation = draw(st.integers(0, 3)), draw(st.integers(1, 3))
        else:  # torch: pooling padding at most half the kernel; avg_pool has no dilation
            padding = draw(st.integers(0, kernel // 2))
            dilation = draw(st.integers(1, 3)) if kind == "max" else 1
        stack.append((kind, kernel, stride, padding, dilation))
    return stack


def run_1d(x: torch.Tensor, stack, weights=None) -> torch.Tensor:
    """Apply the stack with torch.nn.functional to (N, 1, L) input; conv weights default to ones."""
    for n, (kind, k, s, p, d) in enumerate(stack):
        if kind == "conv":
            w = torch.ones(1, 1, k, dtype=x.dtype) if weights is None else weights[n]
            x = TF.conv1d(x, w, stride=s, padding=p, dilation=d)
        elif kind == "max":
            x = TF.max_pool1d(x, k, s, p, d)
        else:
            x = TF.avg_pool1d(x, k, s, p)
    return x


def run_2d(x: torch.Tensor, stack, weights) -> torch.Tensor:
    """The same stack with square 2D layers on (N, 1, H, W) input."""
    for n, (kind, k, s, p, d) in enumerate(stack):
        if kind == "conv":
            x = TF.conv2d(x, weights[n], stride=s, padding=p, dilation=d)
        elif kind == "max":
            x = TF.max_pool2d(x, k, s, p, d)
        else:
            x = TF.avg_pool2d(x, k, s, p)
    return x


def as_layers(stack) -> list[tuple[int, int, int, int]]:
    return [(k, s, p, d) for _, k, s, p, d in stack]


def inside_output(field: ReceptiveField, margin: int) -> int:
    """The first output whose whole field starts at input index >= margin."""
    return max(0, math.ceil((margin - field.start) / field.jump))


@given(stack=layers(), margin=st.integers(0, 3), extra=st.integers(0, 3))
def test_impulses_reach_exactly_the_computed_field(stack, margin, extra):
    field = receptive_field(as_layers(stack))[-1]
    i = inside_output(field, margin)
    first = field.start + i * field.jump
    last = first + field.size - 1
    length = last + 1 + extra
    assume(length <= 1200)
    impulses = torch.eye(length, dtype=torch.float64).unsqueeze(1)  # impulse j is batch element j
    out = run_1d(impulses, stack)[:, 0, :]  # (impulse position, output position)
    assert out.shape[1] > i, f"output {i} should exist: its field [{first}, {last}] lies inside length {length}"
    reached = torch.nonzero(out[:, i]).flatten()
    assert reached.min().item() == first, f"stack {stack}: first input of output {i}"
    assert reached.max().item() == last, f"stack {stack}: last input of output {i}"
    # No output depends on an input outside its field (clipped to the input; columns a max pool
    # made -inf, from a window of padding only, say nothing and are left out).
    for o in range(out.shape[1]):
        column = out[:, o]
        if torch.isfinite(column).all():
            hit = torch.nonzero(column).flatten()
            lo, hi = field.start + o * field.jump, field.start + o * field.jump + field.size - 1
            assert hit.numel() == 0 or (hit.min().item() >= lo and hit.max().item() <= hi), (stack, o)


@given(
    stack=layers(kinds=("conv", "avg")),
    margin=st.integers(0, 3),
    extra=st.integers(0, 3),
    seed=st.integers(0, 2**32 - 1),
)
def test_gradient_of_one_output_spans_the_computed_field(stack, margin, extra, seed):
    field = receptive_field(as_layers(stack))[-1]
    i = inside_output(field, margin)
    first = field.start + i * field.jump
    last = first + field.size - 1
    length = last + 1 + extra
    generator = torch.Generator().manual_seed(seed)
    weights = [torch.rand(1, 1, k, generator=generator, dtype=torch.float64) + 0.5 for _, k, *_ in stack]
    x = torch.rand(1, 1, length, generator=generator, dtype=torch.float64, requires_grad=True)
    out = run_1d(x, stack, weights)
    out[0, 0, i].backward()
    touched = torch.nonzero(x.grad[0, 0]).flatten()
    assert touched.min().item() == first and touched.max().item() == last, (stack, i)
    # Every touched index is one of the taps: the field may have holes, but never more than size inputs.
    assert touched.numel() <= field.size


@given(
    stack=layers(kinds=("conv", "max", "avg"), max_layers=3),
    margin=st.integers(0, 2),
    seed=st.integers(0, 2**32 - 1),
)
def test_square_2d_stack_has_the_1d_field_along_each_dimension(stack, margin, seed):
    field = receptive_field(as_layers(stack))[-1]
    i = inside_output(field, margin)
    first = field.start + i * field.jump
    last = first + field.size - 1
    side = last + 1 + margin
    assume(side <= 160)
    generator = torch.Generator().manual_seed(seed)
    weights = [torch.rand(1, 1, k, k, generator=generator, dtype=torch.float64) + 0.5 for _, k, *_ in stack]
    # Impulses along a row and along a column: the 2D field is the product of the 1D ones.
    for axis in (0, 1):
        impulses = torch.zeros(side, 1, side, side, dtype=torch.float64)
        for j in range(side):
            if axis == 0:
                impulses[j, 0, j, :] = 1.0
            else:
                impulses[j, 0, :, j] = 1.0
        out = run_2d(impulses, stack, weights)
        reached = torch.nonzero(out[:, 0, i, i]).flatten()
        assert (reached.min().item(), reached.max().item()) == (first, last), (stack, axis)


# ---------------------------------------------------------------- the recurrence and its API


def test_worked_cases():
    assert receptive_field([(3,)] * 3)[-1] == ReceptiveField(7, 1, 0)
    assert receptive_field([(7,)])[-1].size == 7
    # AlexNet's first layer: 11 wide, stride 4; then a 3-wide pooling with stride 2.
    assert receptive_field([(11, 4), (3, 2)]) == [ReceptiveField(11, 4, 0), ReceptiveField(19, 8, 0)]
    # The padding of a later layer moves the start by that layer's input jump.
    assert receptive_field([(3, 2, 1), (3, 1, 1)]) == [ReceptiveField(3, 2, -1), ReceptiveField(7, 2, -3)]
    # WaveNet: kernel 2, dilations 1, 2, ..., 512 reach 1024 samples.
    assert receptive_field([{"kernel_size": 2, "dilation": 2**n} for n in range(10)])[-1].size == 1024
    assert receptive_field([]) == []


def test_dict_and_tuple_forms_and_defaults_agree():
    as_dicts = [
        {"kernel_size": 3},
        {"kernel_size": 2, "stride": 2},
        {"kernel_size": 3, "padding": 1, "dilation": 2},
        {"kernel_size": 5, "stride": 3, "padding": 2, "dilation": 1},
    ]
    as_tuples = [(3,), (2, 2), (3, 1, 1, 2), (5, 3, 2, 1)]
    assert receptive_field(as_dicts) == receptive_field(as_tuples) == receptive_field([list(t) for t in as_tuples])
    assert receptive_field([(np.int64(3), np.int32(2))]) == [ReceptiveField(3, 2, 0)]
    assert all(type(v) is int for v in receptive_field([(np.int64(3), np.int64(2))])[0])


@given(
    kernel=st.one_of(st.integers(-1, 4), st.just(True), st.just(2.0)),
    stride=st.one_of(st.integers(-1, 3), st.just(True), st.just(1.5)),
    padding=st.one_of(st.integers(-2, 3), st.just(False), st.just(0.0)),
    dilation=st.one_of(st.integers(-1, 3), st.just(True), st.just(2.0)),
)
def test_refuses_exactly_what_torch_refuses(kernel, stride, padding, dilation):
    # torch's verdict: max_pool1d judges kernel_size (a conv's kernel is a weight shape, where torch
    # takes True for 1), conv1d judges stride, padding and dilation.
    x = torch.zeros(1, 1, 100)
    try:
        TF.max_pool1d(x, kernel, 1)
        TF.conv1d(x, torch.zeros(1, 1, 3), stride=stride, padding=padding, dilation=dilation)
        torch_error = None
    except (RuntimeError, TypeError, ValueError) as error:
        torch_error = error
    layer = {"kernel_size": kernel, "stride": stride, "padding": padding, "dilation": dilation}
    if torch_error is None:
        assert receptive_field([layer])[0].size == (kernel - 1) * dilation + 1
        return
    with pytest.raises((ValueError, TypeError)) as caught:
        receptive_field([(2,), layer])
    minimum = {"kernel_size": 1, "stride": 1, "padding": 0, "dilation": 1}
    bad = [name for name, value in layer.items() if type(value) is not int or value < minimum[name]]
    assert bad, f"torch refused a layer convbook accepts, {layer}: {torch_error}"
    # Parameters are checked in order, the kind of value before its range.
    first_bad = bad[0]
    expected = TypeError if type(layer[first_bad]) is not int else ValueError
    message = str(caught.value)
    assert caught.type is expected and f"layer 1: {first_bad}" in message, (layer, caught.type, message)


@pytest.mark.parametrize(
    ("layers_", "error", "words"),
    [
        ([{"stride": 2}], ValueError, "kernel_size is required"),
        ([{"kernel_size": 3, "kernel": 3}], ValueError, "unknown keys ['kernel']"),
        ([()], ValueError, "1 to 4 items"),
        ([(3, 1, 0, 1, 1)], ValueError, "1 to 4 items"),
        ([3], TypeError, "layer 0 must be a dict or a tuple"),
        ([{"kernel_size": 3, "padding": "same"}], TypeError, "padding must be an int"),
        ([{"kernel_size": (3, 3)}], TypeError, "kernel_size must be an int"),
        ({"kernel_size": 3}, TypeError, "layers must be a sequence"),
        ("3", TypeError, "layers must be a sequence"),
    ],
)
def test_malformed_layers_are_named(layers_, error, words):
    with pytest.raises(error, match=re.escape(words)):
        receptive_field(layers_)
