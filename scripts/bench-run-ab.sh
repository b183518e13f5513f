#!/usr/bin/env bash
# Two builds of `dla run` side by side: alternating rounds over the same photographs with the tiny golden model at 32×32
# (as scripts/bench-decode-scaling.sh), printing per round each side's job rate (start to end) and worker batch rate
# (the batches stored after the second, from the worker's timestamped log), CPU milliseconds per image (the
# whole command) and how much of the machine's CPU time was idle while the worker ran. For a change's before and after:
#
#   git worktree add /tmp/before <commit>; scripts/bench-run-ab.sh /tmp/before . [rounds = 4]
#
# Run scripts/bench-decode-scaling.sh once first: it makes the photographs and the patched model reused here.
set -euo pipefail
source "$(dirname "$0")/lib/run-rates.sh"
a=$(cd "$1" && pwd) b=$(cd "$2" && pwd) rounds=${3:-4}
ab_inputs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
rates() {
  rm -rf "$work/data"
  (cd "$1" && timed_run "$work/run.log" "$folder" --model "$model" --batch-size 64 --data-dir "$work/data")
  echo "job $(job_rate "$work/run.log")/s, batches $(batch_rate "$work/run.log" 64)/s, CPU $(cpu_per_image "$work/run.log" "$images") ms/image, idle $(steady_idle "$work/run.log") %"
}
for ((r = 1; r <= rounds; r++)); do
  echo "round $r: A ($1) $(rates "$a") | B ($2) $(rates "$b")"
done
