"""Build the book once per test session and read what the built site holds;
what torch does for the settings of an interactive explorer."""

from __future__ import annotations

import re
import subprocess
import sys
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def toc_pages() -> list[str]:
    """Every page of _toc.yml, as 'book/name' without suffix, root first."""
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    pages = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            pages.append(entry["file"])
            walk(entry.get("sections"))

    walk(toc.get("chapters"))
    for part in toc.get("parts", []):
        walk(part["chapters"])
    return [re.sub(r"\.(md|ipynb)$", "", p) for p in pages]


def build(output: Path) -> tuple[Path, float]:
    """Clean build of the whole book into ``output``; warnings fail it. Returns (html dir, seconds)."""
    start = time.perf_counter()
    result = subprocess.run(
        [
            str(JUPYTER_BOOK),
            "build",
            str(ROOT),
            "--path-output",
            str(output),
            "--builder",
            "html",
            "-W",
            "--keep-going",
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise AssertionError(f"book build failed ({seconds:.0f} s):\n{result.stdout[-6000:]}\n{result.stderr[-6000:]}")
    return output / "_build" / "html", seconds


def page_weight(html_dir: Path, page: Path) -> int:
    """Bytes of a page's HTML plus every local image it shows."""
    text = page.read_text(encoding="utf-8")
    total = page.stat().st_size
    for src in set(re.findall(r'<img[^>]+src="([^"#?]+)"', text)):
        path = (page.parent / src).resolve()
        if path.is_file() and html_dir in path.parents:
            total += path.stat().st_size
    return total


#: The operations an interactive explorer (``<div class="convbook-explorer" data-op=...>``) may show.
EXPLORER_OPS = ("conv1d", "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d")


def torch_explorer(op: str, params: dict, x=None, w=None) -> tuple[int, list[float]]:
    """Run torch on an explorer's settings: one channel, an ``input_size``-long (1D) or
    square (2D) input, a ``kernel_size`` kernel. Zeros unless ``x``/``w`` (flat, row-major)
    are given. Returns (output spatial size, flat output values); raises what torch raises
    (a negative size already fails in ``torch.zeros``)."""
    import torch
    import torch.nn.functional as TF

    dims = 1 if op == "conv1d" else 2
    n, k = params["input_size"], params["kernel_size"]

    def tensor(values, size):
        shape = (1, 1) + (size,) * dims
        if values is None:
            return torch.zeros(shape, dtype=torch.float64)
        return torch.tensor(values, dtype=torch.float64).reshape(shape)

    x = tensor(x, n)
    s, p, d = params.get("stride", 1), params.get("padding", 0), params.get("dilation", 1)
    if op.startswith("conv"):
        w = tensor(w, k)
    if op == "conv1d":
        y = TF.conv1d(x, w, stride=s, padding=p, dilation=d)
    elif op == "conv2d":
        y = TF.conv2d(x, w, stride=s, padding=p, dilation=d)
    elif op == "conv_transpose2d":
        y = TF.conv_transpose2d(x, w, stride=s, padding=p, output_padding=params.get("output_padding", 0), dilation=d)
    elif op == "max_pool2d":
        y = TF.max_pool2d(x, k, s, p, d, ceil_mode=params.get("ceil_mode", False))
    elif op == "avg_pool2d":
        ceil, include = params.get("ceil_mode", False), params.get("count_include_pad", True)
        y = TF.avg_pool2d(x, k, s, p, ceil_mode=ceil, count_include_pad=include)
    else:
        raise ValueError(f"unknown explorer op {op!r}")
    return y.shape[-1], y.flatten().tolist()
