#!/usr/bin/env bash
# Side-by-side CPU throughput of the graph built here and timm's own torch.onnx.export of the same
# dla46_c model (../shared/golden/models/dla46_c), same ONNX Runtime settings, alternating rounds.
# Usage: scripts/bench-vs-timm.sh [rounds] [seconds] [batch]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}" seconds="${2:-5}" batch="${3:-8}"
golden=../shared/golden/models/dla46_c
ours=$(mktemp --suffix=.onnx)
trap 'rm -f "$ours"' EXIT
./dla model export "$golden/case.json" --weights "$golden/weights.safetensors" -o "$ours" >/dev/null
for round in $(seq 1 "$rounds"); do
  a=$(./dla bench model -m "$ours" --batch "$batch" --seconds "$seconds" | awk '/images\/s/ {print $1}')
  b=$(./dla bench model -m "$golden/timm-export.onnx" --batch "$batch" --seconds "$seconds" | awk '/images\/s/ {print $1}')
  echo "round $round: dla graph $a images/s, timm export $b images/s, ratio $(awk -v a="$a" -v b="$b" 'BEGIN {printf "%.3f", a / b}')"
done
