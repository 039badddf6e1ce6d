"""Plausible wrong solutions of 14-applications (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

WRONG = {
    "bilinear_kernel centred on an integer for even sizes": {
        "edit": [("bilinear_kernel", "centre = (size - 1) / 2", "centre = size // 2")],
        "diagnosis": "centred on sample k // 2",
    },
    "bilinear_kernel divides by the kernel size instead of the factor": {
        "edit": [("bilinear_kernel", "/ factor", "/ size")],
        "diagnosis": "divided by the kernel size",
    },
    "bilinear_kernel is 2 * factor wide for odd factors too": {
        "edit": [("bilinear_kernel", "size = 2 * factor - factor % 2", "size = 2 * factor")],
        "diagnosis": "2·factor wide for an odd factor",
    },
    "upsample_bilinear crops from the wrong offset": {
        "edit": [("upsample_bilinear", "start = factor // 2 + factor", "start = factor")],
        "diagnosis": "factor // 2 too early",
    },
    "upsample_bilinear pads with zeros instead of repeating the edge": {
        "edit": [("upsample_bilinear", "padded = np.concatenate([x[:, :, :1], x, x[:, :, -1:]], axis=2)",
                  "padded = np.concatenate([0 * x[:, :, :1], x, 0 * x[:, :, -1:]], axis=2)"),
                 ("upsample_bilinear", "padded = np.concatenate([padded[..., :1], padded, padded[..., -1:]], axis=3)",
                  "padded = np.concatenate([0 * padded[..., :1], padded, 0 * padded[..., -1:]], axis=3)")],
        "diagnosis": "padded with zeros",
    },
    "upsample_bilinear returns float64 for a float32 input": {
        "edit": [("upsample_bilinear", ", dtype=x.dtype)", ")")],
        "diagnosis": "the right values as float64",
    },
    "pixel_shuffle swaps the two sub-pixel axes": {
        "edit": [("pixel_shuffle", "order = (*range(k), k, k + 3, k + 1, k + 4, k + 2)",
                  "order = (*range(k), k, k + 3, k + 2, k + 4, k + 1)")],
        "diagnosis": "the blocks transposed",
    },
    "pixel_shuffle reads channels as (r, r, C) instead of (C, r, r)": {
        "edit": [("pixel_shuffle", "blocks = x.reshape(*lead, c, r, r, h, w)", "blocks = x.reshape(*lead, r, r, c, h, w)"),
                 ("pixel_shuffle", "order = (*range(k), k, k + 3, k + 1, k + 4, k + 2)",
                  "order = (*range(k), k + 2, k + 3, k, k + 4, k + 1)")],
        "diagnosis": "read as (r, r, C)",
    },
    "causal_stack pads both sides (like padding='same')": {
        "edit": [("causal_stack", "padded = np.concatenate([np.zeros((n, x.shape[1], left)), x], axis=-1)",
                  "padded = np.concatenate([np.zeros((n, x.shape[1], left // 2)), x, np.zeros((n, x.shape[1], left - left // 2))], axis=-1)")],
        "diagnosis": "padded on both sides",
    },
    "causal_stack applies ReLU after the last layer too": {
        "edit": [("causal_stack", "x = np.maximum(out, 0) if layer < last else out", "x = np.maximum(out, 0)")],
        "diagnosis": "ReLU after the last layer too",
    },
    "causal_stack ignores dilation when reading the input": {
        "edit": [("causal_stack", "padded[:, :, j * d:j * d + length]", "padded[:, :, j:j + length]")],
        "diagnosis": "taps are next to each other",
    },
    "dilations_for_receptive_field adds a layer too many": {
        "edit": [("dilations_for_receptive_field", "while field < receptive_field:", "while field <= receptive_field:")],
        "diagnosis": "a layer too many",
    },
    "dilations_for_receptive_field never wraps back to 1": {
        "edit": [("dilations_for_receptive_field", "d = 1 if d >= max_dilation else 2 * d", "d = 2 * d")],
        "diagnosis": "never back to 1",
    },
}
