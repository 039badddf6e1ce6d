"""convbook-grade end to end: a class of 01-conv1d submissions graded on Dask with a PostgreSQL gradebook.

A throwaway PostgreSQL server (tests/postgres_server.py) holds the gradebook;
``nbgrader generate_assignment --db`` stores the assignment in it once, and each test
grades into a copy of that database. Submissions are built from the solution
notebook: student ``sNN-abcd`` has the solutions of the tasks whose bit is 1
(corr1d, convolve1d, conv1d, moving_average), so 0000 is blank and 1111 correct; the
expected score follows from the tasks' points and from which solutions call corr1d.

- 40 submissions (plus two that nbgrader cannot grade) on a local cluster of 2
  workers: every score in ``nbgrader export``, one submission row per student, the
  failures named with their reason and a non-zero exit, and a rerun that grades only
  what is missing;
- a scheduler and two workers started as separate processes (``dask scheduler`` /
  ``dask worker``), one killed while it grades: every student ends up graded exactly
  once with the right score, the killed worker's submission by the other worker.
"""

from __future__ import annotations

import csv
import json
import os
import re
import shutil
import signal
import subprocess
import time
from pathlib import Path

import nbformat
import pytest
from nbgrader_course import BIN, ROOT, nbgrader, solution_code
from postgres_server import PostgresServer

pytestmark = pytest.mark.slow

ASSIGNMENT = "01-conv1d"
TASKS = ("corr1d", "convolve1d", "conv1d", "moving_average")
# test cell -> (points, the solutions it needs: convolve1d and moving_average call the student's corr1d)
TESTS = {
    "test_corr1d": (2, {"corr1d"}),
    "test_convolve1d": (2, {"convolve1d", "corr1d"}),
    "test_conv1d_channels": (2, {"conv1d"}),
    "test_conv1d_full": (3, {"conv1d"}),
    "test_moving_average": (2, {"moving_average", "corr1d"}),
}
CELL_TIMEOUT = "60"


def expected_score(solved: set[str]) -> float:
    return float(sum(points for points, needs in TESTS.values() if needs <= solved))


def student_name(index: int, solved: set[str]) -> str:
    return f"s{index:02d}-" + "".join("1" if task in solved else "0" for task in TASKS)


def solved_tasks(student: str) -> set[str]:
    bits = student.split("-")[1]
    return {task for task, bit in zip(TASKS, bits) if bit == "1"}


def env() -> dict[str, str]:
    path = f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"
    return {**os.environ, "PATH": path, "CONVBOOK_CELL_TIMEOUT": CELL_TIMEOUT}


@pytest.fixture(scope="module")
def postgres():
    server = PostgresServer().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def template(postgres, tmp_path_factory):
    """A course with 01-conv1d generated into a PostgreSQL database ``template`` (copied by each test)."""
    course = tmp_path_factory.mktemp("template")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / ASSIGNMENT, course / "solutions" / ASSIGNMENT)
    url = postgres.create_database("template")
    result = nbgrader(course, "generate_assignment", ASSIGNMENT, "--force", "--db", url)
    assert result.returncode == 0, result.stderr[-3000:]
    return course


def make_course(template: Path, postgres: PostgresServer, folder: Path, name: str, count: int) -> tuple[Path, str]:
    """A copy of the template course and database with ``count`` submissions; (course root, gradebook URL)."""
    import psycopg

    shutil.copytree(template, folder)
    with psycopg.connect(f"host=127.0.0.1 port={postgres.port} user=postgres dbname=postgres", autocommit=True) as c:
        c.execute(f'CREATE DATABASE "{name}" TEMPLATE template')
    release = nbformat.read(folder / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    answers = solution_code(nbformat.read(folder / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4))
    for index in range(count):
        solved = {task for bit, task in enumerate(TASKS) if index % 16 & (1 << bit)}
        nb = nbformat.reads(nbformat.writes(release), as_version=4)
        for cell in nb.cells:
            grade_id = cell.metadata.get("nbgrader", {}).get("grade_id")
            if grade_id in solved:
                cell.source = answers[grade_id]
        target = folder / "submitted" / student_name(index, solved) / ASSIGNMENT
        target.mkdir(parents=True)
        nbformat.write(nb, target / f"{ASSIGNMENT}.ipynb")
    return folder, postgres.url(name)


def convbook_grade(course: Path, *args: str, timeout: float = 3600) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "convbook-grade"), ASSIGNMENT, *args], cwd=course, env=env(),
                          capture_output=True, text=True, timeout=timeout)


