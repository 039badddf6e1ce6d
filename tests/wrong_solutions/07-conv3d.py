"""Plausible wrong solutions of 07-conv3d (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

WRONG = {
    "conv3d flips the kernel": {
        "edit": [("conv3d", "weight[(slice(None), slice(None)) + offset]", "weight[:, :, ::-1, ::-1, ::-1][(slice(None), slice(None)) + offset]")],
        "diagnosis": "a true convolution (kernel flipped)",
    },
    "conv3d counts padding as a total": {
        "edit": [("conv3d", "s, p, d = triple(stride), triple(padding), triple(dilation)",
                  "s, p, d = triple(stride), tuple(v // 2 for v in triple(padding)), triple(dilation)")],
        "diagnosis": "split between the two sides",
    },
    "conv3d reads triples backwards": {
        "edit": [("conv3d", "triple = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v, v)",
                  "triple = lambda v: tuple(v)[::-1] if isinstance(v, (tuple, list)) else (v, v, v)")],
        "diagnosis": "every pair read backwards",
    },
    "conv3d forgets the bias": {
        "edit": [("conv3d", "out += bias[None, :, None, None, None]", "pass")],
        "diagnosis": "without the bias",
    },
    "conv3d keeps the batch axis of an unbatched input": {
        "edit": [("conv3d", "return out[0] if unbatched else out", "return out")],
        "diagnosis": "batch axis of 1 kept",
    },
    "conv3d ignores dilation": {
        "edit": [("conv3d", "index = tuple(slice(o * di, o * di + (m - 1) * si + 1, si)", "index = tuple(slice(o, o + (m - 1) * si + 1, si)"),
                 ("conv3d", "out_size = [(n + 2 * pi - di * (ki - 1) - 1) // si + 1", "out_size = [(n + 2 * pi - (ki - 1) - 1) // si + 1")],
        "diagnosis": "without dilation",
    },
    "conv3d_output_shape counts padding once": {
        "edit": [("conv3d_output_shape", "out = [(n + 2 * p - d * (k - 1) - 1) // s + 1", "out = [(n + p - d * (k - 1) - 1) // s + 1")],
        "diagnosis": "padding counted once",
    },
    "conv3d_output_shape forgets dilation": {
        "edit": [("conv3d_output_shape", "out = [(n + 2 * p - d * (k - 1) - 1) // s + 1", "out = [(n + 2 * p - (k - 1) - 1) // s + 1")],
        "diagnosis": "the shape without dilation",
    },
    "conv3d_output_shape keeps the input channels": {
        "edit": [("conv3d_output_shape", "N, _, *sizes = input_shape", "N, C, *sizes = input_shape"),
                 ("conv3d_output_shape", "return (N, out_channels, *out)", "return (N, C, *out)")],
        "diagnosis": "the input's channel count",
    },
    "conv3d_output_shape returns a list": {
        "edit": [("conv3d_output_shape", "return (N, out_channels, *out)", "return [N, out_channels, *out]")],
        "diagnosis": None,
    },
    "conv3d_output_shape leaves out the batch": {
        "edit": [("conv3d_output_shape", "return (N, out_channels, *out)", "return (out_channels, *out)")],
        "diagnosis": None,
    },
    "conv3d_output_shape ignores the stride": {
        "edit": [("conv3d_output_shape", "out = [(n + 2 * p - d * (k - 1) - 1) // s + 1", "out = [(n + 2 * p - d * (k - 1) - 1) + 1")],
        "diagnosis": "the stride ignored",
    },
    "frames_to_batch reshapes": {
        "edit": [("frames_to_batch", "np.ascontiguousarray(x.transpose(0, 2, 1, 3, 4)).reshape(N * D, C, H, W)", "x.reshape(N * D, C, H, W)")],
        "diagnosis": "a plain reshape",
    },
    "frames_to_batch puts time first": {
        "edit": [("frames_to_batch", "x.transpose(0, 2, 1, 3, 4)).reshape(N * D, C, H, W)", "x.transpose(2, 0, 1, 3, 4)).reshape(N * D, C, H, W)")],
        "diagnosis": "time first",
    },
    "batch_to_frames reshapes": {
        "edit": [("batch_to_frames", "np.ascontiguousarray(y.reshape(batch_size, ND // batch_size, C, H, W).transpose(0, 2, 1, 3, 4))",
                  "y.reshape(batch_size, C, ND // batch_size, H, W)")],
        "diagnosis": "a plain reshape",
    },
    "batch_to_frames reads time first": {
        "edit": [("batch_to_frames", "np.ascontiguousarray(y.reshape(batch_size, ND // batch_size, C, H, W).transpose(0, 2, 1, 3, 4))",
                  "np.ascontiguousarray(y.reshape(ND // batch_size, batch_size, C, H, W).transpose(1, 2, 0, 3, 4))")],
        "diagnosis": "time first",
    },
    "batch_to_frames forgets to move the channels": {
        "edit": [("batch_to_frames", "np.ascontiguousarray(y.reshape(batch_size, ND // batch_size, C, H, W).transpose(0, 2, 1, 3, 4))",
                  "y.reshape(batch_size, ND // batch_size, C, H, W)")],
        "diagnosis": None,
    },
}
