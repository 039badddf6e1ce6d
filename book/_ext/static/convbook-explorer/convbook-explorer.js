/*
 * Interactive explorers: every <div class="convbook-explorer" data-op="OP">
 * becomes a small figure with inputs named after torch's parameters, the
 * input grid (padding drawn), the window stepping over it, the output grid
 * filling in, the output-size formula with the numbers substituted and the
 * equivalent PyTorch call. All arithmetic comes from convbook-shapes.js
 * (window.ConvbookShapes), which the tests compare with torch.
 */
(function () {
  "use strict";
  const S = window.ConvbookShapes;

  const TITLES = {
    conv1d: "conv1d: a kernel slides along a sequence",
    conv2d: "conv2d: a kernel slides over an image",
    conv_transpose2d: "conv_transpose2d: each input stamps the kernel onto the output",
    max_pool2d: "max_pool2d: the largest value in each window",
    avg_pool2d: "avg_pool2d: the mean of each window",
  };
  const DEFAULTS = {
    conv1d: { input_size: 10, kernel_size: 3, stride: 1, padding: 1, dilation: 1 },
    conv2d: { input_size: 5, kernel_size: 3, stride: 2, padding: 1, dilation: 1 },
    conv_transpose2d: { input_size: 3, kernel_size: 3, stride: 2, padding: 1, output_padding: 1, dilation: 1 },
    max_pool2d: { input_size: 5, kernel_size: 2, stride: 2, padding: 0, dilation: 1, ceil_mode: true },
    avg_pool2d: { input_size: 6, kernel_size: 3, stride: 2, padding: 1, ceil_mode: true, count_include_pad: true },
  };
  // [min, max] of each number input; larger values are brought back to max, smaller ones are
  // kept (torch refuses them, and the explorer shows its rule).
  const LIMITS = {
    input_size: [1, 12],
    kernel_size: [1, 6],
    stride: [1, 5],
    padding: [0, 4],
    dilation: [1, 4],
    output_padding: [0, 4],
  };
  const OP_LIMITS = { conv1d: { input_size: [1, 24] }, conv_transpose2d: { input_size: [1, 6] } };
  const SYMBOLS = { input_size: "in", kernel_size: "k", stride: "s", padding: "p", dilation: "d" };
  const HINTS = {
    input_size: "length of the input",
    kernel_size: "taps per window",
    stride: "step between windows",
    padding: "added on each side",
    dilation: "spacing of the taps",
    output_padding: "extra rows and columns at the bottom right",
    ceil_mode: "round up: keep a last window that hangs over the edge",
    count_include_pad: "padding counts in the divisor",
  };
  const FLAGS = ["ceil_mode", "count_include_pad"];
  const CELL = 10; // SVG units per cell

  const range = (lo, hi) => Array.from({ length: Math.max(hi - lo, 0) }, (_, j) => lo + j);
  const fmt = (v) => (v === -Infinity ? "−∞" : Number.isInteger(v) ? String(v) : v.toFixed(2));
  const list = (taps) =>
    taps.length > 1 && taps[1] - taps[0] === 1 ? `${taps[0]}…${taps[taps.length - 1]}` : taps.join(", ");
  const ENTITIES = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
  const esc = (s) => String(s).replace(/[&<>"]/g, (c) => ENTITIES[c]);
  const square = (dims, size) => (dims === 2 ? `${size} × ${size}` : String(size));

  /** The small example the grids show: inputs 0-9 (all 1 for transposed), an edge-detecting kernel. */
  function inputValue(op, r, c) {
    if (op === "conv_transpose2d") return 1;
    let h = (Math.imul(r, 374761393) + Math.imul(c, 668265263) + 1) | 0; // a fixed hash of the position
    h = Math.imul(h ^ (h >>> 13), 1274126177);
    return ((h ^ (h >>> 16)) >>> 0) % 10;
  }
  function kernelValue(op, k, b) {
    if (op === "conv_transpose2d" || k === 1) return 1;
    const middle = (k - 1) / 2;
    return b < middle ? 1 : b > middle ? -1 : 0;
  }

  /** Everything the figure shows for one setting of the inputs. */
  function model(op, q) {
    const dims = S.OPS[op].dims;
    if (q.dilation === undefined) q.dilation = 1; // avg_pool2d has none
    const result = S.outputSize(op, q);
    const m = { op, q, dims, result, out: result.size || 0 };
    const n = q.input_size, k = q.kernel_size;
    m.drawable = Number.isInteger(n) && n >= 1 && Number.isInteger(q.padding);
    if (!m.drawable) return m;
    const p = Math.max(q.padding, 0);
    // Row-major values, one row in 1D.
    m.x = Array.from({ length: n ** dims }, (_, j) => inputValue(op, Math.floor(j / n), j % n));
    if (Number.isInteger(k) && k >= 1) m.w = Array.from({ length: k ** dims }, (_, j) => kernelValue(op, k, j % k));
    if (op === "conv_transpose2d") {
      m.inRegion = [0, n];
      m.steps = n * n;
      if (m.out > 0) {
        const full = (n - 1) * q.stride + q.dilation * (k - 1) + 1;
        m.canvas = [0, Math.max(full, p + m.out)]; // uncropped output; output o is canvas o + p
      }
    } else {
      let hi = n + p;
      if (m.out > 0) {
        m.values = S.forward(op, q, m.x, m.w);
        const last = S.windowTaps(q, m.out - 1);
        hi = Math.max(hi, last[last.length - 1] + 1); // ceil_mode: a last window may hang over the edge
        if (op.endsWith("pool2d")) {
          m.pool = S.poolOutputDetails(n, k, q.stride, p, q.dilation, q.ceil_mode);
          if (m.pool.dropped) hi = Math.max(hi, m.pool.lastStart + q.dilation * (k - 1) + 1); // drawn dashed
        }
      }
      m.inRegion = [-p, hi];
      m.steps = m.out ** dims;
    }
    return m;
  }

  /** One grid as an SVG string; cells get data-cell only in the output grid. */
  function grid(name, rows, cols, px, cellOf, label) {
    const height = (rows[1] - rows[0]) * CELL, width = (cols[1] - cols[0]) * CELL;
    const parts = [
      `<svg class="cbx-grid" data-grid="${name}" viewBox="-1 -1 ${width + 2} ${height + 2}" ` +
        `width="${(width / CELL) * px + 2}" height="${(height / CELL) * px + 2}" ` +
        `role="img" aria-label="${esc(label)}">`,
    ];
    for (const r of range(...rows)) {
      for (const c of range(...cols)) {
        const cell = cellOf(r, c);
        if (!cell) continue;
        const x = (c - cols[0]) * CELL, y = (r - rows[0]) * CELL;
        parts.push(
          `<g class="cbx-cell ${cell.cls}" data-at="${r},${c}"${cell.data ? ` data-cell="${r},${c}"` : ""}>` +
            `<rect x="${x}" y="${y}" width="${CELL}" height="${CELL}"></rect>` +
            `<text x="${x + CELL / 2}" y="${y + (cell.corner ? 3.9 : CELL / 2)}">${cell.text ?? ""}</text>` +
            (cell.corner ? `<text class="cbx-corner" x="${x + CELL / 2}" y="${y + 7.6}"></text>` : "") +
            "</g>",
        );
      }
    }
    parts.push(`<rect class="cbx-window" x="0" y="0" width="0" height="0"></rect>`);
    parts.push(`<rect class="cbx-dropped" x="0" y="0" width="0" height="0"></rect></svg>`);
    return parts.join("");
  }

  function controlsHtml(op, settings) {
    const fields = S.OPS[op].params.map((name) => {
      const hint = name === "padding" && op === "max_pool2d" ? "−∞ added on each side" : HINTS[name];
      if (FLAGS.includes(name)) {
        return (
          `<label class="cbx-flag" title="${hint}"><input type="checkbox" name="${name}"` +
          `${settings[name] ? " checked" : ""}> <code>${name}</code></label>`
        );
      }
      const [lo, hi] = (OP_LIMITS[op] || {})[name] || LIMITS[name];
      const symbol = SYMBOLS[name] ? ` <var>${SYMBOLS[name]}</var>` : "";
      return (
        `<label class="cbx-field" title="${hint}"><span><code>${name}</code>${symbol}</span>` +
        `<input type="number" name="${name}" min="${lo}" max="${hi}" step="1" value="${settings[name]}" ` +
        `inputmode="numeric"></label>`
      );
    });
    return fields.join("");
  }

  function init(root) {
    const op = root.dataset.op;
    if (!S || !S.OPS[op]) {
      root.textContent = `Unknown explorer “${op}”.`;
      return;
    }
    let init = {};
    try {
      init = JSON.parse(root.dataset.init || "{}");
    } catch (error) {
      init = {};
    }
    const settings = Object.assign({}, DEFAULTS[op], init);
    const transposed = op === "conv_transpose2d";
    root.innerHTML =
      `<p class="cbx-title">${TITLES[op]}</p>` +
      `<form class="cbx-controls" aria-label="${op} parameters">${controlsHtml(op, settings)}</form>` +
      `<div class="cbx-player" role="group" aria-label="Step through the ${transposed ? "stamps" : "windows"}">` +
      `<button type="button" data-action="play" aria-pressed="false">▶ Play</button>` +
      `<button type="button" data-action="prev" aria-label="Previous step">◀</button>` +
      `<button type="button" data-action="next" aria-label="Next step">▶</button>` +
      `<label class="cbx-position"><span class="cbx-step">step</span>` +
      `<input type="range" min="0" max="0" value="0" data-role="position"></label></div>` +
      `<p class="cbx-status" aria-live="polite"></p>` +
      `<div class="cbx-stage"></div>` +
      `<p class="cbx-result">output size <strong data-output-size></strong><span class="cbx-square"></span></p>` +
      `<p class="cbx-error" data-error role="alert" hidden></p>` +
      `<div class="cbx-formula"></div>` +
      `<pre class="cbx-code"><code></code></pre>`;
    const $ = (selector) => root.querySelector(selector);
    const form = $("form"), stage = $(".cbx-stage"), slider = $('[data-role="position"]');
    const play = $('[data-action="play"]');
    let m = null, position = 0, timer = null, cells = {};

    function read() {
      const q = {};
      for (const name of S.OPS[op].params) {
        const input = form.elements[name];
        if (FLAGS.includes(name)) {
          q[name] = input.checked;
          continue;
        }
        let value = input.value.trim() === "" ? NaN : Number(input.value);
        if (Number.isInteger(value) && value > Number(input.max)) {
          value = Number(input.max);
          input.value = String(value);
        }
        q[name] = value;
      }
      return q;
    }

    function rebuild() {
      m = model(op, read());
      const err = m.result.error;
      $("[data-output-size]").textContent = err ? "" : String(m.out);
      $(".cbx-square").textContent = err || m.dims === 1 ? "" : ` × ${m.out}`;
      $(".cbx-result").classList.toggle("cbx-invalid", Boolean(err));
      const box = $("[data-error]");
      box.hidden = !err;
      box.textContent = err ? `torch raises: ${err}.` : "";
      $(".cbx-formula").innerHTML = formulaHtml(m);
      $(".cbx-code code").textContent = torchCall(m);
      draw();
      slider.max = String(Math.max((m.steps || 1) - 1, 0));
      slider.disabled = Boolean(err) || !m.steps;
      for (const button of root.querySelectorAll("button")) button.disabled = slider.disabled;
      if (slider.disabled) stop();
      show(Math.min(position, Number(slider.max)));
    }

    function draw() {
      const width = Math.max(stage.clientWidth || root.clientWidth || 320, 200);
      const { q, dims } = m;
      if (!m.drawable) {
        stage.innerHTML = `<p class="cbx-note">Nothing to draw for these settings.</p>` + emptyOutput();
        cells = {};
        return;
      }
      const rows = (region) => (dims === 2 ? region : [0, 1]);
      const inRows = rows(m.inRegion), inCols = m.inRegion;
      const inside = (r, c) => (dims === 1 || (r >= 0 && r < q.input_size)) && c >= 0 && c < q.input_size;
      const padded = (a) => a >= -q.padding && a < q.input_size + q.padding;
      // Cell sizes: the grids side by side if input and output keep cells of 20 px or more, else stacked.
      const showKernel = Boolean(m.w) && op.startsWith("conv");
      const most = { input: 34, kernel: 28, output: op === "avg_pool2d" ? 46 : 34 };
      const counts = {
        input: inCols[1] - inCols[0],
        kernel: showKernel ? q.kernel_size : 0,
        output: m.result.error ? 0 : transposed ? m.canvas[1] - m.canvas[0] : m.out,
      };
      const natural = counts.input * most.input + counts.kernel * most.kernel + counts.output * most.output;
      const scale = Math.min(1, (width - (showKernel ? 100 : 50)) / natural);
      const stacked = dims === 1 || Math.min(most.input, most.output) * scale < 20;
      const fit = (count, px) => Math.max(12, Math.min(px, Math.floor((width - 8) / Math.max(count, 1))));
      const size = (name) => (stacked ? fit(counts[name], most[name]) : Math.max(14, Math.floor(most[name] * scale)));
      const inPx = size("input");
      const panels = [];
      const padNote = q.padding > 0 ? `, padding ${q.padding} per side` : "";
      const inputLabel = `input ${square(dims, q.input_size)}${padNote}`;
      const input = grid("input", inRows, inCols, inPx, (r, c) => {
        if (inside(r, c)) {
          return { cls: "cbx-in", text: inPx >= 16 ? m.x[(dims === 2 ? r * q.input_size : 0) + c] : "" };
        }
        if ((dims === 1 || padded(r)) && padded(c)) return { cls: "cbx-pad", text: "" };
        return { cls: "cbx-beyond", text: "" };
      }, inputLabel);
      panels.push(panel(transposed || q.padding <= 0 ? "input" : "input (padding shaded)", input));

      if (showKernel) {
        const k = q.kernel_size;
        const kPx = size("kernel");
        const kernel = grid("kernel", rows([0, k]), [0, k], kPx, (a, b) => ({
          cls: "cbx-weight",
          text: kPx >= 16 ? m.w[(dims === 2 ? a * k : 0) + b] : "",
        }), `kernel ${square(dims, k)}`);
        panels.push(panel(transposed ? "kernel (all ones)" : "kernel", kernel));
      }

      if (m.result.error) {
        panels.push(panel("output", emptyOutput()));
      } else if (transposed) {
        const cv = m.canvas;
        const oPx = size("output");
        m.outPx = oPx;
        const out = grid("output", cv, cv, oPx, (r, c) => {
          const o = [r - q.padding, c - q.padding];
          const kept = o.every((v) => v >= 0 && v < m.out);
          return kept ? { cls: "cbx-o", data: true } : { cls: "cbx-cropped" };
        }, `output ${m.out} × ${m.out}, cropped from the full ${cv[1]} × ${cv[1]} stamp canvas`);
        panels.push(panel(q.padding > 0 ? "output (cropped border shaded)" : "output", out));
      } else {
        const avg = op === "avg_pool2d";
        const oPx = size("output");
        m.outPx = oPx;
        const out = grid("output", rows([0, m.out]), [0, m.out], oPx, () => ({
          cls: "cbx-o" + (avg ? " cbx-avg" : ""),
          data: true,
          corner: avg && oPx >= 30,
        }), `output ${square(dims, m.out)}`);
        panels.push(panel(avg ? "output (divisor under each mean)" : "output", out));
      }
      stage.classList.remove("cbx-stacked");
      stage.innerHTML = panels.join('<span class="cbx-arrow" aria-hidden="true">→</span>');
      // Captions can make the row wider than estimated: stack the grids rather than wrap them.
      const figures = stage.querySelectorAll(".cbx-panel");
      const wrapped = figures[figures.length - 1].getBoundingClientRect().top >= figures[0].getBoundingClientRect().bottom;
      stage.classList.toggle("cbx-stacked", stacked || wrapped);
      cells = {};
      for (const g of stage.querySelectorAll("[data-at]")) cells[g.closest("svg").dataset.grid + g.dataset.at] = g;
    }

    function emptyOutput() {
      return `<svg class="cbx-grid" data-grid="output" width="0" height="0" aria-hidden="true"></svg>`;
    }

    function panel(caption, svg) {
      return `<figure class="cbx-panel">${svg}<figcaption>${caption}</figcaption></figure>`;
    }

    function cell(gridName, r, c) {
      return cells[gridName + r + "," + c];
    }

    function setText(g, text) {
      const t = g && g.querySelector("text");
      if (t) t.textContent = text;
    }

    function outline(gridName, className, rows, cols, region) {
      const svg = stage.querySelector(`[data-grid="${gridName}"]`);
      const rect = svg && svg.querySelector("." + className);
      if (!rect) return;
      if (!rows) {
        rect.setAttribute("width", 0);
        return;
      }
      const [r0, c0] = [m.dims === 2 ? region[0] : 0, region[0]];
      rect.setAttribute("width", (cols[cols.length - 1] - cols[0] + 1) * CELL);
      rect.setAttribute("height", (rows[rows.length - 1] - rows[0] + 1) * CELL);
      rect.style.transform = `translate(${(cols[0] - c0) * CELL}px, ${(rows[0] - r0) * CELL}px)`;
    }

    /** Show step `to`: the window (or stamp) there, the outputs filled so far. */
    function show(to) {
      position = Math.max(0, Math.min(to, Number(slider.max)));
      slider.value = String(position);
      slider.setAttribute("aria-valuetext", `step ${position + 1} of ${m.steps || 0}`);
      $(".cbx-step").textContent = m.steps && !m.result.error ? `step ${position + 1}/${m.steps}` : "step";
      for (const g of stage.querySelectorAll(".cbx-tap, .cbx-now, .cbx-done, .cbx-source"))
        g.classList.remove("cbx-tap", "cbx-now", "cbx-done", "cbx-source");
      if (m.result.error || !m.drawable || !m.steps) {
        $(".cbx-status").textContent = m.result.error ? "No output: torch refuses these settings." : "";
        return;
      }
      if (transposed) showStamp();
      else showWindow();
    }

    function showWindow() {
      const { q, dims, out } = m;
      const cols = out;
      const r = dims === 2 ? Math.floor(position / cols) : 0, c = position % cols;
      const rowTaps = dims === 2 ? S.windowTaps(q, r) : [0], colTaps = S.windowTaps(q, c);
      for (const a of rowTaps) for (const b of colTaps) cell("input", a, b)?.classList.add("cbx-tap");
      outline("input", "cbx-window", rowTaps, colTaps, m.inRegion);
      for (let j = 0; j < m.steps; j++) {
        const g = cell("output", dims === 2 ? Math.floor(j / cols) : 0, j % cols);
        if (!g) continue;
        const shown = j <= position;
        if (shown) g.classList.add(j === position ? "cbx-now" : "cbx-done");
        setText(g, shown ? cellText(j) : "");
        const corner = g.querySelector(".cbx-corner");
        if (corner) corner.textContent = shown ? `÷${divisor(j)}` : "";
      }
      if (m.pool && m.pool.dropped && dims === 2) {
        const taps = S.windowTaps(q, m.pool.ceiled - 1);
        outline("input", "cbx-dropped", S.windowTaps(q, 0), taps, m.inRegion);
      } else outline("input", "cbx-dropped", null);
      $(".cbx-status").textContent = windowStory(r, c, rowTaps, colTaps);
    }

    /** The text of output cell j: its value; for a small average-pooling cell, its divisor. */
    function cellText(j) {
      if (m.outPx < 16) return "";
      if (m.op === "avg_pool2d" && m.outPx < 30) return `÷${divisor(j)}`;
      return fmt(m.values[j]);
    }

    function divisor(j) {
      return S.poolDivisor(m.q, Math.floor(j / m.out)) * S.poolDivisor(m.q, j % m.out);
    }

    function windowStory(r, c, rowTaps, colTaps) {
      const { q, dims, op: name } = m;
      const n = q.input_size;
      const where = dims === 2 ? `rows ${list(rowTaps)}, columns ${list(colTaps)}` : `positions ${list(colTaps)}`;
      const at = dims === 2 ? `(${r}, ${c})` : `[${c}]`;
      let reads = 0, pads = 0, total = 0, best = -Infinity;
      for (const a of rowTaps) {
        for (const b of colTaps) {
          const inRow = dims === 1 || (a >= 0 && a < n);
          if (inRow && b >= 0 && b < n) {
            const v = m.x[(dims === 2 ? a * n : 0) + b];
            reads += 1;
            total += v;
            best = Math.max(best, v);
          } else pads += 1;
        }
      }
      const value = fmt(m.values[dims === 2 ? r * m.out + c : c]);
      const padNote = pads ? `; ${pads} of its ${rowTaps.length * colTaps.length} taps fall outside the input` : "";
      if (name.startsWith("conv")) {
        return `output ${at} = Σ input × kernel over the window at ${where} = ${value}` +
          (pads ? ` (${pads} ${pads === 1 ? "tap reads" : "taps read"} padding zeros)` : "");
      }
      if (name === "max_pool2d") {
        return reads
          ? `output ${at} = max of the ${reads} input values in the window at ${where} = ${value}${padNote}`
          : `output ${at}: the window at ${where} reads padding only, so torch returns −∞`;
      }
      const dr = S.poolDivisor(q, r), dc = S.poolDivisor(q, c);
      const how = q.count_include_pad ? "window clipped to the padded input" : "window clipped to the input";
      return `output ${at} = ${total} ÷ ${dr * dc} = ${value}: the sum of the window at ${where}, ` +
        `divided by ${dr} × ${dc} (${how})${padNote}`;
    }

    function showStamp() {
      const { q, out } = m;
      const n = q.input_size, k = q.kernel_size;
      const i = Math.floor(position / n), j = position % n;
      cell("input", i, j)?.classList.add("cbx-source");
      for (let src = 0; src < position; src++) cell("input", Math.floor(src / n), src % n)?.classList.add("cbx-done");
      // Canvas positions (uncropped) of stamp (a, b): a*s + t*d.
      const canvasTaps = (a) => range(0, k).map((t) => a * q.stride + t * q.dilation);
      const sums = new Array(out * out).fill(0), hits = new Array(out * out).fill(0);
      for (let src = 0; src <= position; src++) {
        const a = Math.floor(src / n), b = src % n;
        S.stampTaps(q, a).forEach((rr, ta) => S.stampTaps(q, b).forEach((cc, tb) => {
          if (rr >= 0 && rr < out && cc >= 0 && cc < out) {
            sums[rr * out + cc] += m.x[a * n + b] * m.w[ta * k + tb];
            hits[rr * out + cc] += 1;
          }
        }));
      }
      const rows = canvasTaps(i), cols = canvasTaps(j);
      for (const a of rows) for (const b of cols) cell("output", a, b)?.classList.add("cbx-tap");
      outline("output", "cbx-window", rows, cols, m.canvas);
      const small = m.outPx < 16;
      for (let o = 0; o < out * out; o++) {
        const g = cell("output", Math.floor(o / out) + q.padding, (o % out) + q.padding);
        if (!g) continue;
        g.dataset.hits = String(Math.min(hits[o], 4));
        if (hits[o]) g.classList.add("cbx-done");
        setText(g, hits[o] && !small ? fmt(sums[o]) : "");
      }
      const landed = S.stampTaps(q, i).filter((v) => v >= 0 && v < out).length *
        S.stampTaps(q, j).filter((v) => v >= 0 && v < out).length;
      $(".cbx-status").textContent =
        `input (${i}, ${j}) stamps the ${k} × ${k} kernel at canvas rows ${list(rows)}, columns ${list(cols)}; ` +
        `${landed} of its ${k * k} taps land inside the output` +
        (q.padding > 0 ? ` (padding ${q.padding} crops the shaded border)` : "") +
        ". Each output counts the stamps that overlap it.";
    }

    function stop() {
      clearInterval(timer);
      timer = null;
      play.textContent = "▶ Play";
      play.setAttribute("aria-pressed", "false");
    }

    function start() {
      if (position >= Number(slider.max)) show(0);
      const delay = Math.max(120, Math.min(700, 16000 / (m.steps || 1)));
      timer = setInterval(() => {
        if (position >= Number(slider.max)) stop();
        else show(position + 1);
      }, delay);
      play.textContent = "❚❚ Pause";
      play.setAttribute("aria-pressed", "true");
    }

    form.addEventListener("input", rebuild);
    form.addEventListener("change", rebuild);
    form.addEventListener("submit", (event) => event.preventDefault());
    slider.addEventListener("input", () => show(Number(slider.value)));
    play.addEventListener("click", () => (timer ? stop() : start()));
    $('[data-action="prev"]').addEventListener("click", () => show(position - 1));
    $('[data-action="next"]').addEventListener("click", () => show(position + 1));
    if (window.ResizeObserver) {
      let lastWidth = 0;
      new ResizeObserver(() => {
        if (Math.abs(stage.clientWidth - lastWidth) > 24) {
          lastWidth = stage.clientWidth;
          draw();
          show(position);
        }
      }).observe(stage);
    }
    rebuild();
  }

  /** The output-size formula, then the same with the current numbers. */
  function formulaHtml(m) {
    const { q, op } = m;
    const ok = (...names) => names.every((n) => Number.isInteger(q[n]));
    const lines = [];
    if (op === "conv_transpose2d") {
      lines.push("out = (in − 1)·s − 2p + d·(k − 1) + output_padding + 1");
      if (ok("input_size", "kernel_size", "stride", "padding", "output_padding", "dilation")) {
        const { input_size: n, kernel_size: k, stride: s, padding: p, output_padding: op_, dilation: d } = q;
        const v = S.convTransposeOutputSize(n, k, s, p, op_, d);
        lines.push(`= (${n} − 1)·${s} − 2·${p} + ${d}·(${k} − 1) + ${op_} + 1 = ${v}`);
      }
      return lines.map((l) => `<p>${l}</p>`).join("");
    }
    const ceil = op.endsWith("pool2d") && q.ceil_mode;
    const [lb, rb] = ceil ? ["⌈", "⌉"] : ["⌊", "⌋"];
    const d = q.dilation;
    const dil = op === "avg_pool2d" ? "(k − 1)" : "d·(k − 1)";
    lines.push(`out = ${lb}(in + 2p − ${dil} − 1) / s${rb} + 1`);
    if (ok("input_size", "kernel_size", "stride", "padding") && Number.isInteger(d) && q.stride > 0) {
      const top = q.input_size + 2 * q.padding - d * (q.kernel_size - 1) - 1;
      const count = (ceil ? Math.ceil(top / q.stride) : Math.floor(top / q.stride)) + 1;
      const dtxt = op === "avg_pool2d" ? "" : `${d}·`;
      const { input_size: n, kernel_size: k, stride: s, padding: p } = q;
      const substituted = `= ${lb}(${n} + 2·${p} − ${dtxt}(${k} − 1) − 1) / ${s}${rb} + 1`;
      lines.push(`${substituted} = ${lb}${top} / ${s}${rb} + 1 = ${count}`);
      if (m.pool && !m.result.error) {
        const { lastStart, dropped, ceiled } = m.pool;
        const edge = q.input_size + q.padding;
        if (dropped) {
          const j = ceiled - 1;
          lines.push(
            `<span class="cbx-rule">ceil_mode rule: window ${j} would start at ${j}·${q.stride} − ${q.padding} = ` +
              `${lastStart} ≥ in = ${q.input_size}, in the right padding and not in the input, ` +
              `so torch drops it (dashed outline): out = ${ceiled} − 1 = ${j}</span>`,
          );
        } else if (ceil && lastStart + d * (q.kernel_size - 1) >= edge) {
          lines.push(
            `<span class="cbx-rule">ceil_mode keeps the last window although it hangs over the edge: it starts at ` +
              `${lastStart}, inside the input or its left padding</span>`,
          );
        }
      }
    }
    return lines.map((l) => `<p>${l}</p>`).join("");
  }

  /** The PyTorch lines that compute the same shape (or raise). */
  function torchCall(m) {
    const { q, op, dims } = m;
    const shape = (size) => ["1", "1"].concat(Array(dims).fill(String(size))).join(", ");
    const lines = [`x = torch.zeros(${shape(q.input_size)})`];
    const args = ["x"];
    if (op.startsWith("conv")) {
      lines.push(`w = torch.zeros(${shape(q.kernel_size)})`);
      args.push("w");
    } else args.push(`kernel_size=${q.kernel_size}`);
    for (const name of S.OPS[op].params) {
      if (name === "input_size" || name === "kernel_size") continue;
      const value = FLAGS.includes(name) ? (q[name] ? "True" : "False") : q[name];
      args.push(`${name}=${value}`);
    }
    const call = `F.${op}(`;
    let line = call + args[0];
    for (const arg of args.slice(1)) {
      if (line.length + arg.length > 58) {
        lines.push(line + ",");
        line = " ".repeat(call.length) + arg;
      } else line += ", " + arg;
    }
    lines.push(line + ").shape");
    lines.push(m.result.error ? "# raises RuntimeError (the rule above)" : `# torch.Size([${shape(m.out)}])`);
    return lines.join("\n");
  }

  function boot() {
    for (const root of document.querySelectorAll(".convbook-explorer")) init(root);
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
