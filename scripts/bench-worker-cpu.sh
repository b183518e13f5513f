#!/usr/bin/env bash
# Where a `dla run` spends its CPU per image, by thread group, in its steady state: the decode threads against the thread
# pool (the model, reads, the bus, the database) and everything else. Unlike a rate, the ratio pool ÷ decode hardly
# moves with the shared VMs' minute-to-minute speed, so it compares builds in a few runs (docs/benchmarks.md, "Worker
# overhead, by thread"). Each run samples the CPU time of every thread once a second and takes the difference between
# the second stored full batch and the last (scripts/lib/thread_cpu.py). Over the photographs and patched tiny model of
# scripts/bench-decode-scaling.sh (run that once first); alternating runs of each checkout given:
#
#   scripts/bench-worker-cpu.sh [rounds = 3] CHECKOUT...      e.g. scripts/bench-worker-cpu.sh 3 /tmp/before .
set -euo pipefail
lib=$(cd "$(dirname "$0")/lib" && pwd)
source "$lib/run-rates.sh"
rounds=${1:-3}
shift
(($# > 0)) || set -- .
ab_inputs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# steady CHECKOUT: one run; prints its batch rate and CPU milliseconds per image by thread group.
steady() {
  rm -rf "$work/data"
  (cd "$1" && ./dla --help >/dev/null && Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff " \
    ./dla run "$folder" --model "$model" --batch-size 64 --data-dir "$work/data" --verbose 2>"$work/run.log" >/dev/null) &
  local runner=$! pid=
  # ./dla execs dotnet: wait for the process whose command line runs dla.dll.
  until pid=$(pgrep -f "$(cd "$1" && pwd)/.dla/bin-cpu/dla.dll run" | head -1) && [[ -n $pid ]]; do
    kill -0 $runner 2>/dev/null || { echo "error: dla run ended early: $(tail -3 "$work/run.log")" >&2; return 1; }
    sleep 0.1
  done
  python3 "$lib/thread_cpu.py" sample "$pid" "$work/threads"
  wait $runner
  python3 "$lib/thread_cpu.py" summarize "$work/run.log" "$work/threads" 64
}

for ((r = 1; r <= rounds; r++)); do
  for checkout in "$@"; do
    echo "round $r, $checkout: $(steady "$checkout")"
  done
done
