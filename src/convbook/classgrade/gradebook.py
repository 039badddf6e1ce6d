"""The gradebook side of class grading: what a worker takes from it, and recording one student's grades.

A worker never grades against the course's gradebook. It runs ``nbgrader autograde``
in a scratch course whose private SQLite gradebook holds what autograde reads:

- the assignment as ``generate_assignment`` stored it (notebooks, grade, solution,
  task and source cells: the test cells autograde restores and the trusted grader
  runs), built once by :func:`assignment_gradebook` and shipped as bytes;
- the student's row and existing submission (extension, manual grades), added by
  :func:`seed_student` from :func:`student_entries`, so that autograde computes
  what it would compute on the course's gradebook (a manual grade keeps the cell
  flagged for review, an extension moves the deadline).

After autograde, :func:`read_entry` takes the student's submission back as plain
data and :func:`record` writes the fields autograde owns (:data:`AUTOGRADE_FIELDS`)
into the course's gradebook in **one transaction**: the submission, notebook, grade
and comment rows are found or created as nbgrader's ``add_submission`` lays them
out, so a student has one submission however often it is recorded, and a grading
interrupted before its commit leaves nothing behind. On PostgreSQL the transaction
first takes an advisory lock on (course, assignment, student), so two writers of the
same student (a retried task and its lost original) queue instead of colliding.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
import threading
from typing import Any

from nbgrader.api import (
    Assignment,
    Base,
    Comment,
    Course,
    Grade,
    Gradebook,
    GradeCell,
    MissingEntry,
    Notebook,
    SolutionCell,
    SourceCell,
    Student,
    SubmittedAssignment,
    SubmittedNotebook,
    TaskCell,
)
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

#: What ``nbgrader autograde`` writes about a submission (everything else, such as manual
#: grades, comments and flags, belongs to the graders and is left as it is).
AUTOGRADE_FIELDS = {
    "submission": ("timestamp",),
    "notebook": ("late_submission_penalty",),
    "grade": ("auto_score", "needs_manual_grade"),
    "comment": ("auto_comment",),
}
_STUDENT_FIELDS = ("first_name", "last_name", "email", "lms_user_id")
_GRADE_FIELDS = ("auto_score", "manual_score", "extra_credit", "needs_manual_grade")
_COMMENT_FIELDS = ("auto_comment", "manual_comment")


class AssignmentNotInGradebookError(LookupError):
    """The gradebook does not hold the assignment (``generate_assignment`` was not run into it)."""


def is_sqlite(db_url: str) -> bool:
    """Whether ``db_url`` names a SQLite file (one writer at a time) rather than a database server."""
    return db_url.split(":", 1)[0].split("+", 1)[0] == "sqlite"


def hide_password(db_url: str) -> str:
    """``db_url`` with its password replaced by ``***``, for messages."""
    from sqlalchemy.engine import make_url

    return make_url(db_url).render_as_string(hide_password=True)


# ---------------------------------------------------------------- the assignment, for the workers


def assignment_gradebook(db_url: str, course_id: str, assignment: str) -> bytes:
    """A SQLite gradebook file (its bytes) holding only ``assignment`` as stored in the gradebook at ``db_url``.

    Raises :class:`AssignmentNotInGradebookError` if that gradebook does not hold it.
    """
    with Gradebook(db_url, course_id) as gb:
        try:
            source = gb.find_assignment(assignment)
        except MissingEntry:
            raise AssignmentNotInGradebookError(
                f"the gradebook {hide_password(db_url)} has no assignment {assignment!r}: run "
                f"`nbgrader generate_assignment {assignment} --force` (with --db URL for another gradebook) first"
            ) from None
        notebooks = [_notebook_spec(nb) for nb in source.notebooks]
        duedate = source.duedate
        version = gb.db.execute(text("SELECT version_num FROM alembic_version")).scalar_one()
    folder = tempfile.mkdtemp(prefix="convbook-gradebook-")
    path = os.path.join(folder, "gradebook.db")
    engine = create_engine(f"sqlite:///{path}", future=True)
    try:
        Base.metadata.create_all(engine)  # nbgrader's schema, at the version the course's gradebook has:
        with Session(engine) as session, session.begin():
            session.execute(text("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)"))
            session.execute(text("INSERT INTO alembic_version (version_num) VALUES (:v)"), {"v": version})
            session.add(Course(id=course_id))
            copy = Assignment(name=assignment, duedate=duedate, course_id=course_id)
            for spec in notebooks:
                nb = Notebook(name=spec["name"], kernelspec=spec["kernelspec"], assignment=copy)
                for cell in spec["grade_cells"]:
                    GradeCell(notebook=nb, **cell)
                for cell in spec["solution_cells"]:
                    SolutionCell(notebook=nb, **cell)
                for cell in spec["task_cells"]:
                    TaskCell(notebook=nb, **cell)
                for cell in spec["source_cells"]:
                    SourceCell(notebook=nb, **cell)
            session.add(copy)
        engine.dispose()
        with open(path, "rb") as f:
            return f.read()
    finally:
        engine.dispose()
        shutil.rmtree(folder, ignore_errors=True)


def _notebook_spec(nb: Notebook) -> dict[str, Any]:
    graded = ("name", "max_score", "cell_type")
    return {
        "name": nb.name,
        "kernelspec": nb.kernelspec,
        "grade_cells": [{k: getattr(c, k) for k in graded} for c in nb.grade_cells],
        "solution_cells": [{"name": c.name} for c in nb.solution_cells],
        "task_cells": [{k: getattr(c, k) for k in graded} for c in nb.task_cells],
        "source_cells": [
            {k: getattr(c, k) for k in ("name", "cell_type", "locked", "source", "checksum")} for c in nb.source_cells
        ],
    }


def notebook_names(db_url: str, course_id: str, assignment: str) -> list[str]:
    """The names of the assignment's notebooks in the gradebook."""
    with Gradebook(db_url, course_id) as gb:
        return [nb.name for nb in gb.find_assignment(assignment).notebooks]


