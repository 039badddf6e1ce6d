"""Plausible wrong solutions of 10-backprop (see tests/wrong_solutions/__init__.py for the format)."""
# ruff: noqa: E501, N999 - named after the assignment; its wrong solutions quote solution lines whole

MAX_BACKWARD_ADD = "np.add.at(grad, (planes, winner.ravel()), go.ravel())"

WRONG = {
    "conv2d_input does not rotate the kernel": {
        "edit": [("conv2d_input", "rotated = w[:, :, ::-1, ::-1]", "rotated = w")],
        "diagnosis": "the kernel NOT rotated",
    },
    "conv2d_input transposes the kernel": {
        "edit": [("conv2d_input", "rotated = w[:, :, ::-1, ::-1]", "rotated = w.transpose(0, 1, 3, 2)")],
        "diagnosis": "the kernel transposed",
    },
    "conv2d_input keeps the padding's gradient": {
        "edit": [("conv2d_input", "grad = grad[:, :, ph:ph + H, pw:pw + W]  # the padding's gradient is dropped", "pass")],
        "diagnosis": "the gradient of the PADDED input",
    },
    "conv2d_input forgets the rows no window reached": {
        "edit": [("conv2d_input", "Hp, Wp = H + 2 * ph, W + 2 * pw", "Hp, Wp = up.shape[2] + dh * (kh - 1), up.shape[3] + dw * (kw - 1)")],
        "diagnosis": "the rows/columns the windows reached only",
    },
    "conv2d_input does not spread grad_output over the stride": {
        "edit": [("conv2d_input", "up = np.zeros((N, C_out, (oh - 1) * sh + 1, (ow - 1) * sw + 1), dtype=go.dtype)\n    up[:, :, ::sh, ::sw] = go",
                  "up = go")],
        "diagnosis": None,
    },
    "conv2d_input does not dilate the rotated kernel": {
        "edit": [("conv2d_input", "window = full[:, outs, a * dh:a * dh + Hp, b * dw:b * dw + Wp]", "window = full[:, outs, a:a + Hp, b:b + Wp]")],
        "diagnosis": None,
    },
    "conv2d_weight rotates the gradient": {
        "edit": [("conv2d_weight", "grad[outs, :, a, b] = ", "grad[outs, :, kh - 1 - a, kw - 1 - b] = ")],
        "diagnosis": "rotated by 180°",
    },
    "conv2d_weight averages over the batch": {
        "edit": [("conv2d_weight", "    return grad\n", "    return grad / x.shape[0]\n")],
        "diagnosis": "averaged over the batch",
    },
    "conv2d_weight ignores the stride": {
        "edit": [("conv2d_weight", "seen = xp[:, ins, a * dh:a * dh + (oh - 1) * sh + 1:sh, b * dw:b * dw + (ow - 1) * sw + 1:sw]",
                  "seen = xp[:, ins, a * dh:a * dh + oh, b * dw:b * dw + ow]")],
        "diagnosis": None,
    },
    "conv_bias averages": {
        "edit": [("conv_bias", "return go.sum(axis=", "return go.mean(axis=")],
        "diagnosis": "the mean of grad_output",
    },
    "conv_bias ignores batched": {
        "edit": [("conv_bias", "channel = 1 if batched else 0", "channel = 1")],
        "diagnosis": "summed over the wrong axis",
    },
    "max_pool2d_backward adds with fancy indexing": {
        "edit": [("max_pool2d_backward", MAX_BACKWARD_ADD, "grad[planes, winner.ravel()] += go.ravel()")],
        "diagnosis": "fancy-index +=",
    },
    "max_pool2d_backward keeps the last maximum on ties": {
        "edit": [("max_pool2d_backward", "better = window > best", "better = window >= best")],
        "diagnosis": "the LAST maximum of each window on ties",
    },
    "max_pool2d_backward pads with zeros": {
        "edit": [("max_pool2d_backward", "padded = np.full((N, C, need_h, need_w), -np.inf)", "padded = np.zeros((N, C, need_h, need_w))"),
                 ("max_pool2d_backward", "winner = np.zeros((N, C, oh, ow), dtype=np.int64)", "winner = np.zeros((N, C, oh, ow), dtype=np.int64)\n    won = np.zeros((N, C, oh, ow), dtype=bool)"),
                 ("max_pool2d_backward", "            winner = np.where(better, flat, winner)\n",
                  "            winner = np.where(better, flat, winner)\n"
                  "            r, c = rows0[:, None] + i * dh, cols0[None, :] + j * dw\n"
                  "            won = np.where(better, (r >= 0) & (r < H) & (c >= 0) & (c < W), won)\n"),
                 ("max_pool2d_backward", MAX_BACKWARD_ADD, "np.add.at(grad, (planes[won.ravel()], winner.ravel()[won.ravel()]), go.ravel()[won.ravel()])")],
        "diagnosis": "max pooling with ZERO padding",
    },
    "max_pool2d_backward spreads the gradient over the window": {
        "replace": {"max_pool2d_backward": '''
def max_pool2d_backward(grad_output, input, kernel_size, stride=None, padding=0, dilation=1, ceil_mode=False):
    pair = lambda v: tuple(v) if isinstance(v, (tuple, list)) else (v, v)
    x = np.asarray(input)
    go = np.asarray(grad_output)
    unbatched = x.ndim == 3
    if unbatched:
        x, go = x[None], go[None]
    N, C, H, W = x.shape
    (kh, kw), (ph, pw), (dh, dw) = pair(kernel_size), pair(padding), pair(dilation)
    sh, sw = pair(kernel_size if stride is None else stride)
    oh, ow = go.shape[-2:]
    need_h = max((oh - 1) * sh + dh * (kh - 1) + 1, H + 2 * ph)
    need_w = max((ow - 1) * sw + dw * (kw - 1) + 1, W + 2 * pw)
    grad = np.zeros((N, C, need_h, need_w))
    for i in range(kh):
        for j in range(kw):
            grad[:, :, i * dh:i * dh + (oh - 1) * sh + 1:sh, j * dw:j * dw + (ow - 1) * sw + 1:sw] += go
    grad = grad[:, :, ph:ph + H, pw:pw + W]
    return grad[0] if unbatched else grad
'''},
        "diagnosis": "sent to every element of the window",
    },
    "avg_pool2d_backward ignores count_include_pad=False": {
        "edit": [("avg_pool2d_backward", "return end - start if count_include_pad else np.minimum(end, size) - np.maximum(start, 0)", "return end - start")],
        "diagnosis": "count_include_pad=False ignored",
    },
    "avg_pool2d_backward divides by kH*kW": {
        "edit": [("avg_pool2d_backward", "end = np.minimum(start + k, size + p)", "end = start + k")],
        "diagnosis": "divided by kH·kW",
    },
    "avg_pool2d_backward ignores divisor_override": {
        "edit": [("avg_pool2d_backward", "    if divisor_override is not None:\n        divisor = divisor_override\n    else:\n        divisor = counts",
                  "    if True:\n        divisor = counts")],
        "diagnosis": "divisor_override ignored",
    },
    "avg_pool2d_backward does not divide": {
        "edit": [("avg_pool2d_backward", "share = go / divisor", "share = go * 1.0")],
        "diagnosis": "without dividing",
    },
    "numerical_gradient uses one-sided differences": {
        "edit": [("numerical_gradient", "        x[i] = original - eps\n        minus = float(np.sum(f(x)))\n", "        x[i] = original\n        minus = float(np.sum(f(x)))\n"),
                 ("numerical_gradient", "grad[i] = (plus - minus) / (2 * eps)", "grad[i] = (plus - minus) / eps")],
        "diagnosis": "one-sided differences",
    },
    "numerical_gradient divides by eps": {
        "edit": [("numerical_gradient", "grad[i] = (plus - minus) / (2 * eps)", "grad[i] = (plus - minus) / eps")],
        "diagnosis": "divided by ε",
    },
    "numerical_gradient forgets to put the element back": {
        "edit": [("numerical_gradient", "        x[i] = original\n        grad[i]", "        grad[i]")],
        "diagnosis": None,
    },
    "max_gradient_error sums the differences": {
        "edit": [("max_gradient_error", "error = max(error, float(np.max(np.abs(numeric - grad), initial=0.0)))",
                  "error += float(np.sum(np.abs(numeric - grad)))")],
        "diagnosis": None,
    },
    "max_gradient_error ignores grad_output": {
        "edit": [("max_gradient_error", "return np.sum(f(*inputs[:k], value, *inputs[k + 1:]) * grad_output)",
                  "return np.sum(f(*inputs[:k], value, *inputs[k + 1:]))")],
        "diagnosis": None,
    },
    "max_gradient_error returns an array": {
        "edit": [("max_gradient_error", "    return error\n", "    return np.array([error])\n")],
        "diagnosis": None,
    },
}
