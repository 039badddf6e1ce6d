"""Every assignment through nbgrader's real commands, in one scratch course:
the solution scores full marks, the untouched student notebook scores 0, and
no feedback page shows hidden-test source."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import nbformat
import pytest
from nbgrader_course import ROOT, autograded_cells, nbgrader, solution_code

pytestmark = pytest.mark.slow

ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    """A course with two submissions per assignment, autograded, with feedback and a grades CSV."""
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions", course / "solutions")
    logs = {}
    for assignment in ASSIGNMENTS:
        name = f"{assignment}.ipynb"
        result = nbgrader(course, "generate_assignment", assignment, "--force")
        assert result.returncode == 0, result.stderr[-3000:]
        release = nbformat.read(course / "exercises" / assignment / name, as_version=4)
        answers = solution_code(nbformat.read(course / "solutions" / assignment / name, as_version=4))
        for student, fill in (("solution", True), ("blank", False)):
            nb = nbformat.reads(nbformat.writes(release), as_version=4)
            for cell in nb.cells:
                grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
                if fill and grade_id in answers:
                    cell.source = answers[grade_id]
            folder = course / "submitted" / student / assignment
            folder.mkdir(parents=True)
            nbformat.write(nb, folder / name)
        logs[assignment] = nbgrader(course, "autograde", assignment, "--force", cell_timeout=60)
        feedback = nbgrader(course, "generate_feedback", assignment, "--force")
        assert feedback.returncode == 0, feedback.stderr[-3000:]
    export = nbgrader(course, "export", "--to", str(course / "grades.csv"))
    assert export.returncode == 0, export.stderr[-3000:]
    return course, logs


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_full_marks_blank_zero(course, assignment):
    course_dir, logs = course
    assert logs[assignment].returncode == 0, logs[assignment].stderr[-3000:]
    with open(course_dir / "grades.csv", newline="") as f:
        rows = [r for r in csv.DictReader(f) if r["assignment"] == assignment]
    scores = {r["student_id"]: float(r["raw_score"]) for r in rows}
    source = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    graded = autograded_cells(source)
    total = sum(c.metadata.nbgrader["points"] for c in graded)
    assert total >= 10 and 3 <= len(graded) <= 6, f"{assignment}: {len(graded)} graded tasks worth {total} points"
    assert scores == {"solution": total, "blank": 0.0}, f"{assignment}: {scores}\n{logs[assignment].stderr[-3000:]}"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_feedback_shows_no_hidden_tests(course, assignment):
    course_dir, _ = course
    pages = list(Path(course_dir, "feedback").glob(f"*/{assignment}/*.html"))
    assert len(pages) == 2, pages
    for page in pages:
        html = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in html and "fresh_rng" not in html, page
