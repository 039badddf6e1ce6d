#!/bin/sh
# Regenerate every student notebook in exercises/ from solutions/ with nbgrader's own
# generate_assignment (solutions and hidden tests stripped, outputs cleared).
# Usage: tools/make_assignments.sh [assignment-id ...]   (default: all of solutions/*)
# Run from anywhere; it works in the repository root (the nbgrader course root).
set -eu
cd "$(dirname "$0")/.."
BIN="$(pwd)/.venv/bin"
export PATH="$BIN:$PATH"   # nbgrader runs `alembic` from PATH
if [ "$#" -eq 0 ]; then
    set -- $(cd solutions && ls -d [0-9][0-9]-*/ | tr -d /)
fi
for id in "$@"; do
    "$BIN/nbgrader" generate_assignment "$id" --force --log-level=WARN
done
