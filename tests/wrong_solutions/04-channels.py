"""Plausible wrong solutions of 04-channels (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

import json
from pathlib import Path

# The debugging task's locked cell, conv2d_classmate: a student who copies it unfixed (and renames it).
_NOTEBOOK = Path(__file__).resolve().parents[2] / "solutions" / "04-channels" / "04-channels.ipynb"
CLASSMATE = next("".join(cell["source"]) for cell in json.loads(_NOTEBOOK.read_text(encoding="utf-8"))["cells"]
                 if cell["metadata"].get("nbgrader", {}).get("grade_id") == "conv2d_from_a_classmate")

WRONG = {
    "corr2d_multi_in rotates the kernel": {
        "edit": [("corr2d_multi_in", 'K[:, i, j])', 'K[:, kh - 1 - i, kw - 1 - j])')],
        "diagnosis": "a true convolution (kernel rotated",
    },
    "corr2d_multi_in averages the channels": {
        "edit": [("corr2d_multi_in", "    return Y\n", "    return Y / c\n")],
        "diagnosis": "the mean over the input channels",
    },
    "corr2d_multi_in does not sum the channels": {
        "replace": {"corr2d_multi_in": '''
def corr2d_multi_in(X, K):
    c, kh, kw = K.shape
    oh, ow = X.shape[1] - kh + 1, X.shape[2] - kw + 1
    Y = np.zeros((c, oh, ow))
    for i in range(kh):
        for j in range(kw):
            Y += X[:, i:i + oh, j:j + ow] * K[:, i, j][:, None, None]
    return Y
'''},
        "diagnosis": "one map per input channel",
    },
    "corr2d_multi_in_out puts the channels last": {
        "edit": [("corr2d_multi_in_out", "return np.stack([corr2d_multi_in(X, k) for k in K])",
                  "return np.stack([corr2d_multi_in(X, k) for k in K], axis=-1)")],
        "diagnosis": "the output channels last",
    },
    "corr2d_multi_in_out slices the weight's second axis": {
        "edit": [("corr2d_multi_in_out", "return np.stack([corr2d_multi_in(X, k) for k in K])",
                  "return np.stack([corr2d_multi_in(X, K[:, o]) for o in range(K.shape[1])])")],
        "diagnosis": "channel axes swapped",
    },
    "conv2d rotates the kernel": {
        "edit": [("conv2d", "weight[:, :, i, j])", "weight[:, :, kh - 1 - i, kw - 1 - j])")],
        "diagnosis": "a true convolution (kernel flipped)",
    },
    "conv2d counts padding as a total": {
        "edit": [("conv2d", "(sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)",
                  "(sh, sw), (ph, pw), (dh, dw) = pair(stride), pair(padding), pair(dilation)\n"
                  "    ph, pw = ph // 2, pw // 2")],
        "diagnosis": "split between the two sides",
    },
    "conv2d reads pairs as (columns, rows)": {
        "edit": [("conv2d", "pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)",
                  "pair = lambda v: tuple(v)[::-1] if isinstance(v, (tuple, list)) else (v, v)")],
        "diagnosis": "every pair read backwards",
    },
    "conv2d forgets the bias": {
        "edit": [("conv2d", "out += bias[None, :, None, None]", "pass")],
        "diagnosis": "without the bias",
    },
    "conv2d keeps the batch axis of an unbatched input": {
        "edit": [("conv2d", "return out[0] if unbatched else out", "return out")],
        "diagnosis": "batch axis of 1 kept",
    },
    "conv2d ignores dilation in the windows": {
        "edit": [("conv2d", "window = padded[:, :, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw]",
                  "window = padded[:, :, i:i + (oh - 1) * sh + 1:sh, j:j + (ow - 1) * sw + 1:sw]")],
        "diagnosis": "dilation left out of the windows",
    },
    "conv2d pads one side only": {
        "edit": [("conv2d", "padded = np.zeros((N, C, H + 2 * ph, W + 2 * pw), dtype=np.result_type(x, weight))",
                  "padded = np.zeros((N, C, H + ph, W + pw), dtype=np.result_type(x, weight))"),
                 ("conv2d", "oh = (H + 2 * ph - dh * (kh - 1) - 1) // sh + 1", "oh = (H + ph - dh * (kh - 1) - 1) // sh + 1"),
                 ("conv2d", "ow = (W + 2 * pw - dw * (kw - 1) - 1) // sw + 1", "ow = (W + pw - dw * (kw - 1) - 1) // sw + 1")],
        "diagnosis": None,
    },
    "conv2d is the classmate's, copied unfixed": {
        "replace": {"conv2d": CLASSMATE.replace("def conv2d_classmate(", "def conv2d(")},
        "diagnosis": "padding=(0, 2) applied to the wrong axes",
    },
    "pointwise_conv2d does not transpose the weight matrix": {
        "edit": [("pointwise_conv2d", "out = rows @ weight[:, :, 0, 0].T", "out = rows @ weight[:, :, 0, 0]")],
        "diagnosis": "channel axes swapped",
    },
    "pointwise_conv2d reshapes without moving the channels": {
        "edit": [("pointwise_conv2d", "rows = input.transpose(0, 2, 3, 1).reshape(-1, C)", "rows = input.reshape(-1, C)")],
        "diagnosis": "plain reshape of (N, C, H, W)",
    },
    "pointwise_conv2d puts the result back with a reshape": {
        "edit": [("pointwise_conv2d", "return out.reshape(N, H, W, -1).transpose(0, 3, 1, 2)", "return out.reshape(N, -1, H, W)")],
        "diagnosis": "put back by a plain reshape",
    },
    "pointwise_conv2d forgets the bias": {
        "edit": [("pointwise_conv2d", "out = out + bias", "pass")],
        "diagnosis": "without the bias",
    },
    "conv2d_num_parameters forgets the bias": {
        "edit": [("conv2d_num_parameters", " + (out_channels if bias else 0)", "")],
        "diagnosis": "the weights only",
    },
    "conv2d_num_parameters always counts a bias": {
        "edit": [("conv2d_num_parameters", " + (out_channels if bias else 0)", " + out_channels")],
        "diagnosis": "with biases although bias=False",
    },
    "conv2d_num_parameters counts k weights per slice": {
        "edit": [("conv2d_num_parameters", "else (kernel_size, kernel_size)", "else (kernel_size, 1)")],
        "diagnosis": "k-by-1 kernel",
    },
    "conv2d_num_parameters forgets the input channels": {
        "edit": [("conv2d_num_parameters", "out_channels * in_channels * kh * kw", "out_channels * kh * kw")],
        "diagnosis": "the input channels left out",
    },
}
