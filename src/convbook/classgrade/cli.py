"""``convbook-grade ASSIGNMENT [--workers N] [--scheduler ADDRESS] [--db URL] [--force]``, run from the course root."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .worker import Submission

DESCRIPTION = """\
Autograde every submission of ASSIGNMENT in submitted/ with nbgrader, in parallel on Dask:
a local cluster of N worker processes (default: one per core), or the cluster whose
scheduler is at ADDRESS. Each submission is graded by `nbgrader autograde` with the
course's nbgrader_config.py, in a scratch course on a worker; grades go into the course's
gradebook (nbgrader_config.py's db_url, or --db), the graded notebooks into autograded/.
Students already graded are skipped unless --force. Exit status 1 if a student could not
be graded (the summary names each one and why), 2 if the course cannot be graded."""


def parser() -> argparse.ArgumentParser:
    """The command line of ``convbook-grade``."""
    p = argparse.ArgumentParser(prog="convbook-grade", description=DESCRIPTION,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("assignment", metavar="ASSIGNMENT", help="assignment id, e.g. 01-conv1d")
    p.add_argument("--workers", type=int, metavar="N", help="local worker processes (default: one per core)")
    p.add_argument("--scheduler", metavar="ADDRESS",
                   help="use the Dask cluster at ADDRESS (e.g. tcp://10.0.0.5:8786) instead of a local one")
    p.add_argument("--db", metavar="URL", help="gradebook URL, e.g. postgresql+psycopg://user:pw@host/course "
                   "(default: nbgrader_config.py's db_url)")
    p.add_argument("--force", action="store_true", help="regrade students who are already graded")
    p.add_argument("--timeout", type=float, default=1800, metavar="SECONDS",
                   help="longest time for one submission, after which it is reported as not graded (default 1800)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Run ``convbook-grade``; return its exit status."""
    args = parser().parse_args(argv)
    if args.workers is not None and args.scheduler:
        parser().error("--workers sizes the local cluster; with --scheduler the cluster's own workers grade")
    if args.workers is not None and args.workers < 1:
        parser().error("--workers must be at least 1")
    try:
        from . import cluster, course, gradebook
        from .progress import Progress, summary
        from .worker import Graded
    except ImportError as error:
        print(f"convbook-grade: {error}; install the grading dependencies: pip install 'convbook[grade]' "
              "(or the project's requirements.txt)", file=sys.stderr)
        return 2
    out = sys.stderr
    try:
        the_course = course.load_course(Path.cwd(), args.db)
        students = course.submitted_students(the_course, args.assignment)
        if not students:
            where = the_course.path(the_course.coursedir.submitted_directory, "*", args.assignment)
            print(f"convbook-grade: no submissions of {args.assignment} ({where})", file=out)
            return 0
        bundle = course.course_bundle(the_course, args.assignment)
        todo = course.students_to_grade(the_course, args.assignment, students, args.force)
    except (course.CourseError, gradebook.AssignmentNotInGradebookError) as error:
        print(f"convbook-grade: {error}", file=out)
        return 2
    for path in the_course.other_config_files:
        print(f"convbook-grade: note: {path} is read here but not sent to workers; put course settings in "
              f"{course.CONFIG_NAME}", file=out)
    skipped = len(students) - len(todo)
    if not todo:
        print(f"{args.assignment}: all {len(students)} submissions are graded (--force regrades them)", file=out)
        return 0
    entries = gradebook.student_entries(the_course.db_url, the_course.course_id, args.assignment)
    server = not gradebook.is_sqlite(the_course.db_url)
    client, described = cluster.connect(args.workers, args.scheduler)
    writer = "the workers record grades" if server else "SQLite: the coordinator records every grade"
    print(f"{args.assignment}: grading {len(todo)} submissions on {described}; gradebook "
          f"{gradebook.hide_password(the_course.db_url)} ({writer})", file=out)
    if args.scheduler and cluster.total_threads(client) == 0:
        print(f"convbook-grade: the cluster has no workers yet; start some with `dask worker {args.scheduler}`",
              file=out)
    progress = Progress(len(todo), stream=out)
    failures: dict[str, str] = {}
    scores: list[float] = []
    max_score: list[float] = []

    def on_result(graded: Graded) -> None:
        if graded.ok:
            try:
                course.store(the_course, args.assignment, graded)
                scores.append(graded.score or 0.0)
                max_score[:] = [graded.max_score or 0.0]
            except Exception as error:  # noqa: BLE001 - reported with the student, the others go on
                graded.ok = False
                graded.reason = f"could not store the result: {type(error).__name__}: {error}"
        if not graded.ok:
            log = course.failure_log(the_course, args.assignment, graded)
            where = f" (log: {log.relative_to(the_course.root)})" if log else ""
            failures[graded.student] = graded.reason + where
        progress.add(graded.ok)

    def readers() -> Iterator[tuple[str, Callable[[], Submission]]]:
        for student in todo:
            yield student, lambda s=student: course.submission(the_course, args.assignment, s, entries.get(s))

    progress.show(force=True)
    try:
        cluster.grade_all(client, bundle, readers(), on_result, record_url=the_course.db_url if server else None,
                          timeout=args.timeout)
    except KeyboardInterrupt:
        progress.finish()
        print(f"convbook-grade: interrupted; {progress.graded} students were graded and recorded, rerun to grade "
              "the rest", file=out)
        return 130
    finally:
        cluster.close(client)
    progress.finish()
    print(summary(args.assignment, progress, skipped, failures, scores, max_score[0] if max_score else None,
                  described), file=out)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
