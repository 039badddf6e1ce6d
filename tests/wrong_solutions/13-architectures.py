"""Plausible wrong solutions of 13-architectures (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

WRONG = {
    "conv_layer_cost forgets the bias": {
        "edit": [("conv_layer_cost", "parameters = out_channels * per_output + (out_channels if bias else 0)",
                  "parameters = out_channels * per_output")],
        "diagnosis": "the cost without the bias",
    },
    "conv_layer_cost ignores groups": {
        "edit": [("conv_layer_cost", "per_output = (c_in // groups) * kh * kw", "per_output = c_in * kh * kw")],
        "diagnosis": "ungrouped convolution (groups ignored)",
    },
    "conv_layer_cost ignores the stride": {
        "edit": [("conv_layer_cost", "// sh + 1", "+ 1"), ("conv_layer_cost", "// sw + 1", "+ 1")],
        "diagnosis": "the stride ignored",
    },
    "conv_layer_cost ignores dilation": {
        "edit": [("conv_layer_cost", "- dw * (kw - 1) - 1", "- (kw - 1) - 1")],
        "diagnosis": "the dilation ignored",
    },
    "conv_layer_cost counts multiply-adds for one output channel": {
        "edit": [("conv_layer_cost", "out_channels * h_out * w_out * per_output", "h_out * w_out * per_output")],
        "diagnosis": "multiply-adds of one output channel",
    },
    "network_cost: pooling's stride defaults to 1": {
        "edit": [("network_cost", 's = layer.get("stride", k)', 's = layer.get("stride", 1)')],
        "diagnosis": "pooling's stride defaulting to 1",
    },
    "network_cost: linear layers without their bias": {
        "edit": [("network_cost", 'row = ((m,), n * m + (m if layer.get("bias", True) else 0), n * m)',
                  "row = ((m,), n * m, n * m)")],
        "diagnosis": "linear layers' biases left out",
    },
    "network_cost: pooling ignores padding": {
        "edit": [("network_cost", "(h + 2 * p - k) // s + 1, (w + 2 * p - k) // s + 1",
                  "(h - k) // s + 1, (w - k) // s + 1")],
        "diagnosis": "pooling's padding ignored",
    },
    "padding_for starts at padding 1": {
        "edit": [("padding_for", "    p = 0\n", "    p = 1\n")],
        "diagnosis": "padding 0 never tried",
    },
    "padding_for returns None instead of raising": {
        "edit": [("padding_for", 'raise ValueError(f"no padding turns', 'return None  # (f"no padding turns')],
        "diagnosis": None,
    },
    "design_strides never pads": {
        "edit": [("design_strides", "for p in range(k // 2 + 1):", "for p in (0,):")],
        "diagnosis": None,
    },
    "design_strides tries stride 1 only": {
        "edit": [("design_strides", "for s in (1, 2):", "for s in (1,):")],
        "diagnosis": None,
    },
}
