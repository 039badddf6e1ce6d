"""The transposed-convolution and pooling figures draw what convbook computes."""

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
import torch  # noqa: E402

import convbook.functional as F  # noqa: E402
from convbook.viz import pooling as vp  # noqa: E402
from convbook.viz import transposed as vt  # noqa: E402
from convbook.viz.animation import MAX_GIF_BYTES  # noqa: E402

X = np.array([[1.0, 2.0], [3.0, 4.0]])
W = np.array([[1.0, 1.0, 0.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0]])


def cell_texts(ax):
    return [t.get_text() for t in ax.texts]


@pytest.mark.parametrize("stride, padding, dilation", [(1, 0, 1), (2, 0, 1), (2, 1, 1), (1, 0, 2)])
def test_stamps_sum_to_conv_transpose2d(stride, padding, dilation):
    parts = vt.stamps(X, W, stride, padding, dilation)
    assert len(parts) == X.size
    total = sum(stamp for _, stamp in parts)
    expected = torch.nn.functional.conv_transpose2d(
        torch.from_numpy(X[None, None]),
        torch.from_numpy(W[None, None]),
        stride=stride,
        padding=padding,
        dilation=dilation,
    )[0, 0].numpy()
    np.testing.assert_allclose(total, expected)


def test_each_stamp_is_the_scaled_kernel_at_its_place():
    for (r, c), stamp in vt.stamps(X, W, stride=2):
        np.testing.assert_array_equal(stamp[2 * r : 2 * r + 3, 2 * c : 2 * c + 3], X[r, c] * W)
        assert stamp.sum() == X[r, c] * W.sum()


def test_draw_stamps_writes_the_sum_of_stamps():
    fig = vt.draw_stamps(X, W, stride=2)
    y = F.conv_transpose2d(X[None, None], W[None, None], stride=2)[0, 0]
    total_ax = [ax for ax in fig.axes if ax.get_title() == "sum of stamps"][0]
    assert cell_texts(total_ax) == [f"{v:g}" for v in y.ravel()]
    plt.close(fig)


def test_stamp_frames_end_at_the_output_and_gif_fits_budget():
    frames = vt.stamp_frames(X, W, stride=2)
    assert len(frames) == X.size
    np.testing.assert_array_equal(frames[-1], F.conv_transpose2d(X[None, None], W[None, None], stride=2)[0, 0])
    np.testing.assert_array_equal(frames[0], vt.stamps(X, W, stride=2)[0][1])
    gif = vt.stamp_animation(X, W, stride=2)
    assert gif.data[:6] in (b"GIF87a", b"GIF89a")
    assert len(gif.data) <= MAX_GIF_BYTES


def test_overlap_counts_show_the_checkerboard():
    counts = vt.overlap_counts(6, kernel_size=3, stride=2)
    assert counts.shape == (13, 13)
    assert set(np.unique(counts[2:-2, 2:-2])) == {1.0, 2.0, 4.0}
    even = vt.overlap_counts(6, kernel_size=4, stride=2, padding=1)
    assert set(np.unique(even[1:-1, 1:-1])) == {4.0}
    fig = vt.draw_checkerboard({"a": counts, "b": even})
    assert len(fig.axes) == 4  # two images, two colour bars
    plt.close(fig)


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool2d_matches_torch(mode):
    x = np.random.default_rng(0).standard_normal((5, 7))
    ours = vp.pool2d(x, 3, 2, 1, mode)
    fn = torch.nn.functional.max_pool2d if mode == "max" else torch.nn.functional.avg_pool2d
    np.testing.assert_allclose(ours, fn(torch.from_numpy(x[None, None]), 3, 2, 1)[0, 0].numpy())


def test_windows_follow_the_ceil_mode_rule():
    assert vp.windows(3, 2, 2, 1, ceil_mode=True) == [(0, 2), (2, 4)]
    assert len(vp.windows(5, 2, ceil_mode=True)) == 3
    assert len(vp.windows(5, 2)) == 2


def test_draw_pool_windows_outputs_match_convbook():
    x = np.arange(16.0).reshape(4, 4)
    fig = vp.draw_pool_windows(x, 2, stride=1, padding=1, mode="avg")
    out = F.avg_pool2d(x[None, None], 2, 1, 1)[0, 0]
    out_axes = [ax for ax in fig.axes if ax.get_title() == "avg pool"]
    assert len(out_axes) == 4
    from convbook.viz.grids import format_value

    assert cell_texts(out_axes[0]) == [format_value(v) for v in out.ravel()]
    plt.close(fig)


def test_pool_animation_fits_budget():
    gif = vp.pool_animation(np.arange(16.0).reshape(4, 4), 2)
    assert len(gif.data) <= MAX_GIF_BYTES
    assert vp.window_frames((2, 2)) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_draw_unpool_marks_the_maxima():
    x = np.array([[1.0, 5.0, 2.0, 0.0], [3.0, 2.0, 8.0, 1.0], [0.0, 4.0, 1.0, 1.0], [6.0, 1.0, 3.0, 7.0]])
    pooled, indices = F.max_pool2d(x[None, None], 2, return_indices=True)
    unpooled = F.max_unpool2d(pooled, indices, 2)
    fig = vp.draw_unpool(x, pooled[0, 0], indices[0, 0], unpooled[0, 0])
    marked = [(int(p.get_y()), int(p.get_x())) for p in fig.axes[2].patches if p.get_edgecolor()[0] > 0.5]
    rows, cols = np.nonzero(unpooled[0, 0])
    assert sorted(marked) == sorted(zip(rows.tolist(), cols.tolist()))
    plt.close(fig)
    fig = vp.draw_unpool(x, pooled[0, 0], indices[0, 0], unpooled[0, 0], as_images=True)
    plt.close(fig)
