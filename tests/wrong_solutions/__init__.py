"""Plausible wrong solutions of the assignments, and a runner for the visible tests.

Each ``NN-slug.py`` here defines ``WRONG``: name -> a dict with

- ``edit``: ``[(grade_id, old, new), ...]`` text replacements in the solution cells (a near miss of
  the model solution), and/or ``replace``: ``{grade_id: source}``, solution cells written anew;
- ``diagnosis``: a piece of the sentence the failure message should contain to name the
  misconception (``None`` when the tests are not expected to name it).

:func:`run_visible` runs a notebook's cells the way the student's JupyterLab kernel does: the
solution cells (with a wrong solution applied), then each autograded test cell without its hidden
part, in one namespace, with the grading helpers and torch in the same process.
"""

from __future__ import annotations

import os
import re
import runpy
import time
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent
HIDDEN = re.compile(r"^[ \t]*### BEGIN HIDDEN TESTS.*?^[ \t]*### END HIDDEN TESTS[^\n]*\n?", re.M | re.S)
SLOW_CELLS = {"test_train"}  # trains a network for seconds: run only for wrong solutions that touch it


def notebook(assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)


def visible(source: str) -> str:
    """A test cell as the student's notebook has it (what nbgrader's ClearHiddenTests leaves)."""
    return HIDDEN.sub("", source)


def without_markers(source: str) -> str:
    return "\n".join(line for line in source.splitlines() if "### BEGIN SOLUTION" not in line
                     and "### END SOLUTION" not in line)


def corpus(assignment: str) -> dict[str, dict]:
    """The wrong solutions of one assignment (``{}`` when it has none)."""
    path = HERE / f"{assignment}.py"
    return runpy.run_path(str(path))["WRONG"] if path.exists() else {}


@dataclass
class Outcome:
    """What the visible tests said: the first failing cell and its message, and each cell's time."""

    failed: str | None = None
    error: str = ""
    message: str = ""
    seconds: dict[str, float] = field(default_factory=dict)


def solution_cell(nb: nbformat.NotebookNode, grade_id: str) -> nbformat.NotebookNode:
    cells = [c for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade_id") == grade_id]
    assert len(cells) == 1 and cells[0].metadata["nbgrader"].get("solution"), f"no solution cell {grade_id!r}"
    return cells[0]


def apply(assignment: str, wrong: dict | None) -> nbformat.NotebookNode:
    """The source notebook with the wrong solution in its solution cells (markers kept)."""
    nb = notebook(assignment)
    for grade_id, old, new in (wrong or {}).get("edit", []):
        cell = solution_cell(nb, grade_id)
        assert old in cell.source, f"{assignment}/{grade_id}: {old!r} not in the solution"
        cell.source = cell.source.replace(old, new)
    for grade_id, source in (wrong or {}).get("replace", {}).items():
        solution_cell(nb, grade_id).source = source.strip("\n")
    return nb


def touched(wrong: dict | None) -> set[str]:
    """The grade_ids of the solution cells a wrong solution changes."""
    return {e[0] for e in (wrong or {}).get("edit", [])} | set((wrong or {}).get("replace", {}))


def run_visible(assignment: str, wrong: dict | None = None, stop: bool = True, slow: bool | None = None) -> Outcome:
    """Run the visible tests of ``assignment`` on its solution, or on a wrong solution (see the module doc)."""
    assert not os.environ.get("CONVBOOK_SEED"), "unset CONVBOOK_SEED: it replays a hidden run"
    nb = apply(assignment, wrong)
    if slow is None:
        slow = bool(touched(wrong) & {"train", "make_network"})
    namespace: dict = {"__name__": "__main__"}
    outcome = Outcome()
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        meta = cell.metadata.get("nbgrader", {})
        grade_id = meta.get("grade_id", "")
        if meta.get("grade"):
            if grade_id in SLOW_CELLS and not slow:
                continue
            source = visible(cell.source)
            start = time.perf_counter()
            try:
                exec(compile(source, f"<test cell {grade_id}>", "exec"), namespace)  # noqa: S102
            except Exception as error:  # noqa: BLE001 - a failing test is the outcome
                outcome.seconds[grade_id] = time.perf_counter() - start
                if outcome.failed is None:
                    outcome.failed, outcome.error, outcome.message = grade_id, type(error).__name__, str(error)
                if stop:
                    return outcome
                continue
            outcome.seconds[grade_id] = time.perf_counter() - start
        else:
            exec(compile(without_markers(cell.source), f"<cell {grade_id}>", "exec"), namespace)  # noqa: S102
    return outcome