def exported_scores(course: Path, url: str) -> dict[str, float]:
    out = course / "grades.csv"
    result = nbgrader(course, "export", "--db", url, "--to", str(out))
    assert result.returncode == 0, result.stderr[-3000:]
    with open(out, newline="") as f:
        return {row["student_id"]: float(row["raw_score"]) for row in csv.DictReader(f)
                if row["assignment"] == ASSIGNMENT}


def submission_rows(url: str) -> dict[str, int]:
    """student -> number of submission rows of the assignment (nbgrader allows one; we check it)."""
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(sa.text(
                "SELECT s.student_id, count(*) FROM submitted_assignment s JOIN assignment a "
                "ON a.id = s.assignment_id WHERE a.name = :a GROUP BY s.student_id"), {"a": ASSIGNMENT})
            return dict(rows.all())
    finally:
        engine.dispose()


def check_graded(course: Path, url: str, students: list[str]) -> None:
    """Every student: the expected score in the export, one submission row, an autograded notebook."""
    scores = exported_scores(course, url)
    expected = {s: expected_score(solved_tasks(s)) for s in students}
    assert {s: scores.get(s) for s in students} == expected
    assert submission_rows(url) == dict.fromkeys(students, 1)
    for student in students:
        assert (course / "autograded" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb").is_file(), student


def test_forty_submissions_on_two_workers_with_postgres(template, postgres, tmp_path):
    course, url = make_course(template, postgres, tmp_path / "course", "forty", 40)
    students = sorted(p.name for p in (course / "submitted").iterdir())
    kinds = {s.split("-")[1] for s in students}
    assert len(students) == 40 and {"0000", "1111"} <= kinds and len(kinds) == 16  # blank, correct, 14 partial
    # two submissions nbgrader cannot grade: a notebook that is not JSON, a notebook under another name
    broken = course / "submitted" / "x-notjson" / ASSIGNMENT
    broken.mkdir(parents=True)
    (broken / f"{ASSIGNMENT}.ipynb").write_text("this is not a notebook")
    renamed = course / "submitted" / "x-renamed" / ASSIGNMENT
    renamed.mkdir(parents=True)
    shutil.copy(course / "submitted" / students[-1] / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", renamed / "mine.ipynb")

    start = time.perf_counter()
    run = convbook_grade(course, "--workers", "2", "--db", url)
    elapsed = time.perf_counter() - start
    log = run.stdout + run.stderr
    assert run.returncode == 1, log[-5000:]
    assert "grading 42 submissions on a local cluster of 2 worker processes" in log, log[-3000:]
    assert "graded 40 of 42 submissions" in log, log[-5000:]
    assert "the workers record grades" in log
    failed = dict(re.findall(r"^  (x-\w+): (.+)$", log, re.M))
    assert set(failed) == {"x-notjson", "x-renamed"}, log[-5000:]
    assert "NotJSONError" in failed["x-notjson"] or "JSON" in failed["x-notjson"], failed
    assert "No notebooks found" in failed["x-renamed"], failed
    for student in failed:
        assert (course / "grading-logs" / ASSIGNMENT / f"{student}.log").is_file()
    check_graded(course, url, students)
    print(f"\n40 submissions + 2 failures, 2 local workers, PostgreSQL: {elapsed:.0f} s")

    # A rerun grades only what is missing: the two failures and two students whose autograded folder is gone.
    for student in students[:2]:
        shutil.rmtree(course / "autograded" / student)
    (course / "grading-logs" / ASSIGNMENT / f"{students[0]}.log").write_text("an earlier failure")
    rerun = convbook_grade(course, "--workers", "2", "--db", url)
    log = rerun.stdout + rerun.stderr
    assert rerun.returncode == 1, log[-5000:]
    assert "grading 4 submissions" in log and "38 already graded" in log, log[-3000:]
    assert set(re.findall(r"^  (x-\w+): ", log, re.M)) == {"x-notjson", "x-renamed"}, log[-3000:]
    check_graded(course, url, students)
    logs = sorted(p.name for p in (course / "grading-logs" / ASSIGNMENT).iterdir())
    assert logs == ["x-notjson.log", "x-renamed.log"], logs  # the stale log of a student now graded is gone


def start(command: list[str], folder: Path, name: str) -> subprocess.Popen:
    """A process in its own session (so that it and its children can be killed together), output to a file."""
    output = open(folder / f"{name}.log", "w")  # noqa: SIM115 - closed when the process ends
    return subprocess.Popen(command, cwd=folder, env=env(), stdout=output, stderr=subprocess.STDOUT,
                            start_new_session=True)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=30)


def test_a_worker_killed_mid_run_has_its_submissions_graded_elsewhere(template, postgres, tmp_path):
    from distributed import Client

    course, url = make_course(template, postgres, tmp_path / "course", "killed", 12)
    students = sorted(p.name for p in (course / "submitted").iterdir())
    cluster = tmp_path / "cluster"
    cluster.mkdir()
    scheduler_file = cluster / "scheduler.json"
    processes = {"scheduler": start([str(BIN / "dask"), "scheduler", "--host", "127.0.0.1", "--port", "0",
                                     "--no-dashboard", "--scheduler-file", str(scheduler_file)], cluster, "scheduler")}
    try:
        deadline = time.monotonic() + 120
        while not scheduler_file.exists() and time.monotonic() < deadline:
            time.sleep(0.5)
        address = json.loads(scheduler_file.read_text())["address"]
        for name in ("worker-a", "worker-b"):
            (cluster / name).mkdir()  # each worker's own folder: nothing of the course is on its path
            processes[name] = start([str(BIN / "dask"), "worker", address, "--nthreads", "1", "--no-dashboard",
                                     "--name", name, "--local-directory", str(cluster / name)], cluster / name, name)
        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=180)
            workers = {info["name"]: addr for addr, info in client.scheduler_info()["workers"].items()}
            grade = start([str(BIN / "convbook-grade"), ASSIGNMENT, "--scheduler", address, "--db", url], course,
                          "convbook-grade")
            processes["convbook-grade"] = grade
            # Kill worker-a while it grades a submission, once some students have been recorded.
            victim = None
            deadline = time.monotonic() + 1800
            while victim is None and grade.poll() is None and time.monotonic() < deadline:
                busy = client.processing(workers["worker-a"]).get(workers["worker-a"], ())
                grading = [key for key in busy if str(key).startswith("convbook-grade-")]
                if grading and sum(submission_rows(url).values()) >= 2:
                    victim = re.match(rf"convbook-grade-{ASSIGNMENT}-(.+)-[0-9a-f]{{8}}$", str(grading[0]))[1]
                    os.killpg(processes["worker-a"].pid, signal.SIGKILL)
                    processes["worker-a"].wait(timeout=30)
                else:
                    time.sleep(0.2)
            assert victim is not None, "worker-a never graded while the run went on"
            grade.wait(timeout=3600)
        log = (course / "convbook-grade.log").read_text()
        assert grade.returncode == 0, log[-5000:]
        assert f"graded {len(students)} of {len(students)} submissions" in log, log[-3000:]
        check_graded(course, url, students)
        assert victim in students
        print(f"\nworker-a killed while grading {victim}; all {len(students)} graded once")
    finally:
        for process in reversed(processes.values()):
            stop(process)


