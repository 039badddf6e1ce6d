"""Plausible wrong solutions of 12-computing (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

WRONG = {
    "im2col orders rows channel-last (kernel offset major)": {
        "edit": [("im2col", "cols = cols.reshape(n, c * kh * kw, oh * ow)",
                  "cols = cols.transpose(0, 2, 3, 1, 4, 5).reshape(n, c * kh * kw, oh * ow)")],
        "diagnosis": "rows ordered (kH, kW, C)",
    },
    "im2col ignores dilation along W": {
        "edit": [("im2col", "j * dw:j * dw + (ow - 1)", "j:j + (ow - 1)")],
        "diagnosis": "kernel taps are next to each other",
    },
    "im2col pads on the top and left only": {
        "edit": [("im2col", "padded[:, :, ph:ph + h, pw:pw + w] = x", "padded[:, :, :h, :w] = x")],
        "diagnosis": "all 2·padding zeros after it",
    },
    "im2col returns a batch of one for an unbatched input": {
        "edit": [("im2col", "return cols[0] if unbatched else cols", "return cols")],
        "diagnosis": "batch axis of 1 kept",
    },
    "conv2d_im2col flips the kernel (a true convolution)": {
        "edit": [("conv2d_im2col", "out = weight.reshape(c_out, -1) @ cols",
                  "out = weight[:, :, ::-1, ::-1].reshape(c_out, -1) @ cols")],
        "diagnosis": "a true convolution (kernel flipped)",
    },
    "conv2d_im2col forgets the bias": {
        "edit": [("conv2d_im2col", "out = out + bias[:, None]", "out = out")],
        "diagnosis": "the convolution without the bias",
    },
    "conv1d_fft multiplies the spectra without conjugating (circular convolution)": {
        "edit": [("conv1d_fft", "np.conj(np.fft.rfft(weight, n=size))", "np.fft.rfft(weight, n=size)")],
        "diagnosis": "values of a circular convolution",
    },
    "conv1d_fft pads the total on one side": {
        "edit": [("conv1d_fft", "size = x.shape[-1] + 2 * p", "size = x.shape[-1] + p")],
        "diagnosis": "zeros on the left only",
    },
    "winograd_matrices without the halves in G": {
        "edit": [("winograd_matrices", "[0.5, 0.5, 0.5], [0.5, -0.5, 0.5]", "[1, 1, 1], [1, -1, 1]")],
        "diagnosis": None,
    },
    "conv1d_winograd flips the kernel": {
        "edit": [("conv1d_winograd", "u = weight @ g_matrix.T", "u = weight[..., ::-1] @ g_matrix.T")],
        "diagnosis": "a true convolution (kernel flipped)",
    },
    "conv1d_winograd keeps the last tile's extra output for odd lengths": {
        "edit": [("conv1d_winograd", "2 * tiles)[..., :length]", "2 * tiles)")],
        "diagnosis": "one value past the end",
    },
}
