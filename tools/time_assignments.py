"""Measure, per assignment: visible-test time (in-process, hidden tests stripped) and the
autograde time of one correct submission (nbgrader autograde in a scratch course); with
``--class N ID``, the autograde time of a class of N submissions of one assignment, one
``nbgrader autograde`` run, and per student in parallel (``--student``, one process per core).

``--against CONFIG`` times each autograde twice more with another ``nbgrader_config.py``
(e.g. the one before the trusted grader: ``git show 1bc4ed1:nbgrader_config.py > old.py``),
taking turns, and prints the ratio of the best times (a noisy shared machine slows both alike).

Usage: .venv/bin/python tools/time_assignments.py [assignment-id ...]
       .venv/bin/python tools/time_assignments.py --against old.py [assignment-id ...]
       .venv/bin/python tools/time_assignments.py --class 30 01-conv1d
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


def autograde_seconds(assignment: str, students: int = 1, parallel: int = 0, config: Path | None = None) -> float:
    """Autograde ``students`` correct submissions (the solution notebook) in a scratch course.

    ``parallel`` > 0 runs one ``nbgrader autograde --student`` per student, that many at once;
    ``config`` replaces the course's ``nbgrader_config.py``.
    """
    with tempfile.TemporaryDirectory() as tmp:
        course = Path(tmp)
        shutil.copy(config or ROOT / "nbgrader_config.py", course / "nbgrader_config.py")
        shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
        env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}"}
        run = {"cwd": course, "env": env, "check": True, "capture_output": True}
        subprocess.run([BIN / "nbgrader", "generate_assignment", assignment], **run)
        names = [f"student{i:02d}" for i in range(students)]
        for name in names:
            folder = course / "submitted" / name / assignment
            folder.mkdir(parents=True)
            shutil.copy(ROOT / "solutions" / assignment / f"{assignment}.ipynb", folder)
        start = time.perf_counter()
        if parallel:
            xargs = [
                "xargs",
                "-P",
                str(parallel),
                "-I{}",
                str(BIN / "nbgrader"),
                "autograde",
                assignment,
                "--student",
                "{}",
            ]
            subprocess.run(xargs, input="\n".join(names), text=True, **run)
        else:
            subprocess.run([BIN / "nbgrader", "autograde", assignment], **run)
        return time.perf_counter() - start


if __name__ == "__main__":
    if sys.argv[1:2] == ["--class"]:
        size, assignment = int(sys.argv[2]), sys.argv[3]
        serial = autograde_seconds(assignment, size)
        print(f"{assignment}: class of {size}, one autograde run: {serial:.0f} s ({serial / size:.1f} s per student)")
        cores = os.cpu_count() or 1
        parallel = autograde_seconds(assignment, size, parallel=cores)
        print(f"{assignment}: class of {size}, --student in parallel on {cores} cores: {parallel:.0f} s")
        sys.exit(0)
    if sys.argv[1:2] == ["--against"]:
        other = Path(sys.argv[2]).resolve()
        ids = sys.argv[3:] or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
        for assignment in ids:
            ours, theirs = [], []
            for _ in range(2):
                ours.append(autograde_seconds(assignment))
                theirs.append(autograde_seconds(assignment, config=other))
            print(f"{assignment}: autograde of one submission {min(ours):.1f} s, with {other.name} "
                  f"{min(theirs):.1f} s, ratio {min(ours) / min(theirs):.2f}", flush=True)
        sys.exit(0)
    ids = sys.argv[1:] or sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
    for assignment in ids:
        visible = visible_test_seconds(assignment)
        graded = autograde_seconds(assignment)
        print(f"{assignment}: visible tests {visible:.2f} s, autograde of one submission {graded:.1f} s")
