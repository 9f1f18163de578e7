#!/usr/bin/env bash
# clang-tidy over every translation unit, then clang-format in check mode.
# Usage: tools/lint.sh BUILD_DIR   (a configured build with compile_commands.json)
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build/default}
mapfile -t units < <(find chapters tests src bench -name '*.cpp' 2>/dev/null | sort)
mapfile -t sources < <(find chapters tests src bench \( -name '*.cpp' -o -name '*.hpp' \) 2>/dev/null | sort)
status=0
report=$(printf '%s\n' "${units[@]}" |
  xargs -P 2 -n 4 clang-tidy --quiet -p "$build_dir" --warnings-as-errors='*' \
    --extra-arg=-Wno-ignored-optimization-argument 2>&1) || status=1
grep -v -E '^[0-9]+ warnings? (and [0-9]+ errors? )?generated' <<<"$report" || true
clang-format --dry-run --Werror "${sources[@]}" || status=1
if [ "$status" -eq 0 ]; then
  echo "lint: ${#units[@]} files clean"
fi
exit "$status"
