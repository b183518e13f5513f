#!/usr/bin/env bash
# Flakiness guard: runs CI (.ci/run) N times, each time from a fresh clone of this repository's HEAD
# with ../shared beside it (a link to this checkout's), and counts failures per test across the runs.
#
#   scripts/ci-repeat.sh [N=3] [--keep]
#
# Each run's output goes to $DLA_CI_REPEAT_DIR (default /tmp/dla-ci-repeat)/run-K.log. Exit 0 only when
# every run passed. Commit first: uncommitted changes are not in the clones.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
keep=${2:-}
[[ $runs =~ ^[1-9][0-9]*$ ]] || { echo "usage: $0 [N] [--keep]" >&2; exit 2; }
work=${DLA_CI_REPEAT_DIR:-/tmp/dla-ci-repeat}
rm -rf "$work"
mkdir -p "$work"
[[ -n $(git -C "$repo" status --porcelain) ]] && echo "note: uncommitted changes are not part of the runs" >&2
# Every run tests the same commit, even if HEAD moves while they run.
commit=$(git -C "$repo" rev-parse HEAD)
echo "testing $commit"

declare -A failures=()
passed=0
for ((k = 1; k <= runs; k++)); do
  clone=$work/run-$k/main
  log=$work/run-$k.log
  git clone -q "$repo" "$clone"
  git -C "$clone" checkout -q --detach "$commit"
  [[ -d $repo/../shared ]] && ln -s "$(cd "$repo/../shared" && pwd)" "$work/run-$k/shared"
  start=$SECONDS
  if (cd "$clone" && CI=true bash .ci/run) >"$log" 2>&1; then
    result=passed
    passed=$((passed + 1))
  else
    result="FAILED (exit $?)"
  fi
  # dotnet test's console logger prints "  Failed Full.Test.Name(args) [time]" per failed test.
  while IFS= read -r name; do
    failures[$name]=$((${failures[$name]:-0} + 1))
  done < <(sed -nE 's/^[[:space:]]+Failed ([^ ]+.*) \[[^]]*\]$/\1/p' "$log" | sort -u)
  echo "run $k/$runs: $result in $((SECONDS - start)) s ($log)"
  [[ $keep == --keep ]] || rm -rf "$work/run-$k"
done

echo "passed $passed of $runs runs"
if ((${#failures[@]})); then
  echo "failures per test:"
  for name in "${!failures[@]}"; do printf '%4d  %s\n' "${failures[$name]}" "$name"; done | sort -rn
fi
((passed == runs))
