#!/usr/bin/env bash
# Prints what chapter NN adds to the chapter before it: `make diff CH=09`.
set -euo pipefail
cd "$(dirname "$0")/.."
number=${1:-}
if [ -z "$number" ]; then
  echo "usage: make diff CH=NN" >&2
  exit 2
fi
number=$(printf '%02d' "$((10#$number))")
mapfile -t chapters < <(find chapters -mindepth 1 -maxdepth 1 -type d -name '[0-9][0-9]-*' | sort)
for i in "${!chapters[@]}"; do
  if [[ "$(basename "${chapters[$i]}")" == "$number"-* ]]; then
    if [ "$i" -eq 0 ]; then
      echo "${chapters[$i]} is the first chapter; there is nothing before it to compare with." >&2
      exit 0
    fi
    # diff exits 1 when the trees differ, which is the point here.
    diff -ruN "${chapters[$((i - 1))]}" "${chapters[$i]}" || [ $? -eq 1 ]
    exit 0
  fi
done
echo "there is no chapter $number" >&2
exit 2
