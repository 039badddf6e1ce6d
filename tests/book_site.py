"""Build the book once per test session and read what the built site holds."""

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
