"""The sliding-window animations draw what convbook.functional computes, within the GIF budget."""

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
import torch
from matplotlib.figure import Figure

from convbook.shapes import conv_output_size
from convbook.viz import signals, sliding
from convbook.viz.animation import MAX_GIF_BYTES


@pytest.mark.parametrize("case", sorted(sliding.CASES))
def test_last_frame_is_torch_conv2d(case):
    x, w, p = sliding.conv_arithmetic_input(case)
    states = sliding.output_states(x, w, p["stride"], p["padding"], p["dilation"])
    expected = torch.nn.functional.conv2d(
        torch.from_numpy(x)[None, None].double(),
        torch.from_numpy(w)[None, None].double(),
        stride=p["stride"],
        padding=p["padding"],
        dilation=p["dilation"],
    )[0, 0].numpy()
    out = conv_output_size(p["size"], p["kernel"], p["stride"], p["padding"], p["dilation"])
    assert expected.shape == (out, out)
    assert len(states) == out * out
    np.testing.assert_array_equal(states[-1], expected)
    # frame i shows exactly the first i + 1 outputs, each equal to torch's
    for i, state in enumerate(states):
        filled = ~np.isnan(state.ravel())
        assert filled.sum() == i + 1 and filled[: i + 1].all()
        np.testing.assert_array_equal(state.ravel()[: i + 1], expected.ravel()[: i + 1])


def test_1d_states_match_torch_conv1d():
    rng = np.random.default_rng(0)
    x, w = rng.normal(size=11), rng.normal(size=3)
    states = sliding.output_states(x, w, stride=2, padding=1, dilation=2)
    expected = torch.nn.functional.conv1d(
        torch.from_numpy(x)[None, None], torch.from_numpy(w)[None, None], stride=2, padding=1, dilation=2
    )[0, 0].numpy()
    np.testing.assert_allclose(states[-1], expected)


def test_window_cells_are_what_the_output_reads():
    x, w, p = sliding.conv_arithmetic_input("dilated")
    y = sliding.conv_output(x, w, dilation=p["dilation"])
    for index in np.ndindex(y.shape):
        cells = sliding.window_cells(index, w.shape, 1, p["dilation"])
        assert y[index] == sum(x[c] * wv for c, wv in zip(cells, w.ravel(), strict=True))


def test_gifs_render_under_budget():
    for case in ("no padding", "strided"):
        gif = sliding.conv_arithmetic(case)
        assert gif.data[:6] in (b"GIF87a", b"GIF89a")
        assert len(gif.data) <= MAX_GIF_BYTES
    gif = sliding.sliding_window_gif(np.arange(6), np.array([1, 0, -1]))
    assert gif.data[:3] == b"GIF" and len(gif.data) <= MAX_GIF_BYTES


def test_unknown_case_and_mismatched_dimensions_raise():
    with pytest.raises(ValueError, match="case"):
        sliding.conv_arithmetic_input("diagonal")
    with pytest.raises(ValueError, match="1D or both be 2D"):
        sliding.output_states(np.ones((3, 3)), np.ones(2))


def test_signal_figures_render():
    t, truth, measured = signals.sensor_data(seed=0)
    assert t.shape == truth.shape == measured.shape
    fig = signals.plot_signals(t, {"measured": measured, "true": truth})
    assert isinstance(fig, Figure)
    fig = signals.stem_signals({"x": np.arange(5.0), "w": np.ones(3)})
    assert isinstance(fig, Figure) and len(fig.axes) == 2
