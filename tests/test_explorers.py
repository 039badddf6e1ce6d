"""The interactive explorers' arithmetic (a JavaScript module the site ships)
agrees with torch, run under Node.js on thousands of random configurations,
valid and invalid; the Sphinx extension places explorers and loads their
files only on the pages that show one."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
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