def entry(score: float) -> dict:
    """What a worker reads back after autograde: every test cell scored ``score``."""
    grades = {name: {"auto_score": score, "manual_score": None, "extra_credit": None, "needs_manual_grade": False}
              for name in TESTS}
    comments = {name: {"auto_comment": None, "manual_comment": None} for name in TASKS}
    return {"timestamp": None, "extension": None, "notebooks": {
        ASSIGNMENT: {"flagged": False, "late_submission_penalty": None, "grades": grades, "comments": comments}}}


def grades_of(url: str, student: str) -> dict[str, tuple]:
    from nbgrader.api import Gradebook

    with Gradebook(url, "convbook") as gb:
        notebook = gb.find_submission_notebook(ASSIGNMENT, ASSIGNMENT, student)
        return {g.name: (g.auto_score, g.manual_score, g.needs_manual_grade) for g in notebook.grades}


def test_recording_is_atomic_one_row_per_student_and_keeps_manual_grades(template, postgres, tmp_path):
    """gradebook.record from many threads at once (as retried tasks may): one submission per student, each
    recorded as a whole (all its grades from the same result), a grader's manual score kept."""
    from concurrent.futures import ThreadPoolExecutor

    from nbgrader.api import Gradebook

    from convbook.classgrade import gradebook

    _, url = make_course(template, postgres, tmp_path / "course", "record", 0)
    local = tmp_path / "local.db"
    local.write_bytes(gradebook.assignment_gradebook(url, "convbook", ASSIGNMENT))
    for db in (url, f"sqlite:///{local}"):
        jobs = [(student, 0.1 * k) for k in range(1, 9) for student in ("ann", "bob", "cy")]
        threads = 8 if db == url else 1  # SQLite: one writer (the coordinator)
        with ThreadPoolExecutor(threads) as pool:
            list(pool.map(lambda job, db=db: gradebook.record(db, "convbook", ASSIGNMENT, job[0], entry(job[1])), jobs))
        assert submission_rows(db) == {"ann": 1, "bob": 1, "cy": 1}
        for student in ("ann", "bob", "cy"):
            grades = grades_of(db, student)
            scores = {grades[name][0] for name in TESTS}
            assert len(scores) == 1 and scores <= {0.1 * k for k in range(1, 9)}, scores
            written = {name: grade for name, grade in grades.items() if name.startswith("written_")}
            assert written and all(auto is None for auto, _, _ in written.values()), written  # graded by hand
        with Gradebook(db, "convbook") as gb:
            gb.find_grade("test_corr1d", ASSIGNMENT, ASSIGNMENT, "ann").manual_score = 1.5
            gb.db.commit()
        gradebook.record(db, "convbook", ASSIGNMENT, "ann", entry(2.0))
        after = grades_of(db, "ann")
        assert after["test_corr1d"][:2] == (2.0, 1.5) and after["test_conv1d_full"][:2] == (2.0, None), after
        assert gradebook.graded_students(db, "convbook", ASSIGNMENT) == {"ann", "bob", "cy"}


