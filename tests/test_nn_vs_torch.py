"""convbook.nn against torch.nn: forward values, backward gradients (autograd),
initialisation distributions and the SGD update."""

import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from convbook import nn

TNN = torch.nn


def close(ours, theirs, rtol=1e-4, atol=1e-5):
    theirs = theirs.detach().numpy() if isinstance(theirs, torch.Tensor) else theirs
    assert ours.shape == theirs.shape, (ours.shape, theirs.shape)
    assert ours.dtype == theirs.dtype, (ours.dtype, theirs.dtype)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


def random(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def copy_parameters(ours: nn.Module, theirs: TNN.Module) -> None:
    """torch's parameters take our values (same names as its state_dict)."""
    with torch.no_grad():
        for name, value in theirs.named_parameters():
            value.copy_(torch.from_numpy(ours.named_parameters()[name]))


def forward_backward(ours: nn.Module, theirs: TNN.Module, x: np.ndarray, seed: int = 1):
    """Both layers on the same input and output gradient; compare output, input and parameter gradients."""
    xt = torch.tensor(x, requires_grad=True)
    yt = theirs(xt)
    g = random(seed, tuple(yt.shape))
    yt.backward(torch.from_numpy(g))
    y = ours.forward(x)
    close(y, yt)
    close(ours.backward(g), xt.grad)
    grads = ours.named_grads()
    for name, value in theirs.named_parameters():
        close(grads[name], value.grad)


@st.composite
def conv_configs(draw):
    groups = draw(st.sampled_from([1, 1, 2, 3]))
    in_channels = groups * draw(st.integers(1, 2))
    out_channels = groups * draw(st.integers(1, 2))
    kernel = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    stride = draw(st.tuples(st.integers(1, 3), st.integers(1, 3)))
    dilation = draw(st.tuples(st.integers(1, 2), st.integers(1, 2)))
    mode = draw(st.sampled_from(nn.PADDING_MODES))
    if stride == (1, 1) and draw(st.booleans()):
        padding = draw(st.sampled_from(["same", "valid"]))
    else:
        padding = draw(st.tuples(st.integers(0, 2), st.integers(0, 2)))
    reach = [d * (k - 1) + 1 for d, k in zip(dilation, kernel)]
    size = tuple(draw(st.integers(max(r, 3), 7)) for r in reach)  # reflect needs padding < size
    bias = draw(st.booleans())
    batch = draw(st.integers(1, 3))
    seed = draw(st.integers(0, 1000))
    return (
        dict(
            in_channels=in_channels,
            out_channels=out_channels,
            kernel_size=kernel,
            stride=stride,
            padding=padding,
            dilation=dilation,
            groups=groups,
            bias=bias,
            padding_mode=mode,
        ),
        (batch, in_channels, *size),
        seed,
    )


@settings(max_examples=60)
@given(conv_configs())
def test_conv2d_forward_and_backward_match_torch(config):
    kwargs, shape, seed = config
    ours = nn.Conv2d(**kwargs, rng=seed)
    theirs = TNN.Conv2d(**kwargs)
    copy_parameters(ours, theirs)
    forward_backward(ours, theirs, random(seed, shape))


@pytest.mark.parametrize("mode", nn.PADDING_MODES)
def test_conv2d_every_padding_mode(mode):
    kwargs = dict(in_channels=3, out_channels=4, kernel_size=(3, 2), stride=(2, 1), padding=(2, 1), padding_mode=mode)
    ours = nn.Conv2d(**kwargs, rng=0)
    theirs = TNN.Conv2d(**kwargs)
    copy_parameters(ours, theirs)
    forward_backward(ours, theirs, random(0, (2, 3, 6, 5)))


@pytest.mark.parametrize("mode", nn.PADDING_MODES)
def test_unbatched_layers_match_torch(mode):
    """(C, H, W) input, as torch accepts it."""
    x = random(0, (3, 6, 5))
    ours = nn.Conv2d(3, 4, 3, padding=1, padding_mode=mode, rng=0)
    theirs = TNN.Conv2d(3, 4, 3, padding=1, padding_mode=mode)
    copy_parameters(ours, theirs)
    forward_backward(ours, theirs, x)
    forward_backward(nn.MaxPool2d(2), TNN.MaxPool2d(2), x)
    forward_backward(nn.AvgPool2d(2), TNN.AvgPool2d(2), x)
    forward_backward(nn.GlobalAvgPool2d(), TNN.AdaptiveAvgPool2d(1), x)


@settings(max_examples=40)
@given(
    kernel=st.integers(1, 3),
    stride=st.one_of(st.none(), st.integers(1, 3)),
    padding=st.integers(0, 1),
    dilation=st.integers(1, 2),
    ceil_mode=st.booleans(),
    size=st.tuples(st.integers(4, 7), st.integers(4, 7)),
    seed=st.integers(0, 1000),
)
def test_max_pool2d_matches_torch(kernel, stride, padding, dilation, ceil_mode, size, seed):
    if 2 * padding > kernel:
        padding = kernel // 2
    args = dict(kernel_size=kernel, stride=stride, padding=padding, dilation=dilation, ceil_mode=ceil_mode)
    forward_backward(nn.MaxPool2d(**args), TNN.MaxPool2d(**args), random(seed, (2, 3, *size)))


@settings(max_examples=40)
@given(
    kernel=st.integers(1, 3),
    stride=st.one_of(st.none(), st.integers(1, 3)),
    padding=st.integers(0, 1),
    ceil_mode=st.booleans(),
    count_include_pad=st.booleans(),
    divisor_override=st.one_of(st.none(), st.integers(1, 5)),
    size=st.tuples(st.integers(3, 7), st.integers(3, 7)),
    seed=st.integers(0, 1000),
)
def test_avg_pool2d_matches_torch(kernel, stride, padding, ceil_mode, count_include_pad, divisor_override, size, seed):
    if 2 * padding > kernel:
        padding = kernel // 2
    args = (kernel, stride, padding, ceil_mode, count_include_pad, divisor_override)  # torch's order
    forward_backward(nn.AvgPool2d(*args), TNN.AvgPool2d(*args), random(seed, (2, 3, *size)))


@pytest.mark.parametrize("shape", [(2, 3, 4, 5), (1, 1, 1, 1), (3, 2, 7, 3)])
def test_global_avg_pool_matches_adaptive_avg_pool(shape):
    forward_backward(nn.GlobalAvgPool2d(), TNN.AdaptiveAvgPool2d(1), random(0, shape))


@pytest.mark.parametrize("shape", [(5, 7), (2, 3, 7)])
@pytest.mark.parametrize("bias", [True, False])
def test_linear_matches_torch(shape, bias):
    ours = nn.Linear(7, 4, bias=bias, rng=0)
    theirs = TNN.Linear(7, 4, bias=bias)
    copy_parameters(ours, theirs)
    forward_backward(ours, theirs, random(0, shape))


def test_max_pool2d_return_indices_like_torch():
    x = random(0, (2, 3, 6, 6))
    out, idx = nn.MaxPool2d(2, return_indices=True).forward(x)
    out_t, idx_t = TNN.MaxPool2d(2, return_indices=True)(torch.from_numpy(x))
    close(out, out_t)
    assert np.array_equal(idx, idx_t.numpy())


def test_relu_and_flatten_match_torch():
    x = random(0, (2, 3, 4, 5))
    forward_backward(nn.ReLU(), TNN.ReLU(), x)
    forward_backward(nn.Flatten(), TNN.Flatten(), x)


@pytest.mark.parametrize("batch", [1, 5, 32])
def test_softmax_cross_entropy_matches_cross_entropy_loss(batch):
    logits = 5 * random(batch, (batch, 10))
    target = np.random.default_rng(batch).integers(0, 10, batch)
    lt = torch.tensor(logits, requires_grad=True)
    loss_t = TNN.CrossEntropyLoss()(lt, torch.from_numpy(target))
    loss_t.backward()
    criterion = nn.SoftmaxCrossEntropy()
    assert criterion(logits, target) == pytest.approx(loss_t.item(), rel=1e-5)
    close(criterion.backward(), lt.grad, atol=1e-7)


def small_networks(seed=0):
    ours = nn.Sequential(
        nn.Conv2d(1, 4, 3, padding=1, rng=seed),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(4, 6, 3, padding=1, padding_mode="reflect", groups=2, rng=seed + 1),
        nn.ReLU(),
        nn.AvgPool2d(2, stride=1),
        nn.Conv2d(6, 8, 1, rng=seed + 2),
        nn.GlobalAvgPool2d(),
        nn.Flatten(),
        nn.Linear(8, 10, rng=seed + 3),
    )
    theirs = TNN.Sequential(
        TNN.Conv2d(1, 4, 3, padding=1),
        TNN.ReLU(),
        TNN.MaxPool2d(2),
        TNN.Conv2d(4, 6, 3, padding=1, padding_mode="reflect", groups=2),
        TNN.ReLU(),
        TNN.AvgPool2d(2, stride=1),
        TNN.Conv2d(6, 8, 1),
        TNN.AdaptiveAvgPool2d(1),
        TNN.Flatten(),
        TNN.Linear(8, 10),
    )
    theirs.load_state_dict({k: torch.from_numpy(v.copy()) for k, v in ours.named_parameters().items()})
    return ours, theirs


def test_whole_network_parameter_gradients_match_torch():
    ours, theirs = small_networks()
    assert set(ours.named_parameters()) == set(theirs.state_dict())
    x = random(0, (6, 1, 8, 8))
    y = np.array([0, 1, 2, 3, 4, 5])
    criterion = nn.SoftmaxCrossEntropy()
    loss = criterion(ours.forward(x), y)
    grad_input = ours.backward(criterion.backward())
    xt = torch.tensor(x, requires_grad=True)
    loss_t = TNN.functional.cross_entropy(theirs(xt), torch.from_numpy(y))
    loss_t.backward()
    assert loss == pytest.approx(loss_t.item(), rel=1e-5)
    close(grad_input, xt.grad, atol=1e-6)
    grads = ours.named_grads()
    for name, p in theirs.named_parameters():
        close(grads[name], p.grad, atol=1e-6)


def test_training_steps_match_torch():
    """Five SGD-with-momentum steps of the whole network: same losses, same weights."""
    ours, theirs = small_networks(seed=3)
    optimiser = nn.SGD(ours, lr=0.1, momentum=0.9)
    optimiser_t = torch.optim.SGD(theirs.parameters(), lr=0.1, momentum=0.9)
    criterion = nn.SoftmaxCrossEntropy()
    rng = np.random.default_rng(0)
    for _ in range(5):
        x, y = random(int(rng.integers(1000)), (8, 1, 8, 8)), rng.integers(0, 10, 8)
        loss = criterion(ours.forward(x), y)
        ours.backward(criterion.backward())
        optimiser.step()
        optimiser_t.zero_grad()
        loss_t = TNN.functional.cross_entropy(theirs(torch.from_numpy(x)), torch.from_numpy(y))
        loss_t.backward()
        optimiser_t.step()
        assert loss == pytest.approx(loss_t.item(), rel=1e-4)
    for name, p in theirs.named_parameters():
        close(ours.named_parameters()[name], p, atol=1e-5)


@pytest.mark.parametrize(
    ("make_ours", "make_theirs", "fan_in"),
    [
        (lambda: nn.Conv2d(16, 32, 3, rng=0), lambda: TNN.Conv2d(16, 32, 3), 16 * 9),
        (lambda: nn.Conv2d(8, 64, (5, 3), groups=4, rng=0), lambda: TNN.Conv2d(8, 64, (5, 3), groups=4), 2 * 15),
        (lambda: nn.Linear(200, 100, rng=0), lambda: TNN.Linear(200, 100), 200),
    ],
    ids=["conv", "grouped-conv", "linear"],
)
def test_initialisation_matches_torch_distribution(make_ours, make_theirs, fan_in):
    bound = 1 / math.sqrt(fan_in)
    assert nn.kaiming_uniform_bound(fan_in) == pytest.approx(bound)
    torch.manual_seed(0)
    ours, theirs = make_ours(), make_theirs()
    for name, p in theirs.named_parameters():
        w, wt = ours.params[name], p.detach().numpy()
        assert w.dtype == wt.dtype == np.float32
        assert w.shape == wt.shape
        for values in (w, wt):  # both uniform on [-bound, bound], weights and biases alike
            assert np.abs(values).max() <= bound
            if values.size >= 1000:  # close to the bound, centred, std of a uniform: bound / sqrt(3)
                assert np.abs(values).max() > 0.99 * bound
                assert abs(values.mean()) < 0.05 * bound
                assert values.std() == pytest.approx(bound / math.sqrt(3), rel=0.05)
            else:
                assert np.abs(values).max() > 0.5 * bound


def test_initialisation_is_seeded():
    a, b, c = nn.Conv2d(2, 3, 3, rng=7), nn.Conv2d(2, 3, 3, rng=7), nn.Conv2d(2, 3, 3, rng=8)
    assert np.array_equal(a.params["weight"], b.params["weight"])
    assert not np.array_equal(a.params["weight"], c.params["weight"])


@pytest.mark.parametrize(
    "options",
    [
        dict(lr=0.1),
        dict(lr=0.1, momentum=0.9),
        dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01),
        dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.001),
    ],
)
def test_sgd_steps_match_torch(options):
    layer = nn.Linear(5, 3, rng=0)
    params_t = {k: torch.tensor(v, requires_grad=True) for k, v in layer.params.items()}
    optimiser = nn.SGD(layer, **options)
    optimiser_t = torch.optim.SGD(params_t.values(), **options)
    for step in range(4):
        for name in layer.params:
            g = random(10 * step + len(name), layer.params[name].shape)
            layer.grads[name] = g
            params_t[name].grad = torch.from_numpy(g.copy())
        optimiser.step()
        optimiser_t.step()
        for name in layer.params:
            close(layer.params[name], params_t[name], rtol=1e-6, atol=1e-7)


def test_sgd_updates_in_place_and_skips_missing_gradients():
    layer = nn.Linear(3, 2, rng=0)
    weight, before = layer.params["weight"], layer.params["bias"].copy()
    layer.grads["weight"] = np.ones_like(weight)
    nn.SGD(layer, lr=0.5).step()
    assert layer.params["weight"] is weight
    assert np.array_equal(layer.params["bias"], before)


def test_load_state_dict_checks_names_and_shapes():
    ours, theirs = small_networks()
    ours.load_state_dict(theirs.state_dict())
    with pytest.raises(KeyError):
        ours.load_state_dict({"0.weight": np.zeros((4, 1, 3, 3), np.float32)})
    state = {k: v.numpy() for k, v in theirs.state_dict().items()}
    state["0.weight"] = np.zeros((4, 1, 2, 2), np.float32)
    with pytest.raises(ValueError):
        ours.load_state_dict(state)


def test_invalid_layer_arguments_raise():
    with pytest.raises(ValueError, match="groups"):
        nn.Conv2d(10, 6, 3, groups=5)
    with pytest.raises(ValueError, match="padding_mode"):
        nn.Conv2d(1, 1, 3, padding_mode="mirror")
