"""Plausible wrong solutions of 05-groups (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

WRONG = {
    "conv2d takes every groups-th channel": {
        "edit": [("conv2d", "xg = x[..., g * c_in_g:(g + 1) * c_in_g, :, :]", "xg = x[..., g::groups, :, :]"),
                 ("conv2d", "wg = weight[g * c_out_g:(g + 1) * c_out_g]", "wg = weight[g::groups]"),
                 ("conv2d", "bg = None if bias is None else bias[g * c_out_g:(g + 1) * c_out_g]",
                  "bg = None if bias is None else bias[g::groups]"),
                 ("conv2d", "return np.concatenate(blocks, axis=-3)",
                  "out = np.concatenate(blocks, axis=-3)\n    for g, block in enumerate(blocks):\n"
                  "        out[..., g::groups, :, :] = block\n    return out")],
        "diagnosis": "every groups-th channel",
    },
    "conv2d slices the weight by input channels": {
        "edit": [("conv2d", "wg = weight[g * c_out_g:(g + 1) * c_out_g]", "wg = weight[g * c_in_g:(g + 1) * c_in_g]")],
        "diagnosis": None,
    },
    "conv2d does not check weight.shape[1]": {
        "edit": [("conv2d", 'raise ValueError(f"weight.shape[1] ({c_in_g}) must be in_channels / groups ({c_in // groups})")', "pass")],
        "diagnosis": None,
    },
    "conv2d checks nothing": {
        "edit": [("conv2d", 'raise ValueError(f"in_channels ({c_in}) must be divisible by groups ({groups})")', "pass"),
                 ("conv2d", 'raise ValueError(f"out_channels ({c_out}) must be divisible by groups ({groups})")', "pass"),
                 ("conv2d", 'raise ValueError(f"weight.shape[1] ({c_in_g}) must be in_channels / groups ({c_in // groups})")', "pass")],
        "diagnosis": None,
    },
    "conv2d gives every group the whole bias": {
        "edit": [("conv2d", "bg = None if bias is None else bias[g * c_out_g:(g + 1) * c_out_g]",
                  "bg = None if bias is None else bias[:c_out_g]")],
        "diagnosis": None,
    },
    "conv2d forgets the bias": {
        "edit": [("conv2d", "bg = None if bias is None else bias[g * c_out_g:(g + 1) * c_out_g]", "bg = None")],
        "diagnosis": "without the bias",
    },
    "conv2d concatenates along the batch axis": {
        "edit": [("conv2d", "return np.concatenate(blocks, axis=-3)", "return np.concatenate(blocks, axis=0)")],
        "diagnosis": None,
    },
    "conv2d sums the groups instead of concatenating": {
        "edit": [("conv2d", "return np.concatenate(blocks, axis=-3)", "return sum(blocks)")],
        "diagnosis": None,
    },
    "conv2d splits the channels of the last axis": {
        "edit": [("conv2d", "xg = x[..., g * c_in_g:(g + 1) * c_in_g, :, :]", "xg = x[:, g * c_in_g:(g + 1) * c_in_g]")],
        "diagnosis": None,
    },
    "channel_shuffle reads the grid the other way (the inverse shuffle)": {
        "edit": [("channel_shuffle", "x.reshape(n, groups, c // groups, *spatial)", "x.reshape(n, c // groups, groups, *spatial)")],
        "diagnosis": "the inverse shuffle",
    },
    "channel_shuffle reshapes without swapping": {
        "edit": [("channel_shuffle", ".swapaxes(1, 2).reshape(x.shape)", ".reshape(x.shape)")],
        "diagnosis": "the input unchanged",
    },
    "channel_shuffle shuffles the last axis": {
        "replace": {"channel_shuffle": """def channel_shuffle(x, groups):
    *rest, last = x.shape
    if x.shape[1] % groups:
        raise ValueError("channels must be divisible by groups")
    return x.reshape(*rest, groups, last // groups).swapaxes(-1, -2).reshape(x.shape)
"""},
        "diagnosis": None,
    },
    "channel_shuffle transposes without reshaping back": {
        "edit": [("channel_shuffle", ".swapaxes(1, 2).reshape(x.shape)", ".swapaxes(1, 2)")],
        "diagnosis": None,
    },
    "channel_shuffle does not check divisibility": {
        "replace": {"channel_shuffle": """def channel_shuffle(x, groups):
    n, c, *spatial = x.shape
    per_group = -(-c // groups)
    order = [j * per_group + i for i in range(per_group) for j in range(groups) if j * per_group + i < c]
    return x[:, order]
"""},
        "diagnosis": None,
    },
    "conv2d_num_parameters ignores groups": {
        "edit": [("conv2d_num_parameters", "out_channels * (in_channels // groups) * kh * kw", "out_channels * in_channels * kh * kw")],
        "diagnosis": "groups ignored",
    },
    "conv2d_num_parameters divides both channel counts": {
        "edit": [("conv2d_num_parameters", "out_channels * (in_channels // groups) * kh * kw",
                  "(out_channels // groups) * (in_channels // groups) * kh * kw")],
        "diagnosis": "both channel counts divided by groups",
    },
    "conv2d_num_parameters forgets the bias": {
        "edit": [("conv2d_num_parameters", " + (out_channels if bias else 0)", "")],
        "diagnosis": "the weights only",
    },
    "conv2d_multiply_adds ignores groups": {
        "edit": [("conv2d_multiply_adds", "out_channels * (in_channels // groups) * kh * kw * oh * ow",
                  "out_channels * in_channels * kh * kw * oh * ow")],
        "diagnosis": "groups ignored",
    },
    "conv2d_multiply_adds counts the bias additions": {
        "edit": [("conv2d_multiply_adds", "out_channels * (in_channels // groups) * kh * kw * oh * ow",
                  "out_channels * (in_channels // groups) * kh * kw * oh * ow + out_channels * oh * ow")],
        "diagnosis": "with the bias additions",
    },
    "conv2d_multiply_adds counts one output channel": {
        "edit": [("conv2d_multiply_adds", "out_channels * (in_channels // groups) * kh * kw * oh * ow",
                  "(in_channels // groups) * kh * kw * oh * ow")],
        "diagnosis": "per output channel",
    },
    "conv2d_multiply_adds counts the weights": {
        "edit": [("conv2d_multiply_adds", "out_channels * (in_channels // groups) * kh * kw * oh * ow",
                  "out_channels * (in_channels // groups) * kh * kw")],
        "diagnosis": "the number of weights",
    },
    "separable_num_parameters gives the pointwise step a kernel": {
        "edit": [("separable_num_parameters", "pointwise = out_channels * in_channels + ",
                  "pointwise = out_channels * in_channels * kh * kw + ")],
        "diagnosis": "kH×kW pointwise kernel",
    },
    "separable_num_parameters makes the first step a full convolution": {
        "edit": [("separable_num_parameters", "depthwise = in_channels * kh * kw + ", "depthwise = in_channels * in_channels * kh * kw + ")],
        "diagnosis": "full (not depthwise) first convolution",
    },
    "separable_num_parameters forgets the biases": {
        "edit": [("separable_num_parameters", "return depthwise + pointwise",
                  "return in_channels * kh * kw + out_channels * in_channels")],
        "diagnosis": "without biases",
    },
    "separable_num_parameters counts one set of biases": {
        "edit": [("separable_num_parameters", "depthwise = in_channels * kh * kw + (in_channels if bias else 0)",
                  "depthwise = in_channels * kh * kw")],
        "diagnosis": "one set of biases",
    },
    "valid_groups divides in_channels only": {
        "edit": [("valid_groups", "if in_channels % g == 0 and out_channels % g == 0)", "if in_channels % g == 0)"),
                 ("valid_groups", "range(1, min(in_channels, out_channels) + 1)", "range(1, in_channels + 1)")],
        "diagnosis": "the divisors of in_channels only",
    },
    "valid_groups stops before min(in, out)": {
        "edit": [("valid_groups", "range(1, min(in_channels, out_channels) + 1)", "range(1, min(in_channels, out_channels))")],
        "diagnosis": "the range stops early",
    },
    "valid_groups returns a list": {
        "edit": [("valid_groups", "return tuple(g for g in range(1, min(in_channels, out_channels) + 1)\n                 if in_channels % g == 0 and out_channels % g == 0)",
                  "return [g for g in range(1, min(in_channels, out_channels) + 1)\n            if in_channels % g == 0 and out_channels % g == 0]")],
        "diagnosis": None,
    },
}
