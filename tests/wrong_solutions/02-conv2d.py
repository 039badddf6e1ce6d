"""Plausible wrong solutions of 02-conv2d (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

WRONG = {
    "corr2d rotates the kernel": {
        "edit": [("corr2d", "Y += K[a, b] *", "Y += K[kh - 1 - a, kw - 1 - b] *")],
        "diagnosis": "a true convolution (kernel rotated",
    },
    "corr2d flips the rows of the kernel": {
        "edit": [("corr2d", "Y += K[a, b] *", "Y += K[kh - 1 - a, b] *")],
        "diagnosis": "flipped along one axis",
    },
    "corr2d reads the kernel transposed": {
        "replace": {"corr2d": '''
def corr2d(X, K):
    X, K = np.asarray(X), np.asarray(K).T
    kh, kw = K.shape
    Y = np.zeros((X.shape[0] - kh + 1, X.shape[1] - kw + 1))
    for a in range(kh):
        for b in range(kw):
            Y += K[a, b] * X[a : a + Y.shape[0], b : b + Y.shape[1]]
    return Y
'''},
        "diagnosis": "kernel transposed",
    },
    "corr2d stops one row early": {
        "edit": [("corr2d", "Y = np.zeros((X.shape[0] - kh + 1,", "Y = np.zeros((X.shape[0] - kh,")],
        "diagnosis": None,
    },
    "conv2d rotates the kernel": {
        "edit": [("conv2d", 'np.einsum("oc,nchw->nohw", w[:, :, a, b]', 'np.einsum("oc,nchw->nohw", w[:, :, kh - 1 - a, kw - 1 - b]')],
        "diagnosis": "a true convolution (kernel flipped)",
    },
    "conv2d 'same' splits an odd total with the extra zero first": {
        "edit": [("conv2d", "pads = ((th // 2, th - th // 2), (tw // 2, tw - tw // 2))",
                  "pads = ((th - th // 2, th // 2), (tw - tw // 2, tw // 2))")],
        "diagnosis": "odd extra zero before",
    },
    "conv2d 'same' pads k // 2 on every side": {
        "edit": [("conv2d", "pads = ((th // 2, th - th // 2), (tw // 2, tw - tw // 2))",
                  "pads = ((kh // 2, kh // 2), (kw // 2, kw // 2))")],
        "diagnosis": "k // 2 zeros on each side",
    },
    "conv2d 'same' without dilation": {
        "edit": [("conv2d", "th, tw = dh * (kh - 1), dw * (kw - 1)", "th, tw = kh - 1, kw - 1")],
        "diagnosis": "without the dilation",
    },
    "conv2d counts padding as a total": {
        "edit": [("conv2d", "pads = ((ph, ph), (pw, pw))", "pads = ((ph // 2, ph - ph // 2), (pw // 2, pw - pw // 2))")],
        "diagnosis": "split between the two sides",
    },
    "conv2d reads pairs as (columns, rows)": {
        "edit": [("conv2d", "return tuple(value) if isinstance(value, (tuple, list)) else (value, value)",
                  "return tuple(value)[::-1] if isinstance(value, (tuple, list)) else (value, value)")],
        "diagnosis": "every pair read backwards",
    },
    "conv2d ignores dilation": {
        "edit": [("conv2d", "rows = slice(a * dh, a * dh + sh * (h_out - 1) + 1, sh)",
                  "rows = slice(a, a + sh * (h_out - 1) + 1, sh)"),
                 ("conv2d", "cols = slice(b * dw, b * dw + sw * (w_out - 1) + 1, sw)",
                  "cols = slice(b, b + sw * (w_out - 1) + 1, sw)"),
                 ("conv2d", "h_out = (x.shape[2] - dh * (kh - 1) - 1) // sh + 1", "h_out = (x.shape[2] - kh) // sh + 1"),
                 ("conv2d", "w_out = (x.shape[3] - dw * (kw - 1) - 1) // sw + 1", "w_out = (x.shape[3] - kw) // sw + 1")],
        "diagnosis": "without dilation",
    },
    "conv2d forgets the bias": {
        "edit": [("conv2d", "out += np.asarray(bias)[None, :, None, None]", "pass")],
        "diagnosis": "without the bias",
    },
    "conv2d keeps the batch axis of an unbatched input": {
        "edit": [("conv2d", "return out[0] if unbatched else out", "return out")],
        "diagnosis": "batch axis of 1 kept",
    },
    "conv2d pads the rows only": {
        "edit": [("conv2d", "x = np.pad(x, ((0, 0), (0, 0), *pads))", "x = np.pad(x, ((0, 0), (0, 0), pads[0], (0, 0)))")],
        "diagnosis": None,
    },
    "conv2d uses the row stride for both dimensions": {
        "edit": [("conv2d", "cols = slice(b * dw, b * dw + sw * (w_out - 1) + 1, sw)",
                  "cols = slice(b * dw, b * dw + sh * (w_out - 1) + 1, sh)"),
                 ("conv2d", "w_out = (x.shape[3] - dw * (kw - 1) - 1) // sw + 1", "w_out = (x.shape[3] - dw * (kw - 1) - 1) // sh + 1")],
        "diagnosis": "without stride",
    },
    "vertical_edge_kernel detects horizontal edges": {
        "edit": [("vertical_edge_kernel", "[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]",
                  "[[1.0, 2.0, 1.0], [0.0, 0.0, 0.0], [-1.0, -2.0, -1.0]]")],
        "diagnosis": "detects horizontal edges, rows not columns",
    },
    "vertical_edge_kernel does not sum to zero": {
        "edit": [("vertical_edge_kernel", "[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]",
                  "[[1.0, 0.0, -1.0], [2.0, 1.0, -2.0], [1.0, 0.0, -1.0]]")],
        "diagnosis": "must sum to 0",
    },
    "vertical_edge_kernel is a two-tap difference": {
        "edit": [("vertical_edge_kernel", "[[1.0, 0.0, -1.0], [2.0, 0.0, -2.0], [1.0, 0.0, -1.0]]",
                  "[[0.0, 0.0, 0.0], [1.0, -1.0, 0.0], [0.0, 0.0, 0.0]]")],
        "diagnosis": None,
    },
}
