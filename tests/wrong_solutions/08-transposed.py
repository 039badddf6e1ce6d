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