# ---------------------------------------------------------------- students' entries


def student_entries(db_url: str, course_id: str, assignment: str) -> dict[str, dict[str, Any]]:
    """Every student of the gradebook: ``{id: {"student": {...}, "submission": {...} or None}}``.

    ``submission`` is the student's existing submission of ``assignment`` (timestamp,
    extension, and per notebook its flag, late penalty, grades and comments by cell name).
    """
    entries: dict[str, dict[str, Any]] = {}
    with Gradebook(db_url, course_id) as gb:
        for student in gb.db.execute(select(Student)).scalars():
            entries[student.id] = {"student": {k: getattr(student, k) for k in _STUDENT_FIELDS}, "submission": None}
        query = (
            select(SubmittedAssignment)
            .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
            .where(Assignment.name == assignment)
        )
        for submission in gb.db.execute(query).scalars():
            entries[submission.student_id]["submission"] = _submission_data(submission)
    return entries


def _submission_data(submission: SubmittedAssignment) -> dict[str, Any]:
    notebooks = {}
    for nb in submission.notebooks:
        notebooks[nb.notebook.name] = {
            "flagged": nb.flagged,
            "late_submission_penalty": nb.late_submission_penalty,
            "grades": {g.cell.name: {k: getattr(g, k) for k in _GRADE_FIELDS} for g in nb.grades},
            "comments": {c.cell.name: {k: getattr(c, k) for k in _COMMENT_FIELDS} for c in nb.comments},
        }
    return {"timestamp": submission.timestamp, "extension": submission.extension, "notebooks": notebooks}


def seed_student(db_url: str, course_id: str, assignment: str, student: str, entry: dict[str, Any] | None) -> None:
    """Put ``student``'s row and existing submission (from :func:`student_entries`) into a worker's gradebook."""
    if not entry:
        return
    engine = create_engine(db_url, future=True)
    try:
        with Session(engine) as session, session.begin():
            session.add(Student(id=student, **entry["student"]))
            data = entry.get("submission")
            if data is not None:
                target = session.execute(select(Assignment).where(Assignment.name == assignment)).scalar_one()
                submission = SubmittedAssignment(assignment=target, student_id=student, timestamp=data["timestamp"],
                                                 extension=data["extension"])
                session.add(submission)
                with session.no_autoflush:
                    _lay_out(session, submission, target)
                session.flush()
                _apply(submission, data, fields=None)
    finally:
        engine.dispose()


# ---------------------------------------------------------------- results


def read_entry(db_url: str, course_id: str, assignment: str, student: str) -> dict[str, Any]:
    """The student's submission after autograde, as plain data, with its ``score`` and ``max_score``."""
    with Gradebook(db_url, course_id) as gb:
        submission = gb.find_submission(assignment, student)
        data = _submission_data(submission)
        data["score"] = float(submission.score)
        data["max_score"] = float(submission.max_score)
        return data


