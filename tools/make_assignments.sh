#!/bin/sh
# Regenerate every student notebook in exercises/ from solutions/ with nbgrader's own
# generate_assignment (solutions and hidden tests stripped, outputs cleared, the notebook
# metadata JupyterLab expects) and register each assignment in the gradebook (created if missing).
# Usage: tools/make_assignments.sh [assignment-id ...]   (default: all of solutions/NN-slug)
# Run from anywhere; it works in the repository root (the nbgrader course root).
#
# nbgrader is taken from the first Python environment that has nbgrader and convbook:
# $NBGRADER_PYTHON, the project's .venv, the Python beside an `nbgrader` on PATH, python3 or
# python on PATH (tools/setup_course.py --generate-only does the work and says which one it used).
set -eu
cd "$(dirname "$0")/.."
for python in "${NBGRADER_PYTHON:-}" .venv/bin/python python3 python; do
    if [ -n "$python" ] && command -v "$python" >/dev/null 2>&1; then
        exec "$python" tools/setup_course.py --generate-only "$@"
    fi
done
echo "make_assignments.sh: no Python found: run 'make setup' or put a Python with nbgrader on PATH" >&2
exit 1
