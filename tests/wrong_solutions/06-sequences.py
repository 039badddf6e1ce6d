"""Plausible wrong solutions of 06-sequences (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

WRONG = {
    "conv1d flips the kernel": {
        "edit": [("conv1d", "weight[:, :, j])", "weight[:, :, k - 1 - j])")],
        "diagnosis": "a true convolution (kernel flipped)",
    },
    "conv1d counts padding as a total": {
        "edit": [("conv1d", "padded = np.zeros((N, C, L + 2 * padding), dtype=np.result_type(x, weight))\n    padded[:, :, padding:padding + L] = x\n    out_len = (L + 2 * padding",
                  "padded = np.zeros((N, C, L + padding), dtype=np.result_type(x, weight))\n    padded[:, :, padding // 2:padding // 2 + L] = x\n    out_len = (L + padding")],
        "diagnosis": "split between the two sides",
    },
    "conv1d forgets the bias": {
        "edit": [("conv1d", "out += bias[None, :, None]", "pass")],
        "diagnosis": "without the bias",
    },
    "conv1d keeps the batch axis of an unbatched input": {
        "edit": [("conv1d", "return out[0] if unbatched else out", "return out")],
        "diagnosis": "batch axis of 1 kept",
    },
    "conv1d ignores dilation in the windows": {
        "edit": [("conv1d", "window = padded[:, :, j * dilation:j * dilation + (out_len - 1) * stride + 1:stride]",
                  "window = padded[:, :, j:j + (out_len - 1) * stride + 1:stride]")],
        "diagnosis": "dilation left out of the windows",
    },
    "conv1d ignores stride in the windows": {
        "edit": [("conv1d", "window = padded[:, :, j * dilation:j * dilation + (out_len - 1) * stride + 1:stride]",
                  "window = padded[:, :, j * dilation:j * dilation + out_len]")],
        "diagnosis": None,
    },
    "conv1d pads on the left only": {
        "edit": [("conv1d", "padded = np.zeros((N, C, L + 2 * padding), dtype=np.result_type(x, weight))",
                  "padded = np.zeros((N, C, L + padding), dtype=np.result_type(x, weight))"),
                 ("conv1d", "out_len = (L + 2 * padding", "out_len = (L + padding")],
        "diagnosis": None,
    },
    "sequence_conv1d reshapes instead of transposing": {
        "edit": [("sequence_conv1d", "np.asarray(x).transpose(0, 2, 1)", "np.asarray(x).reshape(x.shape[0], x.shape[2], x.shape[1])")],
        "diagnosis": "plain reshape (B, L, D) -> (B, D, L)",
    },
    "sequence_conv1d forgets to move the features": {
        "edit": [("sequence_conv1d", "np.ascontiguousarray(np.asarray(x).transpose(0, 2, 1))", "np.asarray(x)")],
        "diagnosis": None,
    },
    "sequence_conv1d flips the kernel": {
        "edit": [("sequence_conv1d", "weight, bias, stride, padding, dilation)", "weight[..., ::-1], bias, stride, padding, dilation)")],
        "diagnosis": "a true convolution (kernel flipped)",
    },
    "sequence_conv1d drops stride and padding": {
        "edit": [("sequence_conv1d", "weight, bias, stride, padding, dilation)", "weight, bias)")],
        "diagnosis": None,
    },
    "causal_conv1d forgets the dilation in the padding": {
        "edit": [("causal_conv1d", "left = (k - 1) * dilation", "left = k - 1")],
        "diagnosis": "left padding k - 1 without the dilation",
    },
    "causal_conv1d pads on the right": {
        "edit": [("causal_conv1d", "padded[..., left:] = x", "padded[..., :x.shape[-1]] = x")],
        "diagnosis": "padding on the right",
    },
    "causal_conv1d pads both sides ('same')": {
        "edit": [("causal_conv1d", "padded[..., left:] = x", "padded[..., left // 2:left // 2 + x.shape[-1]] = x")],
        "diagnosis": "padding='same'",
    },
    "causal_conv1d flips the kernel": {
        "edit": [("causal_conv1d", "return conv1d(padded, weight, bias, dilation=dilation)",
                  "return conv1d(padded, weight[..., ::-1], bias, dilation=dilation)")],
        "diagnosis": "a true convolution (kernel flipped)",
    },
    "causal_conv1d pads k * dilation": {
        "edit": [("causal_conv1d", "left = (k - 1) * dilation", "left = k * dilation"),
                 ("causal_conv1d", "return conv1d(padded, weight, bias, dilation=dilation)",
                  "return conv1d(padded, weight, bias, dilation=dilation)[..., :x.shape[-1]]")],
        "diagnosis": None,
    },
}
