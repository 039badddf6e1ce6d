"""convbook.viz.channels and viz.volumes: figures render and show convbook's (and torch's) output."""

import io

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pytest
import torch
from PIL import Image

import convbook.functional as F
from convbook.viz import channels, volumes
from convbook.viz.animation import MAX_GIF_BYTES


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def test_channel_partials_sum_to_conv2d():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 6, 5))
    w = rng.standard_normal((3, 2, 3))
    partials = channels.channel_partials(x, w)
    assert partials.shape == (3, 5, 3)
    expected = torch.nn.functional.conv2d(torch.from_numpy(x)[None], torch.from_numpy(w)[None])[0, 0].numpy()
    np.testing.assert_allclose(partials.sum(axis=0), expected, atol=1e-12)


def test_multi_in_figure_renders_output_panel():
    x = np.arange(2 * 4 * 4).reshape(2, 4, 4) % 5
    w = np.array([[[1, 0], [0, 1]], [[0, 1], [1, 0]]])
    fig = channels.multi_in_figure(x, w)
    fig.canvas.draw()
    texts = {t.get_text() for ax in fig.axes for t in ax.texts}
    out = F.conv2d(x[None], w[None])[0, 0]
    assert {str(v) for v in out.ravel()} <= texts


@pytest.mark.parametrize("groups", [1, 3, 6, 12])
def test_connectivity_is_block_diagonal(groups):
    c_in, c_out = 12, 12 if groups == 12 else 6
    w = np.ones((c_out, c_in // groups, 1, 1))
    matrix = channels.connectivity(lambda x: F.conv2d(x, w, groups=groups), c_in)
    expected = np.zeros((c_out, c_in), dtype=int)
    for g in range(groups):
        expected[g * c_out // groups : (g + 1) * c_out // groups, g * c_in // groups : (g + 1) * c_in // groups] = 1
    np.testing.assert_array_equal(matrix, expected)
    fig = channels.connection_figure(matrix, "t")
    fig.canvas.draw()
    assert len(fig.axes[0].lines) == expected.sum()


def test_time_dependency_causal_and_same():
    kernel = np.ones((2, 3, 3))

    def causal(z):
        return F.conv1d(F.pad(z, (4, 0)), kernel, dilation=2)

    matrix = channels.time_dependency(causal, channels=3, length=9)
    assert matrix.shape == (9, 9)
    assert not np.triu(matrix, k=1).any()
    np.testing.assert_array_equal(np.diag(matrix), 1)
    same = channels.time_dependency(lambda z: F.conv1d(z, kernel, padding="same", dilation=2), 3, 9)
    assert np.triu(same, k=1).any()
    channels.dependency_figure(matrix, "causal").canvas.draw()


def small_case():
    clip = np.arange(3 * 4 * 4).reshape(3, 4, 4) % 5
    kernel = np.array([[[1, 0, 0], [0, 1, 0], [0, 0, 1]], [[0, 0, 1], [0, 1, 0], [1, 0, 0]]])
    return clip, kernel


def test_sweep_states_reveal_torch_conv3d():
    clip, kernel = small_case()
    expected = torch.nn.functional.conv3d(
        torch.from_numpy(clip.astype(float))[None, None], torch.from_numpy(kernel.astype(float))[None, None]
    )[0, 0].numpy()
    states = list(volumes.sweep_states(clip, kernel))
    assert len(states) == expected.size
    for n, ((d, i, j), partial) in enumerate(states):
        assert np.isfinite(partial).sum() == n + 1
        assert partial[d, i, j] == expected[d, i, j]
        shown = np.isfinite(partial)
        np.testing.assert_array_equal(partial[shown], expected[shown])
    np.testing.assert_array_equal(states[-1][1], expected)


def test_sweep_figure_writes_output_values():
    clip, kernel = small_case()
    fig = volumes.sweep_figure(clip, kernel)
    fig.canvas.draw()
    out = F.conv3d(clip[None, None], kernel[None, None])[0, 0]
    texts = [t.get_text() for ax in fig.axes for t in ax.texts]
    for v in out.ravel():
        assert f"{float(v):g}" in texts


def test_sweep_gif_frames_and_budget():
    clip, kernel = small_case()
    gif = volumes.sweep_gif(clip, kernel, dpi=40)
    assert len(gif.data) <= MAX_GIF_BYTES
    with Image.open(io.BytesIO(gif.data)) as image:
        assert image.n_frames == F.conv3d(clip[None, None], kernel[None, None]).size


def test_sweep_figure_first_step_has_all_panels():
    clip = np.arange(4 * 5 * 5).reshape(4, 5, 5) % 7
    kernel = np.ones((2, 3, 3), dtype=int)
    fig = volumes.sweep_figure(clip, kernel, step=0)
    fig.canvas.draw()
    assert len(fig.axes) == 8


def test_frames_figure_renders():
    fig = volumes.frames_figure(np.zeros((3, 4, 4)))
    fig.canvas.draw()
    assert len(fig.axes) == 3
