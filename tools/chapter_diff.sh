#!/usr/bin/env bash
# Prints what chapter NN adds to the chapter before it: `make diff CH=04`.
# Its exercise regions are shown as the students' stubs, so the diff does not
# solve them; SOLUTIONS=1 (`make diff CH=04 SOLUTIONS=1`) shows them solved.
set -euo pipefail
cd "$(dirname "$0")/.."
number=${1:-}
if [ -z "$number" ]; then
  echo "usage: make diff CH=NN [SOLUTIONS=1]" >&2
  exit 2
fi
if [ -n "${SOLUTIONS:-}" ]; then
  exec python3 tools/exercises.py diff "$number" --solutions
fi
exec python3 tools/exercises.py diff "$number"
