"""One submission, graded on a worker: a scratch course, nbgrader's autograde, the result as data.

Everything the run needs arrives as bytes in the task (nothing is read from a shared
disk): the course's ``nbgrader_config.py``, the non-notebook files of the
assignment's source folder (autograde copies them next to the notebook), a SQLite
gradebook holding the assignment's stored cells (see :mod:`.gradebook`) and the
student's submitted folder. The worker lays them out as a course in a private
scratch folder, runs ``nbgrader autograde ASSIGNMENT --student ID --force`` there
(through the worker's :mod:`.forkserver`) with the course's own configuration
(the trusted grader included), only pointing ``CourseDirectory.root`` and
``db_url`` at the scratch course, and returns the autograded folder and the
gradebook entry. With a database server the worker records the entry itself
(:func:`.gradebook.record`); with SQLite the coordinator does.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import gradebook
from .forkserver import ForkServerError, RunTimeoutError, fork_server

#: A file tree as data: path (relative, ``/``-separated) -> (content, permission bits).
Files = dict[str, tuple[bytes, int]]


@dataclass
class CourseBundle:
    """What every submission of one assignment needs, sent once to each worker."""

    assignment: str
    course_id: str
    config_name: str
    config: bytes
    gradebook: bytes
    source_files: Files = field(default_factory=dict)  # relative to the course root


@dataclass
class Submission:
    """One student's submitted folder and where it goes in a course."""

    student: str
    submitted_dir: str  # relative to the course root, e.g. submitted/alice/01-conv1d
    autograded_dir: str  # relative to the course root, e.g. autograded/alice/01-conv1d
    files: Files
    entry: dict[str, Any] | None = None  # the student's row and existing submission in the gradebook


@dataclass
class Graded:
    """The outcome of grading one submission."""

    student: str
    ok: bool
    reason: str = ""  # why it could not be graded
    score: float | None = None
    max_score: float | None = None
    entry: dict[str, Any] | None = None  # for gradebook.record
    files: Files = field(default_factory=dict)  # the autograded folder, relative to it
    recorded: bool = False  # the worker wrote the entry into the course's gradebook
    log: str = ""  # nbgrader's output (all of it if the grading failed, else its last lines)
    seconds: float = 0.0
    worker: str = ""


def read_tree(folder: str | Path, limit_bytes: int) -> Files:
    """Every file under ``folder`` as data; raises ValueError if they hold more than ``limit_bytes``."""
    files: Files = {}
    total = 0
    root = Path(folder)
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink():
            total += path.stat().st_size
            if total > limit_bytes:
                raise ValueError(f"{folder} holds more than {limit_bytes // 2**20} MB")
            files[path.relative_to(root).as_posix()] = (path.read_bytes(), path.stat().st_mode & 0o777)
    return files


def write_tree(folder: str | Path, files: Files) -> None:
    """Write ``files`` (from :func:`read_tree`) under ``folder``, refusing paths that leave it."""
    root = Path(folder).resolve()
    for name, (content, mode) in files.items():
        path = (root / name).resolve()
        if root not in path.parents:
            raise ValueError(f"refusing to write {name!r} outside {root}")
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.chmod(0o644)
            path.unlink()
        path.write_bytes(content)
        path.chmod(mode | 0o400)


