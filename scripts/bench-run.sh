#!/usr/bin/env bash
# Benchmark 1 of the jobs issue: the embedded `dla run` of dla34 on the CPU over 200 photographs of
# 1000×750 against `dla bench model` (the model alone) in the same session, alternating rounds.
# Usage: scripts/bench-run.sh [rounds] [count]
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/run-rates.sh
rounds="${1:-2}" count="${2:-200}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
photos=$(scripts/sample-photos.sh)
./dla dataset sample "$work/photos" --count "$count" --size 1000x750 --sources "$photos" ../shared/golden/images/files >/dev/null
./dla model export dla34 --weights random -o "$work/warm.onnx" >/dev/null   # builds and caches nothing twice below
for round in $(seq 1 "$rounds"); do
  model=$(./dla bench model -m dla34 --weights random --batch 32 --seconds 20 | awk '/images\/s/ {print $1}')
  ./dla run "$work/photos" --model dla34 --weights random --batch-size 32 --data-dir "$work/data-$round" 2>"$work/run.log" >/dev/null
  run=$(job_rate "$work/run.log")
  echo "round $round: bench model $model images/s, dla run $run images/s, ratio $(awk -v a="$run" -v b="$model" 'BEGIN {printf "%.3f", a / b}')"
done
