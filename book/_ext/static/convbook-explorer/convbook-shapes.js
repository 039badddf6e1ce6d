/*
 * The explorers' arithmetic: output sizes, torch's parameter checks, the
 * window (or stamp) of every position and the values a small example
 * computes. The rules mirror convbook.shapes and torch 2.13;
 * tests/test_explorers.py runs this file under Node.js on thousands of
 * random configurations and compares every answer with torch.
 *
 * Plain script: in a page it defines window.ConvbookShapes, under Node.js
 * require() returns the same object. One spatial dimension is described;
 * 2D explorers are square, so rows and columns share it.
 */
(function (root) {
  "use strict";

  const OPS = {
    conv1d: { dims: 1, params: ["input_size", "kernel_size", "stride", "padding", "dilation"] },
    conv2d: { dims: 2, params: ["input_size", "kernel_size", "stride", "padding", "dilation"] },
    conv_transpose2d: {
      dims: 2,
      params: ["input_size", "kernel_size", "stride", "padding", "output_padding", "dilation"],
    },
    max_pool2d: { dims: 2, params: ["input_size", "kernel_size", "stride", "padding", "dilation", "ceil_mode"] },
    avg_pool2d: {
      dims: 2,
      params: ["input_size", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"],
    },
  };

  const isTransposed = (op) => op === "conv_transpose2d";
  const isPool = (op) => op.endsWith("_pool2d");

  /** floor((in + 2p - d(k - 1) - 1) / s) + 1, the size of conv*d (convbook.shapes.conv_output_size). */
  function convOutputSize(i, k, s, p, d) {
    return Math.floor((i + 2 * p - d * (k - 1) - 1) / s) + 1;
  }

  /** (in - 1)s - 2p + d(k - 1) + output_padding + 1 (convbook.shapes.conv_transpose_output_size). */
  function convTransposeOutputSize(i, k, s, p, outputPadding, d) {
    return (i - 1) * s - 2 * p + d * (k - 1) + outputPadding + 1;
  }

  /**
   * Pooling size with torch's ceil_mode rule (convbook.shapes.pool_output_size).
   * Returns {size, ceiled, lastStart, dropped}: ceiled is the count before the
   * rule, lastStart where that count's last window would start, dropped
   * whether the rule removed it (it started in the right padding or beyond).
   */
  function poolOutputDetails(i, k, s, p, d, ceilMode) {
    const span = i + 2 * p - d * (k - 1) - 1 + (ceilMode ? s - 1 : 0);
    const ceiled = Math.floor(span / s) + 1;
    const lastStart = (ceiled - 1) * s - p;
    const dropped = Boolean(ceilMode) && (ceiled - 1) * s >= i + p;
    return { size: dropped ? ceiled - 1 : ceiled, ceiled, lastStart, dropped };
  }

  function poolOutputSize(i, k, s, p, d, ceilMode) {
    return poolOutputDetails(i, k, s, p, d, ceilMode).size;
  }

  /** Defaults of the parameters an explorer may leave out. */
  function normalise(op, params) {
    const q = { stride: 1, padding: 0, dilation: 1, output_padding: 0, ceil_mode: false, count_include_pad: true };
    for (const [name, value] of Object.entries(params)) q[name] = value;
    if (!OPS[op].params.includes("dilation")) q.dilation = 1;
    if (!isTransposed(op)) q.output_padding = 0;
    return q;
  }

  function failure(param, message) {
    return { size: null, error: message, param };
  }

  /**
   * The output size torch returns for `op` on a 1x1 x input_size^dims input
   * (and a kernel_size^dims weight), or the rule torch enforces where it raises:
   * {size: int, error: null} or {size: null, error: "words", param: "name"}.
   */
  function outputSize(op, params) {
    if (!OPS[op]) throw new Error("unknown explorer op " + op);
    const q = normalise(op, params);
    const i = q.input_size, k = q.kernel_size, s = q.stride, p = q.padding, d = q.dilation;
    for (const name of OPS[op].params) {
      if (name === "ceil_mode" || name === "count_include_pad") continue;
      if (!Number.isInteger(q[name])) return failure(name, `${name} must be a whole number`);
    }
    if (i < 1) return failure("input_size", `input_size must be at least 1: torch refuses an empty input (got ${i})`);
    if (k < 1) return failure("kernel_size", `kernel_size should be greater than zero (got ${k})`);
    if (s < 1) return failure("stride", `stride should be greater than zero (got ${s})`);
    if (p < 0) return failure("padding", `padding must be non-negative (got ${p})`);
    if (d < 1) return failure("dilation", `dilation should be greater than zero (got ${d})`);

    if (isTransposed(op)) {
      const op_ = q.output_padding;
      if (op_ < 0) return failure("output_padding", `output_padding must be non-negative (got ${op_})`);
      if (op_ >= Math.max(s, d)) {
        return failure(
          "output_padding",
          `output_padding must be smaller than either stride or dilation: output_padding = ${op_} ` +
            `but max(stride, dilation) = ${Math.max(s, d)}`,
        );
      }
      const size = convTransposeOutputSize(i, k, s, p, op_, d);
      if (size < 1) {
        return failure(
          "padding",
          `output size is too small: (in − 1)·stride − 2·padding + dilation·(kernel_size − 1) + ` +
            `output_padding + 1 = ${size}, and torch needs at least 1`,
        );
      }
      return { size, error: null };
    }

    if (isPool(op)) {
      if (p > Math.floor(k / 2)) {
        return failure(
          "padding",
          `padding should be at most half of kernel_size: padding = ${p} > ⌊${k} / 2⌋ = ${Math.floor(k / 2)}`,
        );
      }
      const size = poolOutputSize(i, k, s, p, d, q.ceil_mode);
      if (size < 1) {
        const effective = d * (k - 1) + 1;
        return failure(
          "kernel_size",
          `output size is too small: the window, dilation·(kernel_size − 1) + 1 = ${effective} wide, ` +
            `does not fit in the padded input, input_size + 2·padding = ${i + 2 * p}`,
        );
      }
      return { size, error: null };
    }

    const effective = d * (k - 1) + 1;
    if (effective > i + 2 * p) {
      return failure(
        "kernel_size",
        `kernel size can't be greater than the padded input: dilation·(kernel_size − 1) + 1 = ${effective} ` +
          `but input_size + 2·padding = ${i + 2 * p}`,
      );
    }
    return { size: convOutputSize(i, k, s, p, d), error: null };
  }

  /** Input positions (unpadded coordinates, may lie in the padding) that window `o` reads. */
  function windowTaps(params, o) {
    const q = normalise("conv1d", params);
    const start = o * q.stride - q.padding;
    return Array.from({ length: q.kernel_size }, (_, t) => start + t * q.dilation);
  }

  /**
   * Output positions that input position `j` is stamped onto by a transposed
   * convolution (tap t lands at j*s + t*d - p; some fall outside the output).
   */
  function stampTaps(params, j) {
    const q = normalise("conv_transpose2d", params);
    return Array.from({ length: q.kernel_size }, (_, t) => j * q.stride + t * q.dilation - q.padding);
  }

  /**
   * avg_pool's divisor along one dimension for window `o`: the window clipped
   * to the padded input, or to the input itself without count_include_pad.
   * The 2D divisor is the product of the row's and the column's.
   */
  function poolDivisor(params, o) {
    const q = normalise("avg_pool2d", params);
    let start = o * q.stride - q.padding;
    let end = Math.min(start + q.kernel_size, q.input_size + q.padding);
    if (!q.count_include_pad) {
      start = Math.max(start, 0);
      end = Math.min(end, q.input_size);
    }
    return end - start;
  }

  /**
   * The values `op` computes on one channel: `x` holds input_size^dims values
   * (row-major), `w` kernel_size^dims (ignored by pooling). Returns the
   * output as a flat row-major array of out^dims numbers. Max pooling gives
   * -Infinity for a window that reads padding only, as torch does.
   */
  function forward(op, params, x, w) {
    const result = outputSize(op, params);
    if (result.error) throw new Error(result.error);
    const q = normalise(op, params);
    const n = q.input_size, k = q.kernel_size, out = result.size;
    const dims = OPS[op].dims;
    const cols = dims === 2 ? out : 1;
    const y = new Array(out ** dims).fill(0);
    const inside = (a) => a >= 0 && a < n;

    if (isTransposed(op)) {
      for (let r = 0; r < n; r++) {
        const rows = stampTaps(q, r);
        for (let c = 0; c < n; c++) {
          const columns = stampTaps(q, c);
          for (let a = 0; a < k; a++) {
            for (let b = 0; b < k; b++) {
              if (rows[a] >= 0 && rows[a] < out && columns[b] >= 0 && columns[b] < out) {
                y[rows[a] * out + columns[b]] += x[r * n + c] * w[a * k + b];
              }
            }
          }
        }
      }
      return y;
    }

    for (let r = 0; r < (dims === 2 ? out : 1); r++) {
      const rows = dims === 2 ? windowTaps(q, r) : [0];
      for (let c = 0; c < out; c++) {
        const columns = windowTaps(q, c);
        let total = 0, best = -Infinity;
        rows.forEach((row, a) => {
          if (dims === 2 && !inside(row)) return;
          columns.forEach((column, b) => {
            if (!inside(column)) return;
            const value = x[(dims === 2 ? row * n : 0) + column];
            total += value * (op.startsWith("conv") ? w[(dims === 2 ? a * k : 0) + b] : 1);
            best = Math.max(best, value);
          });
        });
        let value = total;
        if (op === "max_pool2d") value = best;
        if (op === "avg_pool2d") value = total / (poolDivisor(q, r) * poolDivisor(q, c));
        y[r * cols + c] = value;
      }
    }
    return y;
  }

  const api = {
    OPS,
    convOutputSize,
    convTransposeOutputSize,
    poolOutputDetails,
    poolOutputSize,
    outputSize,
    windowTaps,
    stampTaps,
    poolDivisor,
    forward,
  };
  if (typeof module === "object" && module.exports) module.exports = api;
  else root.ConvbookShapes = api;
})(typeof globalThis === "object" ? globalThis : this);
