"""The nbgrader assignments: well formed, exercises/ generated from solutions/, solutions pass, releases fail.

Each check runs nbgrader's own code (generate_assignment, Validator), as an instructor would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbgrader_course import autograded_cells

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir() and p.name[:2].isdigit())
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")


def notebook(kind: str, assignment: str) -> nbformat.NotebookNode:
    return nbformat.read(ROOT / kind / assignment / f"{assignment}.ipynb", as_version=4)


def written_cells(nb):
    """The answer cells of the written questions (markdown, graded by hand)."""
    return [c for c in nb.cells if c.cell_type == "markdown" and c.metadata.get("nbgrader", {}).get("grade")]


def test_there_are_assignments():
    assert {"01-conv1d", "02-conv2d", "03-padding-stride-dilation"} <= set(ASSIGNMENTS)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_source_notebook_is_well_formed(assignment):
    nb = notebook("solutions", assignment)
    nbformat.validate(nb)
    ids = [c.metadata["nbgrader"]["grade_id"] for c in nb.cells if "nbgrader" in c.metadata]
    assert len(ids) == len(set(ids)), f"duplicate grade_ids: {ids}"
    tests = autograded_cells(nb)
    assert 3 <= len(tests) <= 6
    assert sum(c.metadata["nbgrader"]["points"] for c in tests) >= 10
    for cell in nb.cells:
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None, "commit source notebooks without outputs"
        meta = cell.metadata.get("nbgrader", {})
        if meta.get("solution") and cell.cell_type == "code":
            assert "### BEGIN SOLUTION" in cell.source and "### END SOLUTION" in cell.source
        if meta.get("grade") and cell.cell_type == "code":
            assert meta.get("locked") and "### BEGIN HIDDEN TESTS" in cell.source, meta["grade_id"]
            assert "from convbook import grading" in cell.source
    setup = nb.cells[1]
    assert setup.metadata["nbgrader"]["grade_id"] == "setup" and setup.metadata["nbgrader"]["locked"]
    assert "from convbook import grading" in setup.source


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_written_questions_are_graded_by_hand(assignment):
    """Two or three short written questions per notebook: each a markdown question followed by a markdown answer
    cell that nbgrader grades by hand (a model answer in the source notebook, "YOUR ANSWER HERE" in the release),
    and the introduction says so."""
    nb = notebook("solutions", assignment)
    answers = written_cells(nb)
    assert 2 <= len(answers) <= 3, f"{assignment}: {len(answers)} written questions"
    for cell in answers:
        meta = cell.metadata["nbgrader"]
        assert meta["grade_id"].startswith("written_") and meta["solution"] and not meta.get("locked"), meta
        assert meta["points"] in (1, 2), meta
        assert len(cell.source.split()) >= 15, f"{meta['grade_id']}: write a model answer for the grader"
        question = nb.cells[nb.cells.index(cell) - 1]
        assert question.cell_type == "markdown" and "?" in question.source, f"{meta['grade_id']}: no question before"
    assert "graded by hand" in nb.cells[0].source, f"{assignment}: the introduction does not mention them"
    released = written_cells(notebook("exercises", assignment))
    assert [c.source for c in released] == ["YOUR ANSWER HERE"] * len(answers)


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_book_states_the_notebooks_points(assignment):
    """The chapter's Exercises section gives the notebook's autograded total, one number per task that add up to
    it, and the written questions' points: a student who plans by the book meets the same notebook."""
    nb = notebook("solutions", assignment)
    autograded = sum(c.metadata["nbgrader"]["points"] for c in autograded_cells(nb))
    written = sum(c.metadata["nbgrader"]["points"] for c in written_cells(nb))
    section = (ROOT / "book" / f"{assignment}.md").read_text().split("\n## Exercises", 1)[1]
    by_hand = re.search(r"\((\d+) points, graded by hand", section)
    assert by_hand and int(by_hand[1]) == written, f"{assignment}: the book gives the written questions' points wrong"
    numbers = [int(n) for n in re.findall(r"(\d+) points\)", section[: by_hand.start()])]
    if numbers:  # 11-cnn describes its tasks without points
        total, tasks = numbers[0], numbers[1:]
        assert total == autograded == sum(tasks), (
            f"{assignment}: the book says {total} points in tasks {tasks}; the notebook has {autograded}"
        )


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_has_no_solutions_hidden_tests_or_outputs(assignment):
    nb = notebook("exercises", assignment)
    for cell in nb.cells:
        for marker in MARKERS:
            assert marker not in cell.source, f"{marker!r} left in the student notebook"
        if cell.cell_type == "code":
            assert not cell.outputs and cell.execution_count is None
    source = notebook("solutions", assignment)
    release = "\n".join(c.source for c in nb.cells)
    for cell in autograded_cells(source):
        before, rest = cell.source.split("### BEGIN HIDDEN TESTS")
        block, after = rest.split("### END HIDDEN TESTS")
        shown = set((before + after).splitlines())  # a hidden loop repeats the visible loop's body
        for line in block.strip().splitlines():
            if len(line.strip()) > 30 and line not in shown:
                assert line not in release, f"hidden test line in the release: {line!r}"


