"""The visible tests catch the mistakes students make, and the messages name them.

``tests/wrong_solutions/NN-slug.py`` holds plausible wrong solutions of every assignment (a flipped
kernel, total instead of per-side padding, symmetric ``'same'``, floor instead of torch's ceil rule,
zero instead of ``-inf`` padding in max pooling, unpool indices per sample instead of per channel
plane, an unrotated kernel in the input gradient, ...).

- fast: each wrong solution runs against the visible tests, in this process, as the student's
  JupyterLab kernel runs them. At least 90% must fail a visible test, and at least 60% must be
  named by the failure message; every wrong solution that declares the sentence its message should
  contain gets it. The numbers per assignment are printed (``pytest -s``).
- slow: the corpora of a few assignments go through ``nbgrader autograde`` with the trusted grader
  and its sandbox, next to the solution: the solution keeps full marks, every wrong solution loses
  points.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import re
import shutil

import nbformat
import numpy as np
import pytest
from nbgrader_course import ROOT, autograded_cells, nbgrader, solution_code
from wrong_solutions import apply, corpus, run_visible, visible

ASSIGNMENTS = sorted(p.name for p in (ROOT / "solutions").iterdir() if p.is_dir())
ENTRIES = [(a, name) for a in ASSIGNMENTS for name in corpus(a)]


@pytest.fixture(autouse=True)
def no_replay(monkeypatch):
    monkeypatch.delenv("CONVBOOK_SEED", raising=False)


@pytest.fixture(scope="module")
def outcomes():
    """(assignment, name) -> the visible tests' outcome on that wrong solution."""
    results = {}
    os.environ.pop("CONVBOOK_SEED", None)
    for assignment, name in ENTRIES:
        with contextlib.redirect_stdout(io.StringIO()):
            results[assignment, name] = run_visible(assignment, corpus(assignment)[name])
    return results


def named(assignment: str, name: str, outcome) -> bool:
    sentence = corpus(assignment)[name].get("diagnosis")
    return bool(sentence) and sentence in outcome.message


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_corpus_is_large_enough(assignment):
    assert len(corpus(assignment)) >= 8, f"{assignment}: write more plausible wrong solutions"


@pytest.mark.parametrize("assignment", ASSIGNMENTS)
def test_solution_passes_visible_tests_and_says_so(assignment, capsys):
    outcome = run_visible(assignment, stop=False, slow=False)
    assert outcome.failed is None, f"{assignment}/{outcome.failed}: {outcome.message}"
    lines = capsys.readouterr().out.splitlines()
    summaries = [line for line in lines if "visible checks passed (hidden tests with random cases run at grading)"
                 in line]
    assert len(summaries) >= len(outcome.seconds), lines
    assert not any(re.match(r"\w+: 0 visible checks", line) for line in summaries), summaries


def test_visible_tests_catch_90_percent_and_name_60_percent(outcomes):
    rows = []
    for assignment in ASSIGNMENTS:
        mine = [(n, o) for (a, n), o in outcomes.items() if a == assignment]
        caught = sum(o.failed is not None for _, o in mine)
        diagnosed = sum(named(assignment, n, o) for n, o in mine)
        rows.append(f"{assignment:30} {len(mine):3} wrong solutions, {caught:3} caught by a visible test "
                    f"({caught / len(mine):.0%}), {diagnosed:3} named ({diagnosed / len(mine):.0%})")
    total = len(outcomes)
    caught = sum(o.failed is not None for o in outcomes.values())
    diagnosed = sum(named(a, n, o) for (a, n), o in outcomes.items())
    rows.append(f"{'all':30} {total:3} wrong solutions, {caught:3} caught ({caught / total:.0%}), "
                f"{diagnosed:3} named ({diagnosed / total:.0%})")
    print("\n" + "\n".join(rows))
    missed = [f"{a}: {n}" for (a, n), o in outcomes.items() if o.failed is None]
    assert caught >= 0.9 * total, f"only {caught} of {total} caught; missed: {missed}"
    assert diagnosed >= 0.6 * total, f"only {diagnosed} of {total} named"


@pytest.mark.parametrize(("assignment", "name"), [e for e in ENTRIES if corpus(e[0])[e[1]].get("diagnosis")],
                         ids=lambda v: v)
def test_message_names_the_misconception(outcomes, assignment, name):
    outcome = outcomes[assignment, name]
    expected = corpus(assignment)[name]["diagnosis"]
    assert expected in outcome.message, f"{outcome.failed}: {outcome.message!r} does not say {expected!r}"
    assert outcome.message.count("\n") <= 3, outcome.message  # the call, the difference, the sentence, a seed


def test_replay_runs_the_hidden_sequence(monkeypatch):
    """With CONVBOOK_SEED set, the visible loop checks every case the hidden loop drew for that seed, in order."""
    from convbook.grading.visible import random_cases

    def cases(rng):
        for _ in range(7):
            yield rng.standard_normal(3)

    monkeypatch.setenv("CONVBOOK_SEED", "811746021")
    hidden = list(random_cases(cases))
    replayed = list(random_cases(cases, seed=5, count=2))
    assert [s for _, s in hidden] == [811746021] * 7 == [s for _, s in replayed]
    assert all(np.array_equal(a, b) for (a, _), (b, _) in zip(hidden, replayed))
    monkeypatch.setenv("CONVBOOK_SEED", "")
    visible_cases = list(random_cases(cases, seed=5, count=3))
    everything = list(cases(np.random.default_rng(5)))
    assert [s for _, s in visible_cases] == [5, 5, 5]
    assert [c.tolist() for c, _ in visible_cases] == [everything[i].tolist() for i in (0, 3, 6)]
    fresh = {s for _, s in random_cases(cases)}
    assert len(fresh) == 1 and fresh != {5}


