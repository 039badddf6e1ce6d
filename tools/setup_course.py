#!/usr/bin/env python3
"""Set up the convbook nbgrader course on a fresh clone, in one command.

    python3 tools/setup_course.py [--students roster.csv]

From the course root (the repository root, where nbgrader_config.py lives) it

1. creates the gradebook (gradebook.db, or the database of CourseDirectory.db_url) if missing;
2. generates every assignment of solutions/ into exercises/ with nbgrader's generate_assignment
   (the formgrader's "Generate" button) and so registers it, with its cells, in the gradebook;
3. imports the students of the roster, a CSV file in nbgrader's format (columns id, first_name,
   last_name and optionally email, lms_user_id), and gives every student of the gradebook who has
   no name (one that autograde or collect added) their id as name, so that the formgrader never
   lists anyone as "None, None";
4. creates the exchange of a course on one machine (Exchange.root of nbgrader_config.py, by default
   exchange/ here, or $CONVBOOK_EXCHANGE) with nbgrader's permissions, so that the Assignment List,
   fetch, submit, collect and release feedback work, in JupyterLab and on the command line.

It can be rerun at any time (new roster, changed solutions): generation is forced, students are
created or updated, permissions are repaired. ``--generate-only`` does step 2 alone
(tools/make_assignments.sh), ``--students-only`` step 3 alone.

nbgrader is whatever Python environment has both nbgrader and convbook (the course's configuration
imports convbook's grader): $NBGRADER_PYTHON, the Python running this script, the project's .venv,
the Python beside an ``nbgrader`` on PATH, or python3/python on PATH, in this order. The script
re-runs itself with that Python and puts its scripts directory on PATH (nbgrader creates a new
gradebook with the ``alembic`` command).
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import os
import shutil
import stat
import subprocess
import sys
import sysconfig
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parents[1]
ASSIGNMENT_GLOB = "[0-9][0-9]-*"
ROSTER_COLUMNS = ("id", "first_name", "last_name", "email", "lms_user_id")
REEXEC_MARK = "CONVBOOK_SETUP_REEXEC"
# The permissions nbgrader's own exchange gives these directories (nbgrader/exchange/default):
# everybody may create course folders in the root; students read outbound, drop submissions into
# inbound without seeing each other's (set-group-id, write and search only), and find their own
# feedback by its secret name.
EXCHANGE_MODES = {
    ".": 0o777,
    "{course}": 0o755,
    "{course}/outbound": 0o755,
    "{course}/inbound": 0o2733,
    "{course}/feedback": 0o711,
}


def has_course_tools(python: str) -> bool:
    """Can ``python`` import nbgrader and convbook (the course's nbgrader_config.py needs both)?"""
    check = "import importlib.util as u, sys; sys.exit(not (u.find_spec('nbgrader') and u.find_spec('convbook')))"
    try:
        return subprocess.run([python, "-c", check], capture_output=True, timeout=60).returncode == 0
    except OSError:
        return False


def find_python() -> str | None:
    """The first Python environment that has nbgrader and convbook (see the module docstring)."""
    if importlib.util.find_spec("nbgrader") and importlib.util.find_spec("convbook"):
        explicit = os.environ.get("NBGRADER_PYTHON")
        if not explicit or Path(explicit).absolute() == Path(sys.executable).absolute():
            return sys.executable
    candidates = [os.environ.get("NBGRADER_PYTHON"), str(REPOSITORY / ".venv" / "bin" / "python")]
    on_path = shutil.which("nbgrader")
    if on_path:
        candidates += [str(Path(on_path).parent / "python3"), str(Path(on_path).parent / "python")]
    candidates += [shutil.which("python3"), shutil.which("python")]
    for python in candidates:
        if python and Path(python).exists() and has_course_tools(python):
            return python
    return None


def use_course_python() -> None:
    """Re-run this script with the Python that has nbgrader and convbook, unless this is it."""
    python = find_python()
    if python is None:
        sys.exit(
            "setup_course: no Python environment here has both nbgrader and convbook. Run `make setup` "
            "(creates .venv), or activate an environment with them, or set NBGRADER_PYTHON."
        )
    if Path(python).absolute() != Path(sys.executable).absolute():
        if os.environ.get(REEXEC_MARK):
            sys.exit(f"setup_course: {python} was expected to have nbgrader and convbook, but it does not")
        os.environ[REEXEC_MARK] = "1"
        os.execv(python, [python, str(Path(__file__).resolve()), *sys.argv[1:]])
    # nbgrader runs `alembic` (from PATH) to create a gradebook; the scripts of this environment go first.
    scripts = [str(Path(sys.executable).parent), sysconfig.get_path("scripts")]
    os.environ["PATH"] = os.pathsep.join([*dict.fromkeys(scripts), os.environ.get("PATH", "")])


def nbgrader_version() -> str:
    from nbgrader import __version__

    return __version__


def load_config(course: Path):  # noqa: ANN201 - a traitlets Config; traitlets is imported after the re-exec
    """The course's nbgrader configuration, loaded the way nbgrader loads it; an error in it is fatal.

    (nbgrader itself only logs such an error and goes on with its defaults: other folders, other
    gradebook, and none of the course's grading settings.)
    """
    from nbgrader.apps.baseapp import NbGrader

    if not (course / "nbgrader_config.py").exists():
        sys.exit(f"setup_course: {course} has no nbgrader_config.py (not a course root)")
    os.chdir(course)
    app = NbGrader()
    app.raise_config_file_errors = True
    try:
        app.load_config_file()
    except Exception as error:  # noqa: BLE001 - any error in the config file stops the set-up
        sys.exit(f"setup_course: {course / 'nbgrader_config.py'} does not load: {type(error).__name__}: {error}")
    return app.config


def assignment_ids(course: Path, requested: list[str]) -> list[str]:
    source = course / "solutions"
    found = sorted(p.name for p in source.glob(ASSIGNMENT_GLOB) if (p / f"{p.name}.ipynb").exists())
    if not requested:
        if not found:
            sys.exit(f"setup_course: no assignment in {source} (folders NN-slug/NN-slug.ipynb)")
        return found
    unknown = [a for a in requested if a not in found]
    if unknown:
        sys.exit(f"setup_course: no such assignment in {source}: {', '.join(unknown)} (there are: {', '.join(found)})")
    return requested


def generate(config, course: Path, ids: list[str]) -> None:  # noqa: ANN001 - traitlets Config
    """nbgrader's generate_assignment for each id (what the formgrader's Generate button runs)."""
    from nbgrader.api import Gradebook
    from nbgrader.apps import NbGraderAPI

    api = NbGraderAPI(config=config)
    for assignment in ids:
        result = api.generate_assignment(assignment, force=True, create=True)
        release = course / api.coursedir.release_directory / assignment / f"{assignment}.ipynb"
        if not result["success"] or not release.exists():
            sys.exit(
                f"setup_course: generate_assignment {assignment} failed:\n{result.get('log', '')}"
                f"{result.get('error', '')}"
            )
        print(f"generated  {release.relative_to(course)}")
    with Gradebook(api.coursedir.db_url, api.coursedir.course_id) as gradebook:
        registered = {a.name for a in gradebook.assignments}
    missing = sorted(set(ids) - registered)
    if missing:
        sys.exit(f"setup_course: not in the gradebook after generation: {', '.join(missing)}")
    print(f"gradebook  {api.coursedir.db_url}: {len(registered)} assignments registered")


def read_roster(path: Path) -> list[dict[str, str]]:
    """The roster's rows, checked: an id per row (unique, usable as a folder name), known columns."""
    with path.open(newline="", encoding="utf-8-sig") as handle:
        reader = csv.DictReader(handle)
        columns = [c.strip() for c in reader.fieldnames or []]
        if "id" not in columns:
            sys.exit(f"setup_course: {path} needs a header row with an 'id' column ({', '.join(ROSTER_COLUMNS)})")
        unknown = [c for c in columns if c not in ROSTER_COLUMNS]
        if unknown:
            sys.exit(f"setup_course: {path}: unknown columns {', '.join(unknown)} (known: {', '.join(ROSTER_COLUMNS)})")
        reader.fieldnames = columns
        rows, seen = [], set()
        for number, row in enumerate(reader, start=2):
            row = {key: (value or "").strip() for key, value in row.items() if key is not None}
            student = row.get("id", "")
            if not student or any(ch in student for ch in "+*/\\ ") or student in (".", ".."):
                sys.exit(
                    f"setup_course: {path} line {number}: bad student id {student!r} "
                    "(needed: a non-empty login name without spaces, '+', '*' or slashes)"
                )
            if student in seen:
                sys.exit(f"setup_course: {path} line {number}: student id {student!r} appears twice")
            seen.add(student)
            rows.append(row)
    return rows


def import_students(config, roster: Path | None) -> None:  # noqa: ANN001 - traitlets Config
    """Create or update the roster's students; give nameless students (not on a roster) their id as name."""
    from nbgrader.api import Gradebook
    from nbgrader.coursedir import CourseDirectory

    coursedir = CourseDirectory(config=config)
    rows = read_roster(roster) if roster else []
    with Gradebook(coursedir.db_url, coursedir.course_id) as gradebook:
        for row in rows:
            first, last = row.get("first_name", ""), row.get("last_name", "")
            if not first and not last:
                print(f"note       {row['id']} has no name in {roster}: listed under the id")
                last = row["id"]
            gradebook.update_or_create_student(
                row["id"],
                first_name=first,
                last_name=last,
                email=row.get("email") or None,
                lms_user_id=row.get("lms_user_id") or None,
            )
        unnamed = [s for s in gradebook.students if s.first_name is None or s.last_name is None]
        for student in unnamed:
            first, last = student.first_name or "", student.last_name or ""
            if not first and not last:
                last = student.id
            gradebook.update_or_create_student(student.id, first_name=first, last_name=last)
        count = len(gradebook.students)
    if roster:
        print(f"students   {len(rows)} from {roster}; {count} in the gradebook")
    if unnamed:
        print(
            f"students   {len(unnamed)} without a full name (not on a roster), listed under what they have: "
            + ", ".join(s.id for s in unnamed)
        )


def reachable_by_others(path: Path) -> list[Path]:
    """The folders above ``path`` that other accounts cannot enter (no search permission for others)."""
    return [p for p in path.parents if p.exists() and not p.stat().st_mode & stat.S_IXOTH]


def make_exchange(config) -> Path | None:  # noqa: ANN001 - traitlets Config
    """The exchange folders with nbgrader's permissions (its release would fix the root's mode too)."""
    from nbgrader.coursedir import CourseDirectory
    from nbgrader.exchange import ExchangeFactory
    from nbgrader.exchange.default.exchange import Exchange

    factory = ExchangeFactory(config=config)
    if not issubclass(factory.exchange, Exchange):
        print(f"exchange   {factory.exchange.__name__} is configured: no exchange folder to create here")
        return None
    root = Path(factory.exchange(config=config).root).absolute()
    course_id = CourseDirectory(config=config).course_id
    if not course_id:
        sys.exit("setup_course: nbgrader_config.py sets no CourseDirectory.course_id (the exchange needs one)")
    for relative, mode in EXCHANGE_MODES.items():
        folder = root / relative.format(course=course_id)
        folder.mkdir(parents=True, exist_ok=True)
        if folder.stat().st_uid == os.getuid() and stat.S_IMODE(folder.stat().st_mode) != mode:
            folder.chmod(mode)
        elif stat.S_IMODE(folder.stat().st_mode) != mode:
            print(
                f"warning    {folder} has mode {oct(stat.S_IMODE(folder.stat().st_mode))}, nbgrader wants "
                f"{oct(mode)} (owned by another account: ask them to change it)"
            )
    print(f"exchange   {root} (course '{course_id}')")
    closed = reachable_by_others(root)
    if closed:
        print(
            f"note       other accounts cannot enter {closed[0]}: fine if students work in this account; "
            "for students with their own accounts set CONVBOOK_EXCHANGE to a shared folder "
            "(e.g. /srv/nbgrader/exchange) and rerun"
        )
    return root


def main(argv: list[str] | None = None) -> None:
    """Parse the command line and set up the course (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("assignments", nargs="*", help="assignment ids (default: every solutions/NN-slug)")
    parser.add_argument(
        "--students",
        type=Path,
        metavar="CSV",
        help="roster: CSV with columns id,first_name,last_name[,email,lms_user_id]",
    )
    parser.add_argument(
        "--course",
        type=Path,
        default=REPOSITORY,
        help="course root (default: this repository, where nbgrader_config.py is)",
    )
    parser.add_argument(
        "--generate-only",
        action="store_true",
        help="only (re)generate exercises/ and register the assignments (tools/make_assignments.sh)",
    )
    parser.add_argument(
        "--students-only",
        action="store_true",
        help="only import the roster and name nameless students (no generation, no exchange)",
    )
    args = parser.parse_args(argv)
    if args.generate_only and args.students_only:
        parser.error("--generate-only and --students-only exclude each other")
    course = args.course.resolve()
    if args.students is not None:
        args.students = args.students.resolve()
        if not args.students.is_file():
            sys.exit(f"setup_course: no such roster file: {args.students}")
    use_course_python()
    config = load_config(course)
    print(f"nbgrader   {nbgrader_version()} in {sys.executable}, course root {course}")
    if args.students_only:
        import_students(config, args.students)
        return
    generate(config, course, assignment_ids(course, args.assignments))
    if args.generate_only:
        return
    import_students(config, args.students)
    exchange = make_exchange(config)
    print(
        f"\nNext, in {course} with {Path(sys.executable).parent} first on PATH:\n"
        "  nbgrader release_assignment 01-conv1d   # students fetch it in JupyterLab's Assignment List\n"
        "  jupyter lab                             # menu Nbgrader: Formgrader, Assignment List"
    )
    if exchange is not None:
        print(
            "Students working in their own accounts on this machine need, in ~/.jupyter/nbgrader_config.py:\n"
            "  c = get_config()\n"
            f"  c.Exchange.root = {str(exchange)!r}\n"
            f"  c.CourseDirectory.course_id = {config.CourseDirectory.course_id!r}"
        )


if __name__ == "__main__":
    main()
