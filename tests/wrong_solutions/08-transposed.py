"""Plausible wrong solutions of 08-transposed (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

SCALAR = "return (i - 1) * s - 2 * p + d * (k - 1) + op + 1"
TUPLE = "return tuple((i - 1) * s - 2 * p + d * (k - 1) + op + 1 for"


def both(scalar: str, per_dim: str) -> list:
    return [("conv_transpose_output_size", SCALAR, scalar), ("conv_transpose_output_size", TUPLE, per_dim)]


WRONG = {
    "conv_transpose_output_size forgets output_padding": {
        "edit": both("return (i - 1) * s - 2 * p + d * (k - 1) + 1", "return tuple((i - 1) * s - 2 * p + d * (k - 1) + 1 for"),
        "diagnosis": "without output_padding",
    },
    "conv_transpose_output_size crops p once": {
        "edit": both("return (i - 1) * s - p + d * (k - 1) + op + 1", "return tuple((i - 1) * s - p + d * (k - 1) + op + 1 for"),
        "diagnosis": "cropped once",
    },
    "conv_transpose_output_size adds the padding": {
        "edit": both("return (i - 1) * s + 2 * p + d * (k - 1) + op + 1", "return tuple((i - 1) * s + 2 * p + d * (k - 1) + op + 1 for"),
        "diagnosis": "padding added",
    },
    "conv_transpose_output_size forgets dilation": {
        "edit": both("return (i - 1) * s - 2 * p + (k - 1) + op + 1", "return tuple((i - 1) * s - 2 * p + (k - 1) + op + 1 for"),
        "diagnosis": "the size without dilation",
    },
    "conv_transpose_output_size uses in * s": {
        "edit": both("return i * s - 2 * p + d * (k - 1) + op + 1", "return tuple(i * s - 2 * p + d * (k - 1) + op + 1 for"),
        "diagnosis": "(in·s, not (in - 1)s)",
    },
    "conv_transpose_output_size handles ints only": {
        "replace": {"conv_transpose_output_size": '''
def conv_transpose_output_size(input_size, kernel_size, stride=1, padding=0, output_padding=0, dilation=1):
    return (input_size - 1) * stride - 2 * padding + dilation * (kernel_size - 1) + output_padding + 1
'''},
        "diagnosis": None,
    },
    "conv_transpose2d does not crop the padding": {
        "edit": [("conv_transpose2d", "out = out[:, :, ph:ph + out_h, pw:pw + out_w]", "pass")],
        "diagnosis": "not cropped by padding",
    },
    "conv_transpose2d ignores output_padding": {
        "edit": [("conv_transpose2d", "full_h = (H - 1) * sh + dh * (kh - 1) + 1 + oph", "full_h = (H - 1) * sh + dh * (kh - 1) + 1"),
                 ("conv_transpose2d", "full_w = (W - 1) * sw + dw * (kw - 1) + 1 + opw", "full_w = (W - 1) * sw + dw * (kw - 1) + 1"),
                 ("conv_transpose2d", "out_h = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1", "out_h = (H - 1) * sh - 2 * ph + dh * (kh - 1) + 1"),
                 ("conv_transpose2d", "out_w = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1", "out_w = (W - 1) * sw - 2 * pw + dw * (kw - 1) + 1")],
        "diagnosis": "without output_padding",
    },
    "conv_transpose2d stamps a flipped kernel": {
        "edit": [("conv_transpose2d", 'stamp = np.einsum("nchw,cd->ndhw", xg, wg[:, :, i, j])',
                  'stamp = np.einsum("nchw,cd->ndhw", xg, wg[:, :, kh - 1 - i, kw - 1 - j])')],
        "diagnosis": "the stamps of a flipped kernel",
    },
    "conv_transpose2d reads the weight as (C_out, C_in)": {
        "edit": [("conv_transpose2d", 'stamp = np.einsum("nchw,cd->ndhw", xg, wg[:, :, i, j])',
                  'stamp = np.einsum("nchw,dc->ndhw", xg, wg[:, :, i, j])')],
        "diagnosis": "the weight read as (C_out, C_in, kH, kW)",
    },
    "conv_transpose2d ignores dilation": {
        "edit": [("conv_transpose2d", "out[:, og, i * dh:i * dh + (H - 1) * sh + 1:sh, j * dw:j * dw + (W - 1) * sw + 1:sw] += stamp",
                  "out[:, og, i:i + (H - 1) * sh + 1:sh, j:j + (W - 1) * sw + 1:sw] += stamp"),
                 ("conv_transpose2d", "full_h = (H - 1) * sh + dh * (kh - 1) + 1 + oph", "full_h = (H - 1) * sh + kh + oph"),
                 ("conv_transpose2d", "full_w = (W - 1) * sw + dw * (kw - 1) + 1 + opw", "full_w = (W - 1) * sw + kw + opw"),
                 ("conv_transpose2d", "out_h = (H - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1", "out_h = (H - 1) * sh - 2 * ph + kh + oph"),
                 ("conv_transpose2d", "out_w = (W - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1", "out_w = (W - 1) * sw - 2 * pw + kw + opw")],
        "diagnosis": "without dilation",
    },
    "conv_transpose2d forgets the bias": {
        "edit": [("conv_transpose2d", "out = out + bias[None, :, None, None]", "pass")],
        "diagnosis": "without the bias",
    },
    "conv_transpose2d puts output_padding on both sides": {
        "edit": [("conv_transpose2d", "out = out[:, :, ph:ph + out_h, pw:pw + out_w]",
                  "out = np.pad(out, ((0, 0), (0, 0), (oph, 0), (opw, 0)))[:, :, ph:ph + out_h, pw:pw + out_w]")],
        "diagnosis": None,
    },
    "insert_zeros adds zeros after the last pixel": {
        "edit": [("insert_zeros", "out = np.zeros(x.shape[:-2] + ((H - 1) * stride + 1, (W - 1) * stride + 1), dtype=x.dtype)",
                  "out = np.zeros(x.shape[:-2] + (H * stride, W * stride), dtype=x.dtype)")],
        "diagnosis": "after the last pixel too",
    },
    "insert_zeros inserts stride zeros": {
        "edit": [("insert_zeros", "out = np.zeros(x.shape[:-2] + ((H - 1) * stride + 1, (W - 1) * stride + 1), dtype=x.dtype)\n    out[..., ::stride, ::stride] = x",
                  "out = np.zeros(x.shape[:-2] + ((H - 1) * (stride + 1) + 1, (W - 1) * (stride + 1) + 1), dtype=x.dtype)\n    out[..., ::stride + 1, ::stride + 1] = x")],
        "diagnosis": "one too many",
    },
    "insert_zeros spreads the columns only": {
        "edit": [("insert_zeros", "out = np.zeros(x.shape[:-2] + ((H - 1) * stride + 1, (W - 1) * stride + 1), dtype=x.dtype)\n    out[..., ::stride, ::stride] = x",
                  "out = np.zeros(x.shape[:-1] + ((W - 1) * stride + 1,), dtype=x.dtype)\n    out[..., ::stride] = x")],
        "diagnosis": None,
    },
    "conv_weight_of_transpose does not rotate": {
        "edit": [("conv_weight_of_transpose", "transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]", "transpose(1, 0, 2, 3)")],
        "diagnosis": "not rotated",
    },
    "conv_weight_of_transpose transposes the kernel": {
        "edit": [("conv_weight_of_transpose", "transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]", "transpose(1, 0, 3, 2)")],
        "diagnosis": "the kernel transposed (rows and columns swapped), not rotated",
    },
    "conv_weight_of_transpose keeps the channel axes": {
        "edit": [("conv_weight_of_transpose", "transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]", "transpose(0, 1, 2, 3)[:, :, ::-1, ::-1]")],
        "diagnosis": "channel axes not swapped",
    },
    "conv_weight_of_transpose flips one axis": {
        "edit": [("conv_weight_of_transpose", "transpose(1, 0, 2, 3)[:, :, ::-1, ::-1]", "transpose(1, 0, 2, 3)[:, :, ::-1, :]")],
        "diagnosis": None,
    },
}

# overlap_counts (task 5): the checkerboard, miscounted
OV_FULL = "full = np.zeros((length - 1) * stride + kernel_size, dtype=np.int64)"
OV_STAMP = "full[i * stride:i * stride + kernel_size] += 1"
OV_CROP = "return full[padding:len(full) - padding]"


def ov_edit(old: str, new: str) -> dict:
    return {"edit": [("overlap_counts", old, new)]}


WRONG.update({
    "overlap_counts does not crop the padding": {
        **ov_edit(OV_CROP, "return full"),
        "diagnosis": "not cropped by padding",
    },
    "overlap_counts crops 2p from the start": {
        **ov_edit(OV_CROP, "return full[2 * padding:]"),
        "diagnosis": "2·padding at the start only",
    },
    "overlap_counts crops with full[p:-p]": {
        **ov_edit(OV_CROP, "return full[padding:-padding]"),
        "diagnosis": "full[p:-p] with padding=0",
    },
    "overlap_counts places the stamps 1 apart": {
        **ov_edit(OV_STAMP, "full[i:i + kernel_size] += 1"),
        "diagnosis": "stride ignored when placing them",
    },
    "overlap_counts stamps k + 1 outputs": {
        **ov_edit(OV_STAMP, "full[i * stride:i * stride + kernel_size + 1] += 1"),
        "diagnosis": "k + 1 wide",
    },
    "overlap_counts makes the full output one short": {
        **ov_edit(OV_FULL, "full = np.zeros((length - 1) * stride + kernel_size - 1, dtype=np.int64)"),
        "diagnosis": "one position short",
    },
    "overlap_counts makes the full output length * stride long": {
        **ov_edit(OV_FULL, "full = np.zeros(length * stride, dtype=np.int64)"),
        "diagnosis": "length·stride positions",
    },
    "overlap_counts counts the windows of an ordinary convolution": {
        "replace": {"overlap_counts": '''
def overlap_counts(length, kernel_size, stride, padding=0):
    x = np.concatenate([np.zeros(padding), np.ones(length), np.zeros(padding)])
    n_out = (length + 2 * padding - kernel_size) // stride + 1
    return np.array([int(x[o * stride:o * stride + kernel_size].sum()) for o in range(n_out)])
'''},
        "diagnosis": "window sums of an ordinary convolution",
    },
    "overlap_counts gathers with the first input rounded down": {
        "replace": {"overlap_counts": '''
def overlap_counts(length, kernel_size, stride, padding=0):
    o = np.arange((length - 1) * stride - 2 * padding + kernel_size) + padding
    first = np.maximum(0, (o - kernel_size + 1) // stride)  # inputs i with i*s <= o < i*s + k
    last = np.minimum(length - 1, o // stride)
    return np.maximum(last - first + 1, 0)
'''},
        "diagnosis": None,
    },
})
