"""convbook.summary against torch: parameter counts from torch.nn, shapes and
multiply-adds measured on the ``meta`` device (nothing large is allocated),
receptive fields measured with impulses on small networks.

Three kinds of check: the chapter's architectures against torch models
written here by hand, the way the papers and torchvision define them (not
through ``summary.to_torch``); random networks of every record kind,
including configurations torch refuses, against their ``to_torch`` twin,
layer by layer; and receptive fields of networks with branches against the
inputs an impulse reaches.
"""

from __future__ import annotations

import math

import pytest
import torch
from hypothesis import assume, event, given
from hypothesis import strategies as st
from torch import nn
from torch.utils.flop_counter import FlopCounterMode

from convbook import summary as S

# ----------------------------------------------------------------- hand-written torch models


def lenet5_torch() -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(6, 16, 5), nn.Tanh(), nn.AvgPool2d(2),
        nn.Conv2d(16, 120, 5), nn.Tanh(), nn.Flatten(),
        nn.Linear(120, 84), nn.Tanh(), nn.Linear(84, 10),
    )  # fmt: skip


def alexnet_torch(groups: int) -> nn.Module:
    return nn.Sequential(
        nn.Conv2d(3, 96, 11, 4), nn.ReLU(), nn.LocalResponseNorm(5), nn.MaxPool2d(3, 2),
        nn.Conv2d(96, 256, 5, padding=2, groups=groups), nn.ReLU(), nn.LocalResponseNorm(5), nn.MaxPool2d(3, 2),
        nn.Conv2d(256, 384, 3, padding=1), nn.ReLU(),
        nn.Conv2d(384, 384, 3, padding=1, groups=groups), nn.ReLU(),
        nn.Conv2d(384, 256, 3, padding=1, groups=groups), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Flatten(), nn.Dropout(), nn.Linear(256 * 6 * 6, 4096), nn.ReLU(),
        nn.Dropout(), nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000),
    )  # fmt: skip


def vgg16_torch() -> nn.Module:
    layers, channels = [], 3
    for v in [64, 64, "M", 128, 128, "M", 256, 256, 256, "M", 512, 512, 512, "M", 512, 512, 512, "M"]:
        if v == "M":
            layers.append(nn.MaxPool2d(2, 2))
        else:
            layers += [nn.Conv2d(channels, v, 3, padding=1), nn.ReLU(inplace=True)]
            channels = v
    return nn.Sequential(
        *layers, nn.Flatten(), nn.Linear(512 * 7 * 7, 4096), nn.ReLU(), nn.Linear(4096, 4096), nn.ReLU(),
        nn.Linear(4096, 1000),
    )  # fmt: skip


def nin_torch() -> nn.Module:
    def block(cin, cout, k, s, p):
        return [nn.Conv2d(cin, cout, k, s, p), nn.ReLU(), nn.Conv2d(cout, cout, 1), nn.ReLU(),
                nn.Conv2d(cout, cout, 1), nn.ReLU()]  # fmt: skip

    return nn.Sequential(
        *block(3, 96, 11, 4, 0), nn.MaxPool2d(3, 2), *block(96, 256, 5, 1, 2), nn.MaxPool2d(3, 2),
        *block(256, 384, 3, 1, 1), nn.MaxPool2d(3, 2), nn.Dropout(0.5), *block(384, 1000, 3, 1, 1),
        nn.AdaptiveAvgPool2d((1, 1)), nn.Flatten(),
    )  # fmt: skip


class Inception(nn.Module):
    def __init__(self, cin, c1, c3r, c3, c5r, c5, pool_proj):
        super().__init__()
        self.b1 = nn.Conv2d(cin, c1, 1)
        self.b2 = nn.Sequential(nn.Conv2d(cin, c3r, 1), nn.ReLU(), nn.Conv2d(c3r, c3, 3, padding=1))
        self.b3 = nn.Sequential(nn.Conv2d(cin, c5r, 1), nn.ReLU(), nn.Conv2d(c5r, c5, 5, padding=2))
        self.b4 = nn.Sequential(nn.MaxPool2d(3, 1, 1), nn.Conv2d(cin, pool_proj, 1))

    def forward(self, x):
        return torch.cat([self.b1(x), self.b2(x), self.b3(x), self.b4(x)], 1)


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        out = self.bn2(self.conv2(torch.relu(self.bn1(self.conv1(x)))))
        return torch.relu(out + (x if self.downsample is None else self.downsample(x)))


