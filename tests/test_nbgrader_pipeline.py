"""nbgrader end to end on assignment 01, in a scratch copy of the course, with nbgrader's real commands.

Students: correct (full marks), blank (0), partly correct (exact partial score), calling torch inside
the function (the sandbox has no torch: 0 on those tasks), edited tests, deleted tests, an infinite loop
(that task 0, the rest graded), a kernel crash (the kernel is restarted: the tests that call the crashing
function get 0, the rest are graded), a runaway allocation (the sandbox's memory cap makes it a
MemoryError: that task 0, the rest graded). tests/test_hostile_submissions.py has the attacks.
Then generate_feedback (no hidden-test source) and export (CSV of scores).
"""

from __future__ import annotations

import csv
import shutil
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader_course import ROOT, autograded_cells, nbgrader, solution_code

ASSIGNMENT = "01-conv1d"
POINTS = {
    "test_corr1d": 2,
    "test_convolve1d": 2,
    "test_conv1d_channels": 2,
    "test_conv1d_full": 3,
    "test_moving_average": 2,
}
TOTAL = sum(POINTS.values())

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    course = tmp_path_factory.mktemp("course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    result = nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")
    assert result.returncode == 0, result.stderr
    release = nbformat.read(course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    good = solution_code(nbformat.read(course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4))
    header = "def conv1d(input, weight, bias=None, stride=1, padding=0, dilation=1, groups=1):\n"
    wrong_conv1d = header + "    return np.zeros(1)\n"

    def submission(student: str, answers: dict[str, str], edit=None) -> None:
        nb = nbformat.reads(nbformat.writes(release), as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in answers:
                cell.source = answers[grade_id]
        if edit:
            edit(nb)
        folder = course / "submitted" / student / ASSIGNMENT
        folder.mkdir(parents=True)
        nbformat.write(nb, folder / f"{ASSIGNMENT}.ipynb")

    def edit_tests(nb):
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_conv1d"):
                cell.source = "pass  # tests edited by the student"

    def delete_tests(nb):
        nb.cells = [
            c for c in nb.cells if not c.metadata.get("nbgrader", {}).get("grade_id", "").startswith("test_conv1d")
        ]

    torch_corr1d = (
        "import torch\n\ndef corr1d(x, w):\n"
        "    t = torch.nn.functional.conv1d(torch.tensor(x)[None, None], torch.tensor(w)[None, None])\n"
        "    return t[0, 0].numpy()\n"
    )
    loop = "def moving_average(x, k):\n    while True:\n        pass\n"
    crash = "import os\n\ndef corr1d(x, w):\n    os._exit(1)\n"
    # 6 GB of address space: more than the grading kernel's cap (4 GB), less than the machine has,
    # so only the cap turns this into a MemoryError (uncapped, the honest answer would score).
    memory_hog = (
        good["moving_average"]
        + "\n\n_honest = moving_average\n\n\ndef moving_average(x, k):\n"
        + "    np.empty(6 * 2**30, dtype=np.uint8)\n    return _honest(x, k)\n"
    )

    submission("correct", good)
    submission("blank", {})
    submission("partial", {k: good[k] for k in ("corr1d", "convolve1d")})
    submission("torch", {**good, "corr1d": torch_corr1d})
    submission("edited", {**good, "conv1d": wrong_conv1d}, edit_tests)
    submission("deleted", {**good, "conv1d": wrong_conv1d}, delete_tests)
    submission("loop", {**good, "moving_average": loop})
    submission("crash", {**good, "corr1d": crash})
    submission("memory", {**good, "moving_average": memory_hog})

    start = time.perf_counter()
    autograde = nbgrader(course, "autograde", ASSIGNMENT, "--force")
    elapsed = time.perf_counter() - start
    feedback = nbgrader(course, "generate_feedback", ASSIGNMENT, "--force")
    export = nbgrader(course, "export", "--to", str(course / "grades.csv"))
    return course, autograde, feedback, export, elapsed


def scores(course: Path) -> dict[str, float]:
    with open(course / "grades.csv", newline="") as f:
        return {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(f)}


def test_export_scores(graded):
    course, autograde, _, export, elapsed = graded
    assert export.returncode == 0, export.stderr
    got = scores(course)
    expected = {
        "correct": TOTAL,
        "blank": 0,
        "partial": POINTS["test_corr1d"] + POINTS["test_convolve1d"],
        # convolve1d and moving_average call the student's corr1d, which calls torch
        "torch": POINTS["test_conv1d_channels"] + POINTS["test_conv1d_full"],
        "edited": TOTAL - POINTS["test_conv1d_channels"] - POINTS["test_conv1d_full"],
        "deleted": TOTAL - POINTS["test_conv1d_channels"] - POINTS["test_conv1d_full"],
        "loop": TOTAL - POINTS["test_moving_average"],
        "memory": TOTAL - POINTS["test_moving_average"],
        # convolve1d and moving_average call the crashing corr1d; the kernel is restarted for each test
        "crash": POINTS["test_conv1d_channels"] + POINTS["test_conv1d_full"],
    }
    assert got == expected, f"{got}\n--- autograde log (took {elapsed:.0f} s):\n{autograde.stderr[-3000:]}"


def test_a_crash_costs_only_the_tests_that_run_into_it(graded):
    course, autograde, *_ = graded
    assert autograde.returncode == 0, autograde.stderr[-3000:]
    nb = nbformat.read(course / "autograded" / "crash" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    errors = {c.metadata.nbgrader["grade_id"]: o.get("evalue", "") for c in autograded_cells(nb)
              for o in c.outputs if o.get("output_type") == "error"}
    assert set(errors) == {"test_corr1d", "test_convolve1d", "test_moving_average"}, errors
    assert all("kernel died" in message for message in errors.values()), errors


def test_torch_is_not_in_the_sandbox(graded):
    course, *_ = graded
    nb = nbformat.read(course / "autograded" / "torch" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    text = "\n".join(str(o.get("evalue", "")) for c in nb.cells if c.cell_type == "code" for o in c.outputs)
    assert "No module named 'torch'" in text, text


def test_memory_cap_turns_a_runaway_allocation_into_a_memory_error(graded):
    course, *_ = graded
    nb = nbformat.read(course / "autograded" / "memory" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    errors = [o.get("ename") for c in nb.cells if c.cell_type == "code" for o in c.outputs if "ename" in o]
    assert "AssertionError" in errors and "MemoryError" in nbformat.writes(nb), errors


def test_feedback_has_no_hidden_tests(graded):
    course, _, feedback, *_ = graded
    assert feedback.returncode == 0, feedback.stderr[-3000:]
    pages = list((course / "feedback").rglob("*.html"))
    assert {p.parent.parent.name for p in pages} >= {"correct", "blank", "partial", "loop"}
    for page in pages:
        html = page.read_text()
        assert "BEGIN HIDDEN TESTS" not in html and "fresh_rng" not in html, page
