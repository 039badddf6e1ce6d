"""Measure, per assignment: visible-test time (in-process, hidden tests stripped) and the
autograde time of one correct submission (nbgrader autograde in a scratch course).

Usage: .venv/bin/python tools/time_assignments.py [assignment-id ...]
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
HIDDEN = re.compile(r"### BEGIN HIDDEN TESTS.*?### END HIDDEN TESTS\n?", re.S)


def visible_test_seconds(assignment: str) -> float:
    """Run the solution notebook in this process, hidden tests removed; time the test cells."""
    nb = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    namespace: dict = {}
    total = 0.0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        source = HIDDEN.sub("", cell.source)
        start = time.perf_counter()
        exec(compile(source, cell.metadata.get("nbgrader", {}).get("grade_id", "cell"), "exec"), namespace)
        if cell.metadata.get("nbgrader", {}).get("grade"):
            total += time.perf_counter() - start
    return total


def autograde_seconds(assignment: str) -> float:
    """Autograde one correct submission (the solution notebook) in a scratch course."""
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copy(ROOT / "nbgrader_config.py", course)
        shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
        run = {"cwd": course, "env": env, "check": True, "capture_output": True}
        subprocess.run([BIN / "nbgrader", "generate_assignment", assignment], **run)
        folder = course / "submitted" / "student" / assignment
        folder.mkdir(parents=True)
        shutil.copy(ROOT / "solutions" / assignment / f"{assignment}.ipynb", folder)
        start = time.perf_counter()
        subprocess.run([BIN / "nbgrader", "autograde", assignment], **run)
        return time.perf_counter() - start


if __name__ == "__main__":
    ids = sys.argv[1:] or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    for assignment in ids:
        visible = visible_test_seconds(assignment)
        graded = autograde_seconds(assignment)
        print(f"{assignment}: visible tests {visible:.2f} s, autograde of one submission {graded:.1f} s")