def resnet18_torch() -> nn.Module:
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for cout, stride in [(64, 1), (128, 2), (256, 2), (512, 2)]:
        layers += [BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1)]
        cin = cout
    return nn.Sequential(*layers, nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(512, 1000))


def mobilenet_v1_torch() -> nn.Module:
    def conv_bn(cin, cout, k, s, groups=1):
        return [nn.Conv2d(cin, cout, k, s, k // 2, groups=groups, bias=False), nn.BatchNorm2d(cout), nn.ReLU()]

    layers = conv_bn(3, 32, 3, 2)
    cin = 32
    for cout, s in (
        [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    ):
        layers += conv_bn(cin, cin, 3, s, groups=cin) + conv_bn(cin, cout, 1, 1)
        cin = cout
    return nn.Sequential(*layers, nn.AvgPool2d(7), nn.Flatten(), nn.Linear(1024, 1000))


ARCHITECTURES = {
    "lenet5": (S.lenet5, lenet5_torch, (1, 32, 32)),
    "alexnet-2gpu": (lambda: S.alexnet(2), lambda: alexnet_torch(2), (3, 227, 227)),
    "alexnet-1gpu": (lambda: S.alexnet(1), lambda: alexnet_torch(1), (3, 227, 227)),
    "vgg16": (S.vgg16, vgg16_torch, (3, 224, 224)),
    "nin": (S.nin, nin_torch, (3, 224, 224)),
    "inception3a": (S.inception_3a, lambda: Inception(192, 64, 96, 128, 16, 32, 32), (192, 28, 28)),
    "resnet18": (S.resnet18, resnet18_torch, (3, 224, 224)),
    "mobilenet_v1": (S.mobilenet_v1, mobilenet_v1_torch, (3, 224, 224)),
}


def measure(model: nn.Module, input_shape, batch_size=1):
    """Output shape, parameter count and multiply-adds of a meta-device model."""
    x = torch.empty(batch_size, *input_shape, device="meta")
    counter = FlopCounterMode(display=False)
    with torch.no_grad(), counter:
        y = model(x)
    return tuple(y.shape[1:]), sum(p.numel() for p in model.parameters()), counter.get_total_flops() // 2


@pytest.mark.parametrize("name", list(ARCHITECTURES))
def test_architectures_match_hand_written_torch_models(name):
    ours, theirs, input_shape = ARCHITECTURES[name]
    with torch.device("meta"):
        model = theirs()
    shape, params, macs = measure(model, input_shape, batch_size=2)
    summary = S.summarize(ours(), input_shape, batch_size=2)
    assert summary.output_shape == shape
    assert summary.params == params
    assert summary.macs == macs
    # The twin built from the description agrees too (that is what the chapter runs).
    assert S.measure_in_torch(ours(), input_shape, batch_size=2) == {
        "output_shape": shape,
        "params": params,
        "macs": macs,
    }


def test_published_parameter_counts():
    # torchvision's model docs and the papers: VGG-16 138,357,544; ResNet-18 11,689,512; AlexNet's "60 million".
    assert S.summarize(S.vgg16(), (3, 224, 224)).params == 138_357_544
    assert S.summarize(S.resnet18(), (3, 224, 224)).params == 11_689_512
    assert round(S.summarize(S.alexnet(), (3, 227, 227)).params / 1e6) == 61


def test_alexnet_224_puzzle():
    # 224 - 11 is not a multiple of 4: the first layer's output would be 54.25 windows wide.
    assert S.summarize(S.alexnet()[:1], (3, 224, 224)).output_shape == (96, 54, 54)
    assert S.summarize(S.alexnet()[:1], (3, 227, 227)).output_shape == (96, 55, 55)
    with pytest.raises(RuntimeError):  # torch agrees that 224 breaks the network's fc6
        with torch.device("meta"):
            alexnet_torch(2)(torch.empty(1, 3, 224, 224))


# ----------------------------------------------------------------- random networks vs their torch twin


def conv_records(draw, keep_size: bool):
    """A random Conv record; ``keep_size`` makes 'same' padding and stride 1 likely (branches must match)."""
    if keep_size and draw(st.integers(0, 3)):
        padding, stride = "same", 1
    else:
        padding = draw(st.one_of(st.integers(0, 2), st.just("same"), st.just("valid")))
        stride = 1 if padding == "same" and draw(st.integers(0, 4)) else draw(st.sampled_from([1, 1, 2, 3]))
    return S.Conv(
        draw(st.sampled_from([1, 2, 3, 4, 6])),
        draw(st.integers(1, 4)),
        stride,
        padding,
        draw(st.sampled_from([1, 1, 2])),
        draw(st.sampled_from([1] * 8 + [2, 3])),
        draw(st.booleans()),
        draw(st.booleans()),
    )


def pool_padding(kernel: int):
    """Within torch's limit of half the kernel, but one time in ten up to 2 (which may break it)."""
    return st.integers(0, 9).flatmap(lambda r: st.integers(0, 2) if r == 0 else st.integers(0, kernel // 2))


@st.composite
def networks(draw, spatial_dims: int, depth: int = 0):
    """A random list of records (values may break torch's rules; about half do), ending in anything."""
    layers = []
    inside = depth > 0
    for _ in range(draw(st.integers(1, 4 if depth == 0 else 2))):
        kinds = ["conv", "conv", "max", "avg"] + (["concat", "residual"] if depth < 1 else [])
        kind = draw(st.sampled_from(kinds))
        size = st.integers(1, 4)
        if kind == "conv":
            layers.append(conv_records(draw, keep_size=inside))
        elif kind == "max":
            k = draw(size)
            if inside and draw(st.booleans()):
                layers.append(S.MaxPool(3, 1, 1))
            else:
                layers.append(S.MaxPool(k, draw(st.none() | size), draw(pool_padding(k)),
                                        draw(st.integers(1, 2)), draw(st.booleans())))  # fmt: skip
        elif kind == "avg":
            k = draw(size)
            layers.append(S.AvgPool(k, draw(st.none() | size), draw(pool_padding(k)), draw(st.booleans())))
        elif kind == "concat":
            branches = draw(st.lists(networks(spatial_dims, depth + 1), min_size=1, max_size=3))
            layers.append(S.Concat(*branches))
        else:
            main = draw(networks(spatial_dims, depth + 1))
            shortcut = draw(st.sampled_from(["identity", "projection", "projection", "random"]))
            if shortcut == "projection" and isinstance(main[-1], S.Conv):
                strides = [getattr(m, "stride", None) or m.kernel_size for m in main]
                layers.append(S.Residual(main, [S.Conv(main[-1].out_channels, 1, math.prod(strides), bias=False)]))
            elif shortcut == "random":
                layers.append(S.Residual(main, draw(networks(spatial_dims, depth + 1))))
            else:
                layers.append(S.Residual(main))
    if depth == 0:
        tail = draw(st.sampled_from(["none", "gap", "flatten"]))
        if tail == "gap":
            layers += [S.GlobalAvgPool(), S.Flatten(), S.Linear(draw(st.integers(1, 5)), draw(st.booleans()))]
        elif tail == "flatten":
            layers += [S.Flatten(), S.Linear(draw(st.integers(1, 5))), S.Linear(draw(st.integers(1, 3)))]
    return layers


LEAF_MODULES = (
    nn.Conv1d, nn.Conv2d, nn.MaxPool1d, nn.MaxPool2d, nn.AvgPool1d, nn.AvgPool2d, nn.AdaptiveAvgPool1d,
    nn.AdaptiveAvgPool2d, nn.Flatten, nn.LazyLinear, nn.Linear,
)  # fmt: skip


@pytest.mark.filterwarnings("ignore:Using padding='same' with even kernel lengths")
@given(
    spatial_dims=st.integers(1, 2),
    data=st.data(),
    channels=st.integers(1, 6),
    size=st.integers(1, 16),
    batch_size=st.integers(1, 3),
)
def test_random_networks_layer_by_layer(spatial_dims, data, channels, size, batch_size):
    layers = data.draw(networks(spatial_dims))
    input_shape = (channels,) + (size,) * spatial_dims
    try:
        with torch.device("meta"):
            model = S.to_torch(layers, input_shape).eval()  # batch norm in training mode refuses 1 value
            outputs = []
            for module in model.modules():
                if isinstance(module, LEAF_MODULES):
                    module.register_forward_hook(lambda m, i, o: outputs.append(tuple(o.shape)))
            shape, params, macs = measure(model, input_shape, batch_size)
        torch_error = None
    except (RuntimeError, ValueError) as error:
        torch_error = error
    event(f"torch refused: {str(torch_error)[:40]}" if torch_error else "torch accepted")
    if torch_error is not None:
        with pytest.raises(ValueError):
            S.summarize(layers, input_shape, batch_size)
        return
    summary = S.summarize(layers, input_shape, batch_size, bytes_per_element=4)
    leaves = [r for r in summary.rows if not r.block]
    assert [(batch_size, *r.output_shape) for r in leaves] == outputs
    assert [r.activation_bytes for r in leaves] == [4 * math.prod(o) for o in outputs]
    assert (summary.output_shape, summary.params, summary.macs) == (shape, params, macs)
    assert summary.params == sum(r.params for r in leaves)
    assert summary.macs == sum(r.macs for r in leaves)


# ----------------------------------------------------------------- receptive fields with branches


@given(data=st.data(), margin=st.integers(0, 3))
def test_receptive_field_of_branching_networks_is_what_an_impulse_reaches(data, margin):
    layers = data.draw(networks(1))
    layers = [layer for layer in layers if not isinstance(layer, (S.GlobalAvgPool, S.Flatten, S.Linear))]
    try:
        probe = S.summarize(layers, (1, 400))
    except ValueError:
        assume(False)
    assume(probe.receptive_field is not None)
    field = probe.receptive_field[0]
    i = max(0, math.ceil((margin - field.start) / field.jump))
    first = field.start + i * field.jump
    last = first + field.size - 1
    length = last + 1 + margin
    assume(length <= 400)
    try:
        summary = S.summarize(layers, (1, length))
    except ValueError:
        assume(False)
    assert summary.receptive_field[0] == field  # the field does not depend on the input size
    model = S.to_torch(layers, (1, length)).double()
    with torch.no_grad():
        for m in model.modules():  # weights of ones and zero biases: every path carries an impulse
            if isinstance(m, nn.Conv1d):
                m.weight.fill_(1.0)
                if m.bias is not None:
                    m.bias.zero_()
    model.eval()  # batch norm with its initial statistics: the identity, up to its epsilon
    with torch.no_grad():
        impulses = torch.eye(length, dtype=torch.float64).unsqueeze(1)
        out = model(impulses)
    reached = torch.nonzero(out[:, :, i].abs().sum(dim=1)).flatten()
    assert (reached.min().item(), reached.max().item()) == (first, last), layers


def test_global_pooling_sees_the_whole_last_map():
    rows = S.summarize(S.vgg16(), (3, 224, 224)).rows
    by_name = {r.name: r.receptive_field[0] for r in rows}
    # Araujo et al. (Distill 2019) list VGG-16's conv5_3 field as 196, pool5's as 212.
    assert by_name["conv5_3"].size == 196 and by_name["pool5"].size == 212
    assert by_name["flatten"].size == 212 + (7 - 1) * 32 and by_name["fc8"] == by_name["flatten"]


# ----------------------------------------------------------------- the records and the table


def test_table_lists_every_row_and_the_totals():
    summary = S.summarize(S.resnet18(), (3, 224, 224))
    text = summary.table()
    assert len(text.splitlines()) == len(summary.rows) + 4
    assert f"{summary.params:,}" in text.splitlines()[-1]
    assert len(summary.table(max_depth=0).splitlines()) == len(summary.top) + 4
    block = next(r for r in summary.rows if r.name == "layer2.0")
    children = [r for r in summary.rows if r.name.startswith("layer2.0.")]
    assert block.params == sum(r.params for r in children)
    assert block.activation_bytes == sum(r.activation_bytes for r in children) + 4 * 128 * 28 * 28
    assert summary.activation_bytes == sum(r.activation_bytes for r in summary.top)


@pytest.mark.parametrize(
    ("layers", "shape", "words"),
    [
        ([S.Conv(4, 5, name="c")], (3, 4, 4), "c: the kernel"),
        ([S.Conv(4, 3, groups=2)], (3, 8, 8), "groups=2 must divide"),
        ([S.Conv(4, 3, stride=2, padding="same")], (3, 8, 8), "padding='same' is not supported"),
        ([S.Conv(4, 3, padding="full")], (3, 8, 8), "padding must be"),
        ([S.MaxPool(3, 1, 2)], (3, 8, 8), "at most half"),
        ([S.MaxPool(5, 3)], (3, 4, 4), "window is larger"),
        ([S.Linear(3)], (3, 4, 4), "add Flatten first"),
        ([S.Flatten(), S.Conv(2, 1)], (3, 4, 4), "flat shape"),
        ([S.Residual([S.Conv(4, 1)])], (3, 4, 4), "cannot add"),
        ([S.Concat([S.Conv(4, 1)], [S.Conv(4, 1, stride=2)])], (3, 4, 4), "concatenated"),
        ([S.Conv(4, (3, 3, 3))], (3, 8, 8), "kernel_size must be an int or a tuple of 2"),
        ([S.Conv(4, 3)], (3,), "input_shape"),
    ],
)
def test_refusals_name_the_layer_and_the_rule(layers, shape, words):
    with pytest.raises(ValueError, match=words.replace("(", r"\(")):
        S.summarize(layers, shape)


def test_wrong_kinds_of_value_are_type_errors():
    with pytest.raises(TypeError, match="kernel_size must be an int"):
        S.summarize([S.Conv(4, 2.5)], (3, 8, 8))
    with pytest.raises(TypeError, match="not a layer record"):
        S.summarize([nn.Conv2d(3, 4, 3)], (3, 8, 8))
    with pytest.raises(TypeError, match="ceil_mode must be a bool"):
        S.summarize([S.MaxPool(2, ceil_mode=1)], (3, 8, 8))
    with pytest.raises(ValueError, match="at least one branch"):
        S.Concat()


def test_depthwise_separable_saving():
    # MobileNet's count: a 3x3 depthwise plus a 1x1 pointwise layer costs 1/N + 1/9 of a full 3x3 layer.
    full = S.summarize([S.Conv(256, 3, padding=1, bias=False)], (128, 28, 28)).macs
    separable = S.summarize(
        [S.Conv(128, 3, padding=1, groups=128, bias=False), S.Conv(256, 1, bias=False)], (128, 28, 28)
    )
    assert separable.macs * 9 * 256 == full * (9 + 256)
    _, _, torch_macs = measure(
        nn.Sequential(nn.Conv2d(128, 128, 3, padding=1, groups=128, bias=False), nn.Conv2d(128, 256, 1, bias=False)).to(
            "meta"
        ),
        (128, 28, 28),
    )
    assert separable.macs == torch_macs


def test_same_padding_puts_the_extra_pixel_on_the_right():
    field = S.summarize([S.Conv(1, 4, padding="same")], (1, 20)).receptive_field[0]
    assert field == S.ReceptiveField(4, 1, -1)
    conv = nn.Conv1d(1, 1, 4, padding="same", bias=False)
    with torch.no_grad():
        conv.weight.fill_(1.0)
        out = conv(torch.eye(20).unsqueeze(1))[:, 0, 5]  # output 5 reads inputs 4..7
    assert torch.nonzero(out).flatten().tolist() == list(range(5 + field.start, 5 + field.start + field.size))
