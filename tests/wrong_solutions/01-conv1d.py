"""Plausible wrong solutions of 01-conv1d (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

WRONG = {
    "corr1d flips the kernel": {
        "edit": [("corr1d", "y += w[j] * x[j : j + n_out]", "y += w[len(w) - 1 - j] * x[j : j + n_out]")],
        "diagnosis": "a true convolution (kernel flipped)",
    },
    "corr1d stops one window early": {
        "edit": [("corr1d", "n_out = len(x) - len(w) + 1", "n_out = len(x) - len(w)")],
        "diagnosis": "the valid positions but the last",
    },
    "corr1d keeps partial overlaps": {
        "edit": [("corr1d", "    x = np.asarray(x)\n", "    x = np.pad(np.asarray(x), len(w) - 1)\n")],
        "diagnosis": "the full cross-correlation",
    },
    "convolve1d does not flip": {
        "edit": [("convolve1d", "corr1d(padded, w[::-1])", "corr1d(padded, w)")],
        "diagnosis": "kernel not flipped",
    },
    "convolve1d keeps the valid part": {
        "edit": [("convolve1d", "padded = np.pad(x, len(w) - 1)", "padded = x")],
        "diagnosis": "the valid part of the convolution only",
    },
    "convolve1d pads one side": {
        "edit": [("convolve1d", "np.pad(x, len(w) - 1)", "np.pad(x, (len(w) - 1, 0))")],
        "diagnosis": None,
    },
    "conv1d flips the kernel": {
        "edit": [("conv1d", 'np.einsum("oc,ncl->nol", w[:, :, j], taps)', 'np.einsum("oc,ncl->nol", w[:, :, k - 1 - j], taps)')],
        "diagnosis": "a true convolution (kernel flipped)",
    },
    "conv1d 'same' puts the odd zero on the left": {
        "edit": [("conv1d", "left, right = total // 2, total - total // 2", "left, right = total - total // 2, total // 2")],
        "diagnosis": "odd extra zero before",
    },
    "conv1d 'same' pads k // 2 on both sides": {
        "edit": [("conv1d", "left, right = total // 2, total - total // 2", "left = right = k // 2")],
        "diagnosis": "k // 2 zeros on each side",
    },
    "conv1d 'same' ignores dilation": {
        "edit": [("conv1d", "total = dilation * (k - 1)", "total = k - 1")],
        "diagnosis": "without the dilation",
    },
    "conv1d counts padding as a total": {
        "edit": [("conv1d", "left = right = single(padding)",
                  "left, right = single(padding) // 2, single(padding) - single(padding) // 2")],
        "diagnosis": "split between the two sides",
    },
    "conv1d forgets the bias": {
        "edit": [("conv1d", "out += np.asarray(bias)[None, :, None]", "pass")],
        "diagnosis": "without the bias",
    },
    "conv1d keeps the batch axis of an unbatched input": {
        "edit": [("conv1d", "return out[0] if unbatched else out", "return out")],
        "diagnosis": "batch axis of 1 kept",
    },
    "conv1d ignores dilation": {
        "edit": [("conv1d", "start = j * dilation", "start = j"),
                 ("conv1d", "length = (x.shape[-1] - dilation * (k - 1) - 1)", "length = (x.shape[-1] - (k - 1) - 1)")],
        "diagnosis": "without dilation",
    },
    "conv1d output length without - 1 + 1": {
        "edit": [("conv1d", "length = (x.shape[-1] - dilation * (k - 1) - 1) // stride + 1",
                  "length = (x.shape[-1] - dilation * (k - 1)) // stride")],
        "diagnosis": None,
    },
    "conv1d strides only the length": {
        "edit": [("conv1d", "taps = x[:, :, start : start + stride * (length - 1) + 1 : stride]",
                  "taps = x[:, :, start : start + length]")],
        "diagnosis": None,
    },
    "conv1d takes only ints": {
        "edit": [("conv1d", "return value[0] if isinstance(value, (tuple, list)) else value", "return value")],
        "diagnosis": None,
    },
    "moving_average sums": {
        "edit": [("moving_average", "np.full(k, 1.0 / k)", "np.ones(k)")],
        "diagnosis": "the window sums",
    },
    "moving_average divides by len(x)": {
        "edit": [("moving_average", "np.full(k, 1.0 / k)", "np.full(k, 1.0 / len(x))")],
        "diagnosis": None,
    },
    "moving_average keeps partial windows": {
        "edit": [("moving_average", "return corr1d(np.asarray(x, dtype=float), np.full(k, 1.0 / k))",
                  "return corr1d(np.pad(np.asarray(x, dtype=float), k - 1), np.full(k, 1.0 / k))")],
        "diagnosis": "full-length moving average",
    },
}
