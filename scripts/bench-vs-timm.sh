#!/usr/bin/env bash
# CPU throughput of the graph built here against timm's own torch.onnx.export of the same dla46_c weights
# (../shared/golden/models/dla46_c/timm-export.onnx; timm's export exists for that case only, PyTorch cannot run
# here), same ONNX Runtime settings. Each round is one `dla bench model --against` process: both sessions open,
# inference calls alternating, so drift on a shared machine hits both; the round's ratio is the median of its
# pairs' ratios, and the median of the rounds' ratios is printed last (> 1: the graph built here is faster).
# Usage: scripts/bench-vs-timm.sh [rounds = 5] [seconds = 10] [batch = 16] [extra `dla bench model` options]
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}" seconds="${2:-10}" batch="${3:-16}"
shift $(($# < 3 ? $# : 3))
golden=../shared/golden/models/dla46_c
[[ -f $golden/timm-export.onnx ]] || { echo "error: $golden/timm-export.onnx not found: ../shared/golden is needed" >&2; exit 2; }
ours=$(mktemp --suffix=.onnx)
trap 'rm -f "$ours"' EXIT
./dla model export "$golden/case.json" --weights "$golden/weights.safetensors" -o "$ours" >/dev/null
declare -a ratios
for round in $(seq 1 "$rounds"); do
  out=$(./dla bench model -m "$ours" --against "$golden/timm-export.onnx" --batch "$batch" --seconds "$seconds" "$@")
  ratios+=("$(awk '/^ratio/ {print $2}' <<<"$out")")
  echo "round $round: $(grep -v '^provider' <<<"$out" | sed 's/ (.*weights.safetensors)//; s/(median of [^)]*)//' | paste -sd ' ')"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "dla46_c, batch $batch, $rounds rounds of $seconds s: dla graph ÷ timm export = $(median "${ratios[@]}") (median of the rounds)"