def record(db_url: str, course_id: str, assignment: str, student: str, entry: dict[str, Any]) -> None:
    """Write what autograde found (``entry`` from :func:`read_entry`) into the gradebook, in one transaction.

    Creates the student and the submission's rows if they are missing and updates only
    :data:`AUTOGRADE_FIELDS` (the worker's gradebook started from this student's entry here,
    so ``needs_manual_grade`` and the late penalty were computed against the same manual grades).
    """
    engine = _engine(db_url)
    with Session(engine) as session, session.begin():
        if engine.dialect.name == "postgresql":
            key = _lock_key(course_id, assignment, student)
            session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": key})
        target = session.execute(select(Assignment).where(Assignment.name == assignment)).scalar_one()
        if session.get(Student, student) is None:
            session.add(Student(id=student))
            session.flush()
        query = select(SubmittedAssignment).where(
            SubmittedAssignment.assignment_id == target.id, SubmittedAssignment.student_id == student
        )
        submission = session.execute(query).scalar_one_or_none()
        if submission is None:
            submission = SubmittedAssignment(assignment=target, student_id=student)
            session.add(submission)
        with session.no_autoflush:
            _lay_out(session, submission, target)
        submission.timestamp = entry["timestamp"]
        _apply(submission, entry, fields=AUTOGRADE_FIELDS)


def _lay_out(session: Session, submission: SubmittedAssignment, assignment: Assignment) -> None:
    """Create the notebook, grade and comment rows of a submission that are missing (as ``add_submission`` does)."""
    have = {nb.notebook_id: nb for nb in submission.notebooks}
    new: list[Any] = []
    for notebook in assignment.notebooks:
        nb = have.get(notebook.id)
        if nb is None:
            nb = SubmittedNotebook(notebook=notebook, assignment=submission)
            new.append(nb)
        grades = {g.cell_id for g in nb.grades}
        comments = {c.cell_id for c in nb.comments}
        new += [Grade(cell_id=c.id, notebook=nb) for c in notebook.grade_cells + notebook.task_cells
                if c.id not in grades]
        new += [Comment(cell_id=c.id, notebook=nb) for c in notebook.solution_cells + notebook.task_cells
                if c.id not in comments]
    session.add_all(new)  # SQLAlchemy 2 does not cascade new children into the session through backrefs


def _apply(submission: SubmittedAssignment, data: dict[str, Any], fields: dict[str, tuple[str, ...]] | None) -> None:
    """Copy grades and comments from ``data`` onto the submission's rows (only ``fields``; None: all)."""
    for nb in submission.notebooks:
        source = data["notebooks"].get(nb.notebook.name)
        if source is None:
            continue
        cells = nb.notebook.grade_cells + nb.notebook.solution_cells + nb.notebook.task_cells
        names = {cell.id: cell.name for cell in cells}
        for name in fields["notebook"] if fields else ("flagged", "late_submission_penalty"):
            setattr(nb, name, source[name])
        for rows, key, every in ((nb.grades, "grade", _GRADE_FIELDS), (nb.comments, "comment", _COMMENT_FIELDS)):
            for row in rows:
                values = source[f"{key}s"].get(names.get(row.cell_id))
                for name in (fields[key] if fields else every) if values else ():
                    setattr(row, name, values[name])


def _lock_key(course_id: str, assignment: str, student: str) -> int:
    digest = hashlib.blake2b(f"{course_id}\0{assignment}\0{student}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


_engines: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def _engine(db_url: str) -> Engine:
    """One engine (connection pool) per gradebook URL and process."""
    with _engines_lock:
        if db_url not in _engines:
            _engines[db_url] = create_engine(db_url, future=True, pool_pre_ping=True)
        return _engines[db_url]


def graded_students(db_url: str, course_id: str, assignment: str) -> set[str]:
    """The students who have a submission of ``assignment`` in the gradebook."""
    with Gradebook(db_url, course_id) as gb:
        query = (
            select(SubmittedAssignment.student_id)
            .join(Assignment, Assignment.id == SubmittedAssignment.assignment_id)
            .where(Assignment.name == assignment)
        )
        return set(gb.db.execute(query).scalars())


__all__ = [
    "AUTOGRADE_FIELDS",
    "AssignmentNotInGradebookError",
    "assignment_gradebook",
    "graded_students",
    "hide_password",
    "is_sqlite",
    "notebook_names",
    "read_entry",
    "record",
    "seed_student",
    "student_entries",
]
