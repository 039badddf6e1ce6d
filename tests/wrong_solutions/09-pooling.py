"""Plausible wrong solutions of 09-pooling (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

# A student's window-by-window max_pool2d (correct as written); the wrong ones below change one line of it.
MAX_POOL = '''
def max_pool2d(input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False, return_indices=False):
    pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    x = np.asarray(input, dtype=float)
    unbatched = x.ndim == 3
    if unbatched:
        x = x[None]
    N, C, H, W = x.shape
    (kh, kw), (ph, pw), (dh, dw) = pair(kernel_size), pair(padding), pair(dilation)
    sh, sw = pair(kernel_size if stride is None else stride)
    oh, ow = pool_output_size((H, W), (kh, kw), (sh, sw), (ph, pw), (dh, dw), ceil_mode)
    need_h = max((oh - 1) * sh + dh * (kh - 1) + 1, H + 2 * ph)
    need_w = max((ow - 1) * sw + dw * (kw - 1) + 1, W + 2 * pw)
    padded = np.full((N, C, need_h, need_w), -np.inf)
    padded[:, :, ph:ph + H, pw:pw + W] = x
    values = np.empty((N, C, oh, ow))
    indices = np.empty((N, C, oh, ow), dtype=np.int64)
    for i in range(oh):
        for j in range(ow):
            rows = i * sh + dh * np.arange(kh)
            cols = j * sw + dw * np.arange(kw)
            window = padded[:, :, rows[:, None], cols[None, :]].reshape(N, C, -1)
            best = np.argmax(window, axis=-1)
            values[:, :, i, j] = window.max(axis=-1)
            r, c = rows[best // kw] - ph, cols[best % kw] - pw
            indices[:, :, i, j] = r * W + c
    if unbatched:
        values, indices = values[0], indices[0]
    return (values, indices) if return_indices else values
'''


def max_pool(old: str, new: str) -> dict:
    assert old in MAX_POOL, old
    return {"max_pool2d": MAX_POOL.replace(old, new)}


WRONG = {
    "pool_output_size ignores ceil_mode": {
        "edit": [("pool_output_size", "span = i + 2 * p - d * (k - 1) - 1 + (s - 1 if ceil_mode else 0)", "span = i + 2 * p - d * (k - 1) - 1")],
        "diagnosis": "the floor size (ceil_mode ignored)",
    },
    "pool_output_size rounds up without torch's last-window rule": {
        "edit": [("pool_output_size", "        if ceil_mode and (out - 1) * s >= i + p:\n            out -= 1\n", "")],
        "diagnosis": "without torch's last-window rule",
    },
    "pool_output_size drops the last window only if it starts beyond in + p": {
        "edit": [("pool_output_size", "if ceil_mode and (out - 1) * s >= i + p:", "if ceil_mode and (out - 1) * s > i + p:")],
        "diagnosis": "without torch's last-window rule",
    },
    "pool_output_size drops the last window at the end of the padding": {
        "edit": [("pool_output_size", "if ceil_mode and (out - 1) * s >= i + p:", "if ceil_mode and (out - 1) * s >= i + 2 * p:")],
        "diagnosis": "without torch's last-window rule",
    },
    "pool_output_size reads stride=None as 1": {
        "edit": [("pool_output_size", "stride = kernel_size if stride is None else stride", "stride = 1 if stride is None else stride")],
        "diagnosis": "stride=None read as stride 1",
    },
    "pool_output_size counts padding once": {
        "edit": [("pool_output_size", "span = i + 2 * p - d * (k - 1) - 1", "span = i + p - d * (k - 1) - 1")],
        "diagnosis": "padding counted once",
    },
    "pool_output_size forgets dilation": {
        "edit": [("pool_output_size", "span = i + 2 * p - d * (k - 1) - 1", "span = i + 2 * p - (k - 1) - 1")],
        "diagnosis": "the size without dilation",
    },
    "max_pool2d pads with zeros": {
        "replace": max_pool("padded = np.full((N, C, need_h, need_w), -np.inf)", "padded = np.zeros((N, C, need_h, need_w))"),
        "diagnosis": "max pooling with ZERO padding",
    },
    "max_pool2d keeps the last maximum on ties": {
        "replace": max_pool("best = np.argmax(window, axis=-1)", "best = window.shape[-1] - 1 - np.argmax(window[..., ::-1], axis=-1)"),
        "diagnosis": "the LAST maximum of each window on ties",
    },
    "max_pool2d gives indices in the padded plane": {
        "replace": max_pool("r, c = rows[best // kw] - ph, cols[best % kw] - pw\n            indices[:, :, i, j] = r * W + c",
                            "r, c = rows[best // kw], cols[best % kw]\n            indices[:, :, i, j] = r * need_w + c"),
        "diagnosis": "indices in the PADDED plane",
    },
    "max_pool2d gives each maximum's place in its window": {
        "replace": max_pool("indices[:, :, i, j] = r * W + c", "indices[:, :, i, j] = best"),
        "diagnosis": "position inside its window",
    },
    "max_pool2d indexes the whole array": {
        "replace": max_pool("indices[:, :, i, j] = r * W + c",
                            "indices[:, :, i, j] = (np.arange(N)[:, None] * C + np.arange(C)[None, :]) * H * W + r * W + c"),
        "diagnosis": "the whole flattened array",
    },
    "max_pool2d ignores dilation": {
        "replace": max_pool("rows = i * sh + dh * np.arange(kh)\n            cols = j * sw + dw * np.arange(kw)",
                            "rows = i * sh + np.arange(kh)\n            cols = j * sw + np.arange(kw)"),
        "diagnosis": "dilation left out of the windows",
    },
    "avg_pool2d ignores count_include_pad=False": {
        "edit": [("avg_pool2d", "return with_pad if count_include_pad else inside", "return with_pad")],
        "diagnosis": "count_include_pad=False ignored",
    },
    "avg_pool2d never counts the padding": {
        "edit": [("avg_pool2d", "return with_pad if count_include_pad else inside", "return inside")],
        "diagnosis": "count_include_pad=True ignored",
    },
    "avg_pool2d divides clipped windows by kH*kW": {
        "edit": [("avg_pool2d", "end = np.minimum(start + k, size + p)", "end = start + k")],
        "diagnosis": "every window divided by kH·kW",
    },
    "avg_pool2d ignores divisor_override": {
        "edit": [("avg_pool2d", "    if divisor_override is not None:\n        divisor = divisor_override\n    else:\n        divisor = counts",
                  "    if True:\n        divisor = counts")],
        "diagnosis": "divisor_override ignored",
    },
    "avg_pool2d ignores ceil_mode": {
        "edit": [("avg_pool2d", "oh, ow = pool_output_size((H, W), (kh, kw), (sh, sw), (ph, pw), 1, ceil_mode)",
                  "oh, ow = pool_output_size((H, W), (kh, kw), (sh, sw), (ph, pw), 1, False)")],
        "diagnosis": "ceil_mode ignored",
    },
    "max_unpool2d indexes per sample": {
        "edit": [("max_unpool2d", "out = np.zeros((N, C, oh * ow), dtype=x.dtype)\n    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing=\"ij\")\n    out[n[:, :, None], c[:, :, None], idx.reshape(N, C, -1)] = x.reshape(N, C, -1)",
                  "out = np.zeros((N, C * oh * ow), dtype=x.dtype)\n    for n in range(N):\n        out[n, idx[n].ravel()] = x[n].ravel()")],
        "diagnosis": "indices taken per sample",
    },
    "max_unpool2d indexes the whole batch": {
        "edit": [("max_unpool2d", "out = np.zeros((N, C, oh * ow), dtype=x.dtype)\n    n, c = np.meshgrid(np.arange(N), np.arange(C), indexing=\"ij\")\n    out[n[:, :, None], c[:, :, None], idx.reshape(N, C, -1)] = x.reshape(N, C, -1)",
                  "out = np.zeros(N * C * oh * ow, dtype=x.dtype)\n    out[idx.ravel()] = x.ravel()")],
        "diagnosis": "one index space",
    },
    "max_unpool2d ignores output_size": {
        "edit": [("max_unpool2d", "if output_size is None:", "if True:")],
        "diagnosis": None,
    },
    "max_unpool2d reads the first entries of a full output_size": {
        "edit": [("max_unpool2d", "oh, ow = tuple(output_size)[-2:]", "oh, ow = tuple(output_size)[:2]")],
        "diagnosis": None,
    },
}
