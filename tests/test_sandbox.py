"""The grading sandbox seen from inside, and what autograde does when it cannot start or is switched off."""

from __future__ import annotations

import csv
import json
import os
import shutil
import socket
import subprocess
import sys

import nbformat
import pytest
from nbgrader_course import ROOT, nbgrader, solution_code

from convbook.grading import sandbox

PROBE = r"""
import json, os, socket, sys
seen = {"uid": os.getuid(), "cwd": os.getcwd(), "files": sorted(os.listdir(".")),
        "env": dict(os.environ), "root": sorted(os.listdir("/"))}
for module in ("torch", "scipy", "convbook.functional", "convbook.grading"):
    try:
        __import__(module)
        seen[module] = True
    except ImportError:
        seen[module] = False
for path in (sys.argv[1], sys.argv[2], "/root", "/etc/passwd"):
    seen[path] = sorted(os.listdir(path)) if os.path.isdir(path) else os.path.exists(path)
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[3])), timeout=2)
    seen["network"] = True
except OSError:
    seen["network"] = False
try:
    open("/usr/evil", "w")
    seen["write_usr"] = True
except OSError:
    seen["write_usr"] = False
print(json.dumps(seen))
"""


@pytest.fixture
def box(tmp_path):
    (tmp_path / "data.txt").write_text("shipped with the notebook")
    (tmp_path / "other.ipynb").write_text("{}")
    made = sandbox.Sandbox(str(tmp_path))
    yield made
    made.cleanup()


def test_the_sandbox_holds_numpy_and_the_notebook_folder_only(box, tmp_path, monkeypatch):
    monkeypatch.setenv("CONVBOOK_TEST_SECRET", "do-not-leak")
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    port = listener.getsockname()[1]
    command = box.command(["-c", PROBE, str(ROOT), str(ROOT / "solutions"), str(port)])
    done = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["uid"] != 0 and seen["uid"] != os.getuid() or os.geteuid() != 0
    assert seen["cwd"] == "/tmp/work" and seen["files"] == ["data.txt"]
    assert "CONVBOOK_TEST_SECRET" not in seen["env"]
    assert not seen["torch"] and not seen["scipy"] and not seen["convbook.functional"] and seen["convbook.grading"]
    # the course root holds nothing but the mount point of the sandbox's own environment
    assert set(seen[str(ROOT)]) <= {".venv-sandbox"}, seen[str(ROOT)]
    assert seen[str(ROOT / "solutions")] is False and seen["/etc/passwd"] is False
    assert not seen["network"] and not seen["write_usr"]
    listener.close()


def test_an_allowed_package_is_there(tmp_path):
    made = sandbox.Sandbox(str(tmp_path), ("convbook",))
    try:
        code = "import convbook.nn, convbook.functional; print('ok')"
        done = subprocess.run(made.command(["-c", code]), capture_output=True, text=True, timeout=60)
        assert done.stdout.strip() == "ok", done.stderr
    finally:
        made.cleanup()


def test_a_missing_sandbox_is_refused_with_the_reason_and_the_remedy():
    with pytest.raises(sandbox.SandboxUnavailableError) as error:
        sandbox.check_available("/nonexistent/python")
    message = str(error.value)
    assert "/nonexistent/python" in message and "bubblewrap" in message and "sandbox = False" in message


@pytest.fixture(scope="module")
def course(tmp_path_factory):
    course = tmp_path_factory.mktemp("sandbox-course")
    shutil.copy(ROOT / "nbgrader_config.py", course)
    shutil.copytree(ROOT / "solutions" / "02-conv2d", course / "solutions" / "02-conv2d")
    assert nbgrader(course, "generate_assignment", "02-conv2d", "--force").returncode == 0
    release = nbformat.read(course / "exercises" / "02-conv2d" / "02-conv2d.ipynb", as_version=4)
    good = solution_code(nbformat.read(course / "solutions" / "02-conv2d" / "02-conv2d.ipynb", as_version=4))
    for cell in release.cells:
        cell.source = good.get(cell.metadata.get("nbgrader", {}).get("grade_id"), cell.source)
    folder = course / "submitted" / "alice" / "02-conv2d"
    folder.mkdir(parents=True)
    nbformat.write(release, folder / "02-conv2d.ipynb")
    return course


def score(course) -> float:
    nbgrader(course, "export", "--to", str(course / "grades.csv"))
    with open(course / "grades.csv", newline="") as f:
        return float(next(csv.DictReader(f))["raw_score"])


@pytest.mark.slow
def test_autograde_refuses_when_the_sandbox_cannot_start(course):
    run = nbgrader(course, "autograde", "02-conv2d", "--force", env={"CONVBOOK_SANDBOX_PYTHON": "/nonexistent/python"})
    assert run.returncode == 1
    assert "The grading sandbox cannot start" in run.stderr and "alice (02-conv2d)" in run.stderr
    assert score(course) == 0


@pytest.mark.slow
def test_grading_without_the_sandbox_is_explicit_and_says_so(course):
    run = nbgrader(course, "autograde", "02-conv2d", "--force", cell_timeout=60, env={"CONVBOOK_SANDBOX": "0"})
    assert run.returncode == 0, run.stderr[-3000:]
    assert "WITHOUT the sandbox" in run.stderr
    assert score(course) == 10
    nb = nbformat.read(course / "autograded" / "alice" / "02-conv2d" / "02-conv2d.ipynb", as_version=4)
    notes = [o for c in nb.cells for o in c.get("outputs", []) if "WITHOUT the sandbox" in o.get("text", "")]
    assert len(notes) == 4, "every test cell says it was graded unconfined"


def test_the_sandbox_interpreter_is_the_projects(box):
    assert (
        box.python.endswith(os.path.join(".venv-sandbox", "bin", "python")) or "CONVBOOK_SANDBOX_PYTHON" in os.environ
    )
    assert sys.executable != box.python


@pytest.mark.slow
def test_a_configuration_that_fails_to_load_grades_nothing(course):
    """nbgrader carries on with its defaults (tests in the student's kernel): every test must then fail."""
    good = (course / "nbgrader_config.py").read_text()
    try:
        (course / "nbgrader_config.py").write_text(good + "\nraise RuntimeError('a typo in the configuration')\n")
        nbgrader(course, "autograde", "02-conv2d", "--force", cell_timeout=60)
        assert score(course) == 0
        nb = nbformat.read(course / "autograded" / "alice" / "02-conv2d" / "02-conv2d.ipynb", as_version=4)
        assert "grading refused" in nbformat.writes(nb)
    finally:
        (course / "nbgrader_config.py").write_text(good)