@pytest.fixture(scope="module")
def regenerated(tmp_path_factory):
    """Run generate_assignment on a scratch copy of the course, for every assignment."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    env = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    for assignment in ASSIGNMENTS:
        subprocess.run(
            [BIN / "nbgrader", "generate_assignment", assignment, "--force", "--log-level=WARN"],
            cwd=course,
            env=env,
            check=True,
            capture_output=True,
        )
    return course / "exercises"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_exercises_are_what_generate_assignment_makes(assignment, regenerated):
    fresh = nbformat.read(regenerated / assignment / f"{assignment}.ipynb", as_version=4)
    committed = notebook("exercises", assignment)
    assert [(c.cell_type, c.source) for c in committed.cells] == [(c.cell_type, c.source) for c in fresh.cells], (
        f"exercises/{assignment} is stale: run tools/make_assignments.sh"
    )
    assert [c.metadata.get("nbgrader") for c in committed.cells] == [c.metadata.get("nbgrader") for c in fresh.cells]


def validate(path: Path) -> dict:
    from nbgrader.validator import Validator

    return Validator().validate(str(path))


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solutions_pass_every_test(assignment):
    result = validate(ROOT / "solutions" / assignment / f"{assignment}.ipynb")
    assert result == {}, f"the solution notebook fails: {result}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_release_fails_every_autograded_test(assignment):
    result = validate(ROOT / "exercises" / assignment / f"{assignment}.ipynb")
    failed = {cell["source"] for cell in result.get("failed", [])}
    tests = {c.source for c in autograded_cells(notebook("exercises", assignment))}
    assert tests == failed - {"YOUR ANSWER HERE"}, f"these tests pass on the blank notebook: {tests - failed}"
    assert "YOUR ANSWER HERE" in failed, "Validate does not remind the student of the unanswered written questions"


HIDDEN_LOOP = re.compile(r"^for (.+), seed in random_cases\(cases\):$")


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_visible_tests_replay_the_hidden_cases(assignment):
    """Each test cell draws its random cases from one visible generator, ``cases(rng)``: the visible part checks a
    few with a fixed seed, the hidden part every one with a fresh seed, through the same loop body, so
    CONVBOOK_SEED set in the student's kernel replays the graded run's cases in the visible part. Each test cell
    ends with its success line."""
    for cell in autograded_cells(notebook("solutions", assignment)):
        grade_id = cell.metadata["nbgrader"]["grade_id"]
        before, rest = cell.source.split("### BEGIN HIDDEN TESTS")
        block, after = rest.split("### END HIDDEN TESTS")
        assert "def cases(rng):" in before and "fresh_rng" not in cell.source, grade_id
        hidden = block.strip().splitlines()
        assert HIDDEN_LOOP.match(hidden[0]) and all(line.startswith("    ") for line in hidden[1:]), grade_id
        target = HIDDEN_LOOP.match(hidden[0]).group(1)
        visible_loop = re.search(rf"^for {re.escape(target)}, seed in random_cases\(cases, seed=\d+, count=\d+\):.*$"
                                 r"((?:\n    .*)+)", before, re.M)
        assert visible_loop, f"{grade_id}: no visible loop over the same cases"
        assert visible_loop.group(1).strip("\n").splitlines() == hidden[1:], f"{grade_id}: the two loops differ"
        assert re.fullmatch(r"\n*grading\.summary\((\"\w+\"(, )?)+\)\n*", after), f"{grade_id} ends with {after!r}"
