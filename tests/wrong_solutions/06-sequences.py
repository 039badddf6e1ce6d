"""Plausible wrong solutions of 06-sequences (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

WRONG = {
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
    "shift_error rolls the output the wrong way": {
        "edit": [("shift_error", "np.roll(conv(x), shift // stride, axis=-1)", "np.roll(conv(x), -(shift // stride), axis=-1)")],
        "diagnosis": "rolled the wrong way",
    },
    "shift_error rolls the output by shift": {
        "edit": [("shift_error", "np.roll(conv(x), shift // stride, axis=-1)", "np.roll(conv(x), shift, axis=-1)")],
        "diagnosis": "rolled by shift itself",
    },
    "shift_error divides with int(shift / stride)": {
        "edit": [("shift_error", "np.roll(conv(x), shift // stride, axis=-1)", "np.roll(conv(x), int(shift / stride), axis=-1)")],
        "diagnosis": "rounded toward zero",
    },
    "shift_error pads with zeros": {
        "edit": [("shift_error", 'conv1d(np.pad(z, ((0, 0), (0, 0), (p, p)), mode="wrap"), weight, stride=stride)',
                  "conv1d(z, weight, stride=stride, padding=p)")],
        "diagnosis": "zero padding (not circular)",
    },
    "shift_error pads k // 2": {
        "edit": [("shift_error", "p = (weight.shape[-1] - 1) // 2", "p = weight.shape[-1] // 2")],
        "diagnosis": "k // 2 circular samples",
    },
    "shift_error rolls without axis": {
        "edit": [("shift_error", "np.roll(x, shift, axis=-1)", "np.roll(x, shift)"),
                 ("shift_error", "np.roll(conv(x), shift // stride, axis=-1)", "np.roll(conv(x), shift // stride)")],
        "diagnosis": "np.roll without axis=",
    },
    "shift_error forgets the absolute value": {
        "edit": [("shift_error", "float(np.abs(moved_first - moved_after).max())", "float((moved_first - moved_after).max())")],
        "diagnosis": "the absolute value left out",
    },
    "shift_error averages": {
        "edit": [("shift_error", "float(np.abs(moved_first - moved_after).max())", "float(np.abs(moved_first - moved_after).mean())")],
        "diagnosis": "the mean |difference|",
    },
    "shift_error forgets the stride in the convolution": {
        "edit": [("shift_error", 'mode="wrap"), weight, stride=stride)', 'mode="wrap"), weight)')],
        "diagnosis": "without its stride",
    },
    "shift_error returns the array of differences": {
        "edit": [("shift_error", "float(np.abs(moved_first - moved_after).max())", "np.abs(moved_first - moved_after)")],
        "diagnosis": None,
    },
}