def grade_submission(course: CourseBundle, submission: Submission, record_url: str | None = None,
                     timeout: float = 1800, result_limit_bytes: int = 200 * 2**20) -> Graded:
    """Grade one submission in a scratch course on this machine (see the module's docstring).

    ``record_url``: the course's gradebook, to record the result from here (a database
    server); None leaves recording to the caller. ``timeout``: seconds for the whole
    nbgrader run, after which it is killed and the submission reported as not graded.
    """
    start = time.monotonic()
    scratch = Path(tempfile.mkdtemp(prefix="convbook-grade-", dir=_scratch_parent()))
    result = Graded(student=submission.student, ok=False, worker=_worker_name())
    try:
        db_path = scratch / "gradebook.db"
        db_path.write_bytes(course.gradebook)
        local_db = f"sqlite:///{db_path}"
        (scratch / course.config_name).write_bytes(course.config)
        write_tree(scratch, course.source_files)
        write_tree(scratch / submission.submitted_dir, submission.files)
        gradebook.seed_student(local_db, course.course_id, course.assignment, submission.student, submission.entry)
        argv = [
            "autograde", course.assignment, "--student", submission.student, "--force",
            f"--CourseDirectory.root={scratch}", f"--CourseDirectory.db_url={local_db}",
        ]
        log_path = scratch / "autograde.log"
        env = {"PATH": os.pathsep.join([os.path.dirname(sys.executable), os.environ.get("PATH", "")])}
        try:
            status = fork_server().run(str(scratch), argv, str(log_path), env=env, timeout=timeout)
        except (RunTimeoutError, ForkServerError) as error:
            result.reason = str(error)
            result.log = _read_log(log_path)
            return result
        log = _read_log(log_path)
        autograded = scratch / submission.autograded_dir
        notebooks = sorted(autograded.glob("*.ipynb")) if autograded.is_dir() else []
        if "Exception while loading config file" in log:  # nbgrader would go on without the course's settings
            error = _last_exception(log) or "see the log"
            result.reason = f"the course's {course.config_name} did not load on worker {result.worker}: {error}"
            result.log = log
            return result
        if status != 0 or not notebooks:
            result.reason = _failure_reason(status, log, bool(notebooks))
            result.log = log
            return result
        result.entry = gradebook.read_entry(local_db, course.course_id, course.assignment, submission.student)
        result.score, result.max_score = result.entry.pop("score"), result.entry.pop("max_score")
        try:
            result.files = read_tree(autograded, result_limit_bytes)
        except ValueError as error:
            result.reason = f"the autograded folder is too large to send back: {error}"
            return result
        result.log = "\n".join(log.splitlines()[-20:])
        result.ok = True
        if record_url is not None:
            result.recorded = _record_here(record_url, course, submission.student, result)
        return result
    finally:
        result.seconds = time.monotonic() - start
        shutil.rmtree(scratch, ignore_errors=True)


def _record_here(db_url: str, course: CourseBundle, student: str, result: Graded) -> bool:
    """Record from the worker; if the database cannot be reached from here, leave it to the coordinator."""
    from sqlalchemy.exc import InterfaceError, OperationalError

    assert result.entry is not None
    try:
        gradebook.record(db_url, course.course_id, course.assignment, student, result.entry)
    except (OperationalError, InterfaceError) as error:
        result.log += f"\n[convbook-grade] could not record from {result.worker}: {str(error).splitlines()[0]}"
        return False
    return True


_EXCEPTION = re.compile(r"^\s*(?:[A-Za-z_]\w*\.)*([A-Z]\w*): (.+)$")  # "    nbgrader.api.MissingEntry: ..."


def _failure_reason(status: int, log: str, produced: bool) -> str:
    """One line saying why nbgrader did not grade the submission, taken from its log."""
    if status < 0:
        what = f"nbgrader was killed by signal {-status}"
    elif status != 0:
        what = f"nbgrader autograde exited with status {status}"
    else:
        what = "nbgrader autograde wrote no graded notebook"
    error = _last_exception(log)
    if error:
        return f"{what}: {error}"
    lines = log.splitlines()
    logged = [line.split("ERROR]", 1)[1].strip() for line in lines if "ERROR]" in line]
    useful = [line for line in logged if not line.startswith(("There was an error", "Please see"))]
    if useful or logged:
        return f"{what}: {(useful or logged)[0][:300]}"
    return what


def _last_exception(log: str) -> str | None:
    """``Name: message`` of the last traceback in the log (None if there is none)."""
    errors, in_traceback = [], False
    for line in log.splitlines():
        in_traceback = in_traceback or "Traceback (most recent call last)" in line
        found = _EXCEPTION.match(line) if in_traceback else None
        if found:
            errors.append(f"{found[1]}: {found[2]}"[:300])
            in_traceback = False
    return errors[-1] if errors else None


def _read_log(path: Path) -> str:
    try:
        return path.read_text(errors="replace")[-200_000:]
    except OSError:
        return ""


def _scratch_parent() -> str | None:
    """The Dask worker's local folder if this runs in a worker, else the system's temporary folder."""
    try:
        from distributed import get_worker

        return get_worker().local_directory
    except (ImportError, ValueError):
        return None


def _worker_name() -> str:
    try:
        from distributed import get_worker

        return get_worker().address
    except (ImportError, ValueError):
        return f"{socket.gethostname()}:{os.getpid()}"


__all__ = ["CourseBundle", "Files", "Graded", "Submission", "grade_submission", "read_tree", "write_tree"]
