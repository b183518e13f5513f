#!/usr/bin/env bash
# Two builds of `dla run` side by side: alternating rounds over the same photographs with the tiny golden model at 32×32
# (as scripts/bench-decode-scaling.sh), printing per round each side's job rate (start to end) and worker batch rate
# (the batches stored after the second, from the worker's timestamped log). For a change's before and after:
#
#   git worktree add /tmp/before <commit>; scripts/bench-run-ab.sh /tmp/before . [rounds = 4]
#
# Run scripts/bench-decode-scaling.sh once first: it makes the photographs and the patched model reused here.
set -euo pipefail
a=$(cd "$1" && pwd) b=$(cd "$2" && pwd) rounds=${3:-4}
folder=${DLA_BENCH_FOLDER:-/tmp/dla-bench-decode/photos-1000x750-2000}
model=${DLA_BENCH_MODEL:-/tmp/dla-bench-decode/tiny-32.onnx}
[[ -d $folder && -f $model ]] || { echo "error: $folder or $model missing: run scripts/bench-decode-scaling.sh first" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rates() {
  rm -rf "$work/data"
  (cd "$1" && Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff " ./dla run "$folder" --model "$model" \
    --batch-size 64 --data-dir "$work/data" --verbose 2>"$work/run.log" >/dev/null)
  local job batches
  job=$(grep 'processed now' "$work/run.log" | tail -1 | sed -n 's/.*(\([0-9.]*\) images\/s).*/\1/p')
  batches=$(awk '/Stored batch .*: 64 results/ {split($1, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]; n++; if (n == 2) first = s; last = s}
    END {if (n > 2) printf "%.1f", (n - 2) * 64 / (last - first)}' "$work/run.log")
  echo "job $job/s, batches $batches/s"
}
for ((r = 1; r <= rounds; r++)); do
  echo "round $r: A ($1) $(rates "$a") | B ($2) $(rates "$b")"
done