def test_explain_names_only_what_it_recognises():
    """A diagnosis is one sentence naming what the wrong result equals, and nothing for results it does not know."""
    from convbook.grading.misconceptions import explain

    x, w = np.arange(6.0), np.array([1.0, 2.0, 0.0])
    flipped = np.array([np.dot(x[i:i + 3], w[::-1]) for i in range(4)])
    sentence = explain("corr1d", flipped, (x, w), {})
    assert sentence == ("your output equals a true convolution (kernel flipped); torch computes cross-correlation "
                        "(no flip) — see chapter 1")
    assert explain("corr1d", flipped + 1, (x, w), {}) is None  # wrong, but not a known way
    assert explain("corr1d", "nonsense", (x, w), {}) is None
    assert explain("corr1d", flipped, (x,), {"k": 3}) is None  # arguments that do not fit the signature
    assert explain("no_such_function", flipped, (x, w), {}) is None
    assert explain("pool_output_size", 4, (5, 2), {"stride": 2, "padding": 1, "ceil_mode": True}).startswith(
        "your output equals the ceil size without torch's last-window rule")
    assert explain("pool_output_size", 4, (5, 2), {"stride": "x"}) is None  # a variant that raises is skipped


def test_visible_tests_take_under_a_second():
    """Every notebook's visible tests (but 11-cnn's training task) take under 1 s after torch's first use.

    Wall time, the best of three runs, with torch on one thread: on this shared 2-core machine torch's second
    thread mostly spin-waits for a core and multiplies the time of these many small calls several times over
    (a student's idle machine does not have that problem; the report gives both figures).
    """
    import time

    import torch

    def seconds(assignment: str) -> float:
        with contextlib.redirect_stdout(io.StringIO()):
            start = time.perf_counter()
            outcome = run_visible(assignment, stop=False, slow=False)
            elapsed = time.perf_counter() - start
        assert outcome.failed is None, outcome
        return elapsed

    os.environ.pop("CONVBOOK_SEED", None)
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        seconds("01-conv1d")  # torch's first calls
        times = {assignment: min(seconds(assignment) for _ in range(3)) for assignment in ASSIGNMENTS}
    finally:
        torch.set_num_threads(threads)
    print("\n" + "\n".join(f"{a:30} {t:.2f} s" for a, t in times.items()))
    assert max(times.values()) < 1.0, times


# --------------------------------------------------------------------------- through nbgrader


def submission(assignment: str, wrong: dict | None) -> nbformat.NotebookNode:
    """The student notebook (the release) with the solution, or a wrong solution, typed into its answer cells."""
    name = f"{assignment}.ipynb"
    release = nbformat.read(ROOT / "exercises" / assignment / name, as_version=4)
    answers = solution_code(apply(assignment, wrong))
    for cell in release.cells:
        grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
        if grade_id in answers:
            cell.source = answers[grade_id]
    return release


@pytest.mark.slow
@pytest.mark.parametrize("assignment", ["02-conv2d", "09-pooling", "10-backprop"])
def test_autograde_takes_points_from_every_wrong_solution(assignment, tmp_path):
    course = tmp_path / "course"
    (course / "solutions").mkdir(parents=True)
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / assignment, course / "solutions" / assignment)
    result = nbgrader(course, "generate_assignment", assignment, "--force")
    assert result.returncode == 0, result.stderr[-3000:]
    wrongs = corpus(assignment)
    students = {"solution": None} | {f"wrong{i:02d}": wrong for i, wrong in enumerate(wrongs.values())}
    names = {"solution": "the solution"} | {f"wrong{i:02d}": name for i, name in enumerate(wrongs)}
    for student, wrong in students.items():
        folder = course / "submitted" / student / assignment
        folder.mkdir(parents=True)
        nbformat.write(submission(assignment, wrong), folder / f"{assignment}.ipynb")
    graded = nbgrader(course, "autograde", assignment, "--force", cell_timeout=60, timeout=1800)
    assert graded.returncode == 0, graded.stderr[-3000:]
    exported = nbgrader(course, "export", "--to", str(course / "grades.csv"))
    assert exported.returncode == 0, exported.stderr[-3000:]
    with open(course / "grades.csv", newline="") as f:
        scores = {r["student_id"]: float(r["raw_score"]) for r in csv.DictReader(f) if r["assignment"] == assignment}
    source = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
    total = sum(c.metadata.nbgrader["points"] for c in autograded_cells(source))
    print("\n" + "\n".join(f"{scores[s]:5.1f}/{total:g}  {names[s]}" for s in students))
    assert scores["solution"] == total
    kept = [names[s] for s in students if s != "solution" and scores[s] >= total]
    assert not kept, f"these wrong solutions kept full marks: {kept}"


def test_visible_part_is_what_the_release_shows():
    """The runner strips hidden tests the way nbgrader does: its visible part is the release's test cell."""
    for assignment in ASSIGNMENTS:
        release = nbformat.read(ROOT / "exercises" / assignment / f"{assignment}.ipynb", as_version=4)
        source = nbformat.read(ROOT / "solutions" / assignment / f"{assignment}.ipynb", as_version=4)
        shown = {c.metadata["nbgrader"]["grade_id"]: c.source for c in autograded_cells(release)}
        for cell in autograded_cells(source):
            grade_id = cell.metadata["nbgrader"]["grade_id"]
            assert visible(cell.source).strip() == shown[grade_id].strip(), (assignment, grade_id)
