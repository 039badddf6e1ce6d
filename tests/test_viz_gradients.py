"""The gradient figures draw what convbook.grad computes, and that agrees with torch.autograd."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

from convbook.viz import gradients as vg  # noqa: E402

W = np.array([[1.0, 2.0], [3.0, 4.0]])
G = np.array([[1.0, -1.0], [2.0, 0.5]])
X = np.array([[1.0, 3.0, 2.0, 1.0], [3.0, 0.0, 1.0, 2.0], [0.0, 1.0, 4.0, 4.0], [2.0, 1.0, 0.0, 1.0]])


def cell_texts(ax):
    return [t.get_text() for t in ax.texts]


def torch_input_grad(input_shape, weight, grad_output, **kwargs):
    x = torch.zeros(1, 1, *input_shape, dtype=torch.float64, requires_grad=True)
    y = torch.nn.functional.conv2d(x, torch.from_numpy(weight[None, None]), **kwargs)
    y.backward(torch.from_numpy(grad_output[None, None]))
    return x.grad[0, 0].numpy()


@pytest.mark.parametrize(
    "input_shape, stride, padding, dilation",
    [((3, 3), 1, 0, 1), ((5, 5), 2, 0, 1), ((2, 2), 2, 1, 1), ((5, 5), 1, 0, 3)],
)
def test_stamps_sum_to_the_autograd_input_gradient(input_shape, stride, padding, dilation):
    parts = vg.gradient_stamps(G, W, input_shape, stride, padding, dilation)
    assert len(parts) == G.size
    expected = torch_input_grad(input_shape, W, G, stride=stride, padding=padding, dilation=dilation)
    np.testing.assert_allclose(sum(stamp for _, stamp in parts), expected)


def test_each_stamp_is_the_scaled_kernel_on_its_forward_window():
    for (a, b), stamp in vg.gradient_stamps(G, W, (3, 3)):
        np.testing.assert_array_equal(stamp[a : a + 2, b : b + 2], G[a, b] * W)
        assert stamp.sum() == G[a, b] * W.sum()


def test_draw_gradient_stamps_writes_the_input_gradient():
    fig = vg.draw_gradient_stamps(G, W, (3, 3))
    total_ax = [ax for ax in fig.axes if ax.get_title() == "input gradient (sum)"][0]
    expected = torch_input_grad((3, 3), W, G)
    assert cell_texts(total_ax) == [f"{v:.2f}" if not float(v).is_integer() else str(int(v)) for v in expected.ravel()]
    assert len(fig.axes) == G.size + 1
    plt.close(fig)


def torch_pool_grad(x, grad_output, mode, kernel_size, stride, padding, **kwargs):
    xt = torch.from_numpy(x[None, None]).requires_grad_()
    pool = {"max": torch.nn.functional.max_pool2d, "avg": torch.nn.functional.avg_pool2d}[mode]
    pool(xt, kernel_size, stride, padding, **kwargs).backward(torch.from_numpy(grad_output[None, None]))
    return xt.grad[0, 0].numpy()


@pytest.mark.parametrize(
    "mode, kernel_size, stride, padding, kwargs",
    [
        ("max", 2, 1, 0, {}),
        ("max", 2, 2, 0, {}),
        ("max", 3, 1, 1, {}),
        ("avg", 2, 1, 1, {}),
        ("avg", 2, 1, 1, {"count_include_pad": False}),
    ],
)
def test_pool_backward_matches_autograd(mode, kernel_size, stride, padding, kwargs):
    out = 1 + (4 + 2 * padding - kernel_size) // stride
    grad_output = np.arange(1.0, out * out + 1).reshape(out, out)
    ours = vg.pool_backward(X, grad_output, kernel_size, stride, padding, mode, **kwargs)
    np.testing.assert_allclose(ours, torch_pool_grad(X, grad_output, mode, kernel_size, stride, padding, **kwargs))


def test_pool_winners_follow_torch_tie_rule():
    # The window at (1, 2) holds 1, 2, 4, 4: the first 4 in scan order, (2, 2), wins.
    winners = vg.pool_winners(X, 2, 1)
    assert winners[1 * 3 + 2] == (2, 2)
    _, indices = torch.nn.functional.max_pool2d(torch.from_numpy(X[None, None]), 2, 1, return_indices=True)
    assert winners == [divmod(int(i), 4) for i in indices.ravel()]


def test_draw_pool_backward_marks_winners_and_writes_gradients():
    grad_output = np.arange(1.0, 10.0).reshape(3, 3)
    fig = vg.draw_pool_backward(X, grad_output, 2, 1)
    grad_ax = fig.axes[2]
    expected = torch_pool_grad(X, grad_output, "max", 2, 1, 0)
    assert cell_texts(grad_ax) == [str(int(v)) for v in expected.ravel()]
    outlined = {(int(p.get_x()), int(p.get_y())) for p in grad_ax.patches if isinstance(p, plt.Rectangle)}
    assert {(c, r) for r, c in vg.pool_winners(X, 2, 1)} <= outlined
    plt.close(fig)


def test_network_flow_labels_every_arrow():
    stages = [("input", "a"), ("conv", "b"), ("loss", "c")]
    fig = vg.draw_network_flow(stages, ["g0", "g1"], ["v0", "v1"])
    texts = cell_texts(fig.axes[0])
    for label in ("input", "conv", "loss", "g0", "g1", "v0", "v1"):
        assert label in texts
    plt.close(fig)
    with pytest.raises(ValueError):
        vg.draw_network_flow(stages, ["g0"])
