"""The interactive explorers' arithmetic (a JavaScript module the site ships)
agrees with torch, run under Node.js on thousands of random configurations,
valid and invalid; the Sphinx extension places explorers and loads their
files only on the pages that show one."""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from book_site import EXPLORER_OPS, torch_explorer

ROOT = Path(__file__).resolve().parents[1]
STATIC = ROOT / "book" / "_ext" / "static" / "convbook-explorer"
SHAPES_JS = STATIC / "convbook-shapes.js"
CHECK = Path(__file__).with_name("explorer_shapes_check.mjs")
NODE = shutil.which("node") or "/usr/bin/node"
CASES_PER_OP = int(os.environ.get("CONVBOOK_EXAMPLES", "150")) * 6  # 900 per op, 4500 in all by default

# Each parameter's usual range, and the values torch refuses below it.
RANGES = {
    "input_size": (1, 12),
    "kernel_size": (1, 6),
    "stride": (1, 5),
    "padding": (0, 4),
    "dilation": (1, 4),
    "output_padding": (0, 4),
}
BAD = {
    "input_size": (-1, 0),
    "kernel_size": (-1, 0),
    "stride": (-1, 0),
    "padding": (-2, -1),
    "dilation": (-1, 0),
    "output_padding": (-2, -1),
}
PARAMS = {
    "conv1d": ("input_size", "kernel_size", "stride", "padding", "dilation"),
    "conv2d": ("input_size", "kernel_size", "stride", "padding", "dilation"),
    "conv_transpose2d": ("input_size", "kernel_size", "stride", "padding", "output_padding", "dilation"),
    "max_pool2d": ("input_size", "kernel_size", "stride", "padding", "dilation", "ceil_mode"),
    "avg_pool2d": ("input_size", "kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
}


def random_params(rng: np.random.Generator, op: str) -> dict:
    """A configuration of ``op``: each number from its usual range, one time in twelve from
    the values torch refuses (so both valid and invalid settings are drawn)."""
    params = {}
    for name in PARAMS[op]:
        if name in ("ceil_mode", "count_include_pad"):
            params[name] = bool(rng.integers(2))
            continue
        low, high = BAD[name] if rng.random() < 1 / 12 else RANGES[name]
        if name == "padding" and op.endswith("pool2d") and low == 0:
            high = max(params["kernel_size"], 1) // 2 + 1  # pooling allows at most half the kernel
        params[name] = int(rng.integers(low, high + 1))
    return params


def run_node(cases: list[dict]) -> list[dict]:
    if not Path(NODE).exists():
        pytest.fail("Node.js is not installed: apt-get install nodejs")
    result = subprocess.run(
        [NODE, str(CHECK), str(SHAPES_JS)], input=json.dumps(cases), capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def torch_answer(op: str, params: dict, x=None, w=None):
    """(size, values) from torch, or (None, message) where torch raises."""
    try:
        return torch_explorer(op, params, x, w)
    except RuntimeError as error:
        return None, str(error).splitlines()[0]


@pytest.mark.parametrize("op", EXPLORER_OPS)
def test_output_size_and_errors_agree_with_torch(op):
    rng = np.random.default_rng(1300 + EXPLORER_OPS.index(op))
    cases = [{"op": op, "params": random_params(rng, op)} for _ in range(CASES_PER_OP)]
    answers = run_node(cases)
    refused = 0
    for case, answer in zip(cases, answers, strict=True):
        size, message = torch_answer(op, case["params"])
        where = f"{op} {case['params']}"
        if size is None:
            refused += 1
            assert answer["size"] is None and answer["error"], f"{where}: torch raises ({message}), JS gives {answer}"
            assert answer["param"] in PARAMS[op], f"{where}: the error names no parameter: {answer}"
        else:
            assert answer["error"] is None, f"{where}: torch gives size {size}, JS refuses: {answer['error']}"
            assert answer["size"] == size, f"{where}: torch gives size {size}, JS {answer['size']}"
    # Both sides of the rules are exercised: many valid and many refused configurations.
    assert 0.2 * len(cases) < refused < 0.8 * len(cases), f"{op}: {refused} of {len(cases)} refused"


@pytest.mark.parametrize("op", EXPLORER_OPS)
def test_values_agree_with_torch(op):
    """The windows, stamps, padding and divisors the explorers draw compute torch's numbers."""
    rng = np.random.default_rng(1400 + EXPLORER_OPS.index(op))
    cases = []
    while len(cases) < CASES_PER_OP // 3:
        params = random_params(rng, op)
        if torch_answer(op, params)[0] is None:
            continue
        dims = 1 if op == "conv1d" else 2
        x = rng.integers(-9, 10, size=params["input_size"] ** dims).astype(float).tolist()
        w = rng.integers(-3, 4, size=params["kernel_size"] ** dims).astype(float).tolist()
        cases.append({"op": op, "params": params, "x": x, "w": w})
    answers = run_node(cases)
    for case, answer in zip(cases, answers, strict=True):
        size, values = torch_answer(op, case["params"], case["x"], case["w"])
        assert answer["size"] == size
        ours = np.array([-np.inf if v is None else v for v in answer["values"]])
        np.testing.assert_allclose(ours, np.array(values), rtol=1e-12, atol=1e-12, err_msg=f"{op} {case['params']}")


def test_role_places_explorers_and_loads_their_files_only_where_shown(tmp_path):
    """A small Sphinx project with the extension: one line places an explorer with its starting
    values; the scripts and stylesheet reach that page only; mistakes are build warnings."""
    src = tmp_path / "src"
    src.mkdir()
    (src / "conf.py").write_text(
        f"import sys\nsys.path.insert(0, {str(ROOT / 'book' / '_ext')!r})\n"
        "extensions = ['myst_parser', 'convbook_explorer']\nhtml_theme = 'basic'\n"
    )
    (src / "index.md").write_text("# Index\n\n```{toctree}\nwith\nwithout\nmistakes\n```\n")
    (src / "with.md").write_text(
        "# With\n\nText.\n\n{explorer}`max_pool2d input_size=7 stride=3 ceil_mode=true`\n\n{explorer}`conv1d`\n"
    )
    (src / "without.md").write_text("# Without\n\nNo explorer here.\n")
    (src / "mistakes.md").write_text(
        "# Mistakes\n\n{explorer}`conv4d`\n\n{explorer}`conv2d groups=2`\n\n"
        "{explorer}`conv2d stride=two`\n\nInline {explorer}`conv2d` in a sentence.\n"
    )
    out = tmp_path / "html"
    result = subprocess.run(
        [sys.executable, "-m", "sphinx", "-b", "html", "-q", str(src), str(out)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    page = (out / "with.html").read_text()
    divs = re.findall(r'<div class="convbook-explorer" data-op="([^"]+)" data-init="([^"]*)">', page)
    assert [op for op, _ in divs] == ["max_pool2d", "conv1d"]
    assert json.loads(html.unescape(divs[0][1])) == {"input_size": 7, "stride": 3, "ceil_mode": True}
    assert "<p><div" not in page, "an explorer was left inside a paragraph"
    assets = (
        "convbook-explorer/convbook-shapes.js",
        "convbook-explorer/convbook-explorer.js",
        "convbook-explorer/convbook-explorer.css",
    )
    for asset in assets:
        assert asset in page, f"{asset} not loaded on the page with explorers"
        assert asset not in (out / "without.html").read_text(), f"{asset} loaded on a page without explorers"
        assert (out / "_static" / asset).read_bytes() == (STATIC / asset.split("/")[1]).read_bytes()
    # The shapes module is loaded before the explorer that uses it.
    assert page.index("convbook-shapes.js") < page.index("convbook-explorer.js")
    warnings = result.stderr
    for expected in (
        "unknown explorer 'conv4d'",
        "'groups=2' is not name=value",
        "stride must be an integer",
        "must stand alone in its paragraph",
    ):
        assert expected in warnings, f"no warning {expected!r} in:\n{warnings}"
    assert "convbook-explorer" not in (out / "mistakes.html").read_text().split("Inline")[0].split("<h1")[1]
