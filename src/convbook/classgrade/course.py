"""The course on the coordinator: its configuration, who to grade, what to send, where results go.

The course is read the way nbgrader reads it: ``nbgrader_config.py`` in the current
folder (the course root) gives the folders, the course id and the gradebook URL.
A student needs grading when the gradebook has no submission of the assignment for
them, or ``autograded/<student>/<id>/`` lacks a notebook of the assignment, or the
submission's ``timestamp.txt`` is newer than the autograded one (nbgrader's own rule);
``--force`` grades everyone.
"""

from __future__ import annotations

import datetime
import glob
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import gradebook
from .worker import CourseBundle, Graded, Submission, read_tree, write_tree

CONFIG_NAME = "nbgrader_config.py"
#: A student's submitted folder larger than this is reported, not sent to a worker.
SUBMISSION_LIMIT_BYTES = 100 * 2**20


class CourseError(RuntimeError):
    """The course cannot be graded as asked (the message says what to do)."""


@dataclass
class Course:
    """An nbgrader course root with its configuration loaded."""

    root: Path
    coursedir: Any  # nbgrader.coursedir.CourseDirectory
    db_url: str
    other_config_files: list[str]

    @property
    def course_id(self) -> str:
        return self.coursedir.course_id

    def path(self, step: str, student: str, assignment: str) -> Path:
        """``<root>/<step folder>/<student>/<assignment>`` as nbgrader lays it out."""
        return Path(self.coursedir.format_path(step, student, assignment))

    def relative(self, step: str, student: str, assignment: str) -> str:
        """:meth:`path` relative to the root; refuses a folder configured outside the course root."""
        path = self.path(step, student, assignment).resolve()
        if self.root not in path.parents:
            raise CourseError(f"{path} is outside the course root {self.root}: convbook-grade needs the course's "
                              "folders (submitted, autograded, source) inside it")
        return path.relative_to(self.root).as_posix()


def load_course(root: Path, db_url: str | None = None) -> Course:
    """Read ``root/nbgrader_config.py`` as nbgrader does; ``db_url`` overrides the configured gradebook."""
    root = root.resolve()
    if not (root / CONFIG_NAME).is_file():
        raise CourseError(f"no {CONFIG_NAME} in {root}: run convbook-grade from the course root")
    from nbgrader.apps.nbgraderapp import NbGraderApp
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config.loader import PyFileConfigLoader

    try:  # nbgrader only logs a configuration that fails and grades with its defaults: refuse instead
        PyFileConfigLoader(CONFIG_NAME, path=str(root)).load_config()
    except Exception as error:  # noqa: BLE001 - whatever the file raises
        raise CourseError(f"{root / CONFIG_NAME} does not load: {type(error).__name__}: {error}") from error
    here = os.getcwd()
    os.chdir(root)
    try:
        app = NbGraderApp()
        app.initialize([])
        coursedir = CourseDirectory(config=app.config)
        loaded = [str(Path(p).resolve()) for p in app.loaded_config_files]
    finally:
        os.chdir(here)
    if Path(coursedir.root).resolve() != root:
        coursedir.root = str(root)
    others = [p for p in loaded if p != str(root / CONFIG_NAME)]
    return Course(root=root, coursedir=coursedir, db_url=db_url or coursedir.db_url, other_config_files=others)


def submitted_students(course: Course, assignment: str) -> list[str]:
    """Every student with a submitted folder for ``assignment`` (minus ``student_id_exclude``), sorted."""
    step = course.coursedir.submitted_directory
    pattern = course.coursedir.format_path(step, "*", glob.escape(assignment))
    regexp = re.compile(course.coursedir.format_path(step, "(?P<student>[^/]+)", re.escape(assignment), escape=True))
    excluded = set(filter(None, course.coursedir.student_id_exclude.split(",")))
    students = []
    for folder in glob.glob(pattern):
        found = regexp.fullmatch(folder)
        if found and os.path.isdir(folder) and found["student"] not in excluded:
            students.append(found["student"])
    return sorted(students)


