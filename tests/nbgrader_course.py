"""A scratch nbgrader course for the tests: run nbgrader's real commands on it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def autograded_cells(nb) -> list:
    """The autograded test cells (code); the written questions' markdown answer cells are graded by hand."""
    return [c for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("grade")]


def solution_code(source_nb) -> dict[str, str]:
    """grade_id -> the solution cell's full source with the solution markers removed."""
    code = {}
    for cell in source_nb.cells:
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution"):
            lines = [line for line in cell.source.splitlines() if "### BEGIN SOLUTION" not in line]
            code[meta["grade_id"]] = "\n".join(line for line in lines if "### END SOLUTION" not in line)
    return code


def nbgrader(
    course: Path, *args: str, timeout: float = 600, cell_timeout: int = 20, env: dict | None = None
) -> subprocess.CompletedProcess:
    """Run ``nbgrader *args`` in ``course``; ``cell_timeout`` seconds per notebook cell; ``env`` added."""
    env = {
        **os.environ,
        **(env or {}),
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "CONVBOOK_CELL_TIMEOUT": str(cell_timeout),
    }
    return subprocess.run(
        [str(BIN / "nbgrader"), *args], cwd=course, env=env, capture_output=True, text=True, timeout=timeout
    )