def test_sqlite_gradebook_the_coordinator_records(template, tmp_path):
    """With the default SQLite gradebook, results come back to the coordinator, which records them."""
    course = tmp_path / "course"
    shutil.copytree(template, course)
    result = nbgrader(course, "generate_assignment", ASSIGNMENT, "--force")  # into course/gradebook.db
    assert result.returncode == 0, result.stderr[-3000:]
    students = [student_name(i, s) for i, s in enumerate(({"corr1d", "conv1d"}, set(TASKS), set(), {"conv1d"}))]
    release = nbformat.read(course / "exercises" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4)
    answers = solution_code(nbformat.read(course / "solutions" / ASSIGNMENT / f"{ASSIGNMENT}.ipynb", as_version=4))
    for student in students:
        nb = nbformat.reads(nbformat.writes(release), as_version=4)
        for cell in nb.cells:
            if cell.metadata.get("nbgrader", {}).get("grade_id") in solved_tasks(student):
                cell.source = answers[cell.metadata["nbgrader"]["grade_id"]]
        (course / "submitted" / student / ASSIGNMENT).mkdir(parents=True)
        nbformat.write(nb, course / "submitted" / student / ASSIGNMENT / f"{ASSIGNMENT}.ipynb")
    run = convbook_grade(course, "--workers", "2")
    log = run.stdout + run.stderr
    assert run.returncode == 0, log[-5000:]
    assert "SQLite: the coordinator records every grade" in log and "graded 4 of 4" in log, log[-3000:]
    url = f"sqlite:///{course / 'gradebook.db'}"
    check_graded(course, url, students)