def students_to_grade(course: Course, assignment: str, students: list[str], force: bool) -> list[str]:
    """The students among ``students`` whose grades are missing or out of date (all of them with ``force``)."""
    if force:
        return list(students)
    recorded = gradebook.graded_students(course.db_url, course.course_id, assignment)
    notebooks = gradebook.notebook_names(course.db_url, course.course_id, assignment)
    todo = []
    for student in students:
        graded = course.path(course.coursedir.autograded_directory, student, assignment)
        submitted = course.path(course.coursedir.submitted_directory, student, assignment)
        complete = student in recorded and all((graded / f"{nb}.ipynb").exists() for nb in notebooks)
        if not complete or _newer(submitted, graded):
            todo.append(student)
    return todo


def _newer(submitted: Path, graded: Path) -> bool:
    def stamp(folder: Path) -> datetime.datetime | None:
        from nbgrader.utils import parse_utc

        try:
            return parse_utc((folder / "timestamp.txt").read_text().strip())
        except (OSError, ValueError):
            return None

    new, old = stamp(submitted), stamp(graded)
    return new is not None and old is not None and new > old


def course_bundle(course: Course, assignment: str) -> CourseBundle:
    """The configuration, the source folder's other files and the assignment's gradebook, for the workers."""
    from nbgrader.utils import find_all_files

    source = Path(course.coursedir.format_path(course.coursedir.source_directory, ".", assignment)).resolve()
    files = {}
    if source.is_dir():
        prefix = course.relative(course.coursedir.source_directory, ".", assignment)
        for name in find_all_files(str(source), course.coursedir.ignore + ["*.ipynb"]):
            path = Path(name)
            files[f"{prefix}/{path.relative_to(source).as_posix()}"] = (path.read_bytes(), path.stat().st_mode & 0o777)
    return CourseBundle(
        assignment=assignment,
        course_id=course.course_id,
        config_name=CONFIG_NAME,
        config=(course.root / CONFIG_NAME).read_bytes(),
        gradebook=gradebook.assignment_gradebook(course.db_url, course.course_id, assignment),
        source_files=files,
    )


def submission(course: Course, assignment: str, student: str, entry: dict[str, Any] | None) -> Submission:
    """One student's submitted folder as data (ValueError if larger than :data:`SUBMISSION_LIMIT_BYTES`)."""
    folder = course.path(course.coursedir.submitted_directory, student, assignment)
    return Submission(
        student=student,
        submitted_dir=course.relative(course.coursedir.submitted_directory, student, assignment),
        autograded_dir=course.relative(course.coursedir.autograded_directory, student, assignment),
        files=read_tree(folder, SUBMISSION_LIMIT_BYTES),
        entry=entry,
    )


def store(course: Course, assignment: str, graded: Graded) -> None:
    """Record a graded submission (unless its worker did) and put its autograded folder into the course."""
    if not graded.recorded:
        assert graded.entry is not None
        gradebook.record(course.db_url, course.course_id, assignment, graded.student, graded.entry)
        graded.recorded = True
    target = course.path(course.coursedir.autograded_directory, graded.student, assignment)
    target.parent.mkdir(parents=True, exist_ok=True)
    fresh = Path(tempfile.mkdtemp(prefix=f".{graded.student}-", dir=target.parent))
    try:
        write_tree(fresh, graded.files)
        fresh.chmod(0o755)
        if target.exists():
            old = target.with_name(f".{target.name}-old-{os.getpid()}")
            target.rename(old)
            fresh.rename(target)
            shutil.rmtree(old, ignore_errors=True)
        else:
            fresh.rename(target)
    finally:
        if fresh.exists():
            shutil.rmtree(fresh, ignore_errors=True)
    _failure_log_path(course, assignment, graded.student).unlink(missing_ok=True)  # an earlier run's, now fixed


def _failure_log_path(course: Course, assignment: str, student: str) -> Path:
    return course.root / "grading-logs" / assignment / f"{student}.log"


def failure_log(course: Course, assignment: str, graded: Graded) -> Path | None:
    """Write the nbgrader output of a submission that could not be graded; its path (None if there was none)."""
    if not graded.log:
        return None
    path = _failure_log_path(course, assignment, graded.student)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{graded.reason}\n(worker {graded.worker}, {graded.seconds:.1f} s)\n\n{graded.log}")
    return path


__all__ = [
    "CONFIG_NAME",
    "Course",
    "CourseError",
    "course_bundle",
    "failure_log",
    "load_course",
    "store",
    "students_to_grade",
    "submission",
    "submitted_students",
]
