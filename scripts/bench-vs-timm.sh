#!/usr/bin/env bash
# CPU throughput of the graph built here against timm's own torch.onnx.export of the same weights, same ONNX Runtime
# settings. `dla bench model -m A --against B` runs both sessions in one process, inference calls alternating, so drift
# on a shared machine hits both; but the session given as -m measures ~3 % slower than the same file given as --against
# (a file against a copy of itself: 0.967 and 0.975 for dla102). So each round runs two such processes, ours as -m and
# then timm's as -m, and takes the geometric mean of the two ratios, ours ÷ timm: the position cancels. Each variant's
# median of the rounds is printed (> 1: the graph built here is faster).
#
#   scripts/bench-vs-timm.sh [rounds = 5] [seconds = 10] [batch = 16] [extra `dla bench model` options]
#
# Variants: dla46_c from ../shared/golden (timm-export.onnx and its weights) by default. TIMM_VARIANTS="dla34 dla60 ..."
# takes each VARIANT.onnx + VARIANT.safetensors from TIMM_EXPORTS (default /tmp/dla-timm-exports), writing any that are
# missing with scripts/timm-export.py, which needs PyTorch and timm importable by python3 (e.g. Debian's python3-torch
# and python3-torchvision with a timm source tree on PYTHONPATH).
set -euo pipefail
cd "$(dirname "$0")/.."
rounds="${1:-5}" seconds="${2:-10}" batch="${3:-16}"
shift $(($# < 3 ? $# : 3))
exports=${TIMM_EXPORTS:-/tmp/dla-timm-exports}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }

# Sets timm_onnx and weights for variant $1.
sources() {
  if [[ $1 == dla46_c && -z ${TIMM_VARIANTS:-} ]]; then
    local golden=../shared/golden/models/dla46_c
    [[ -f $golden/timm-export.onnx ]] || { echo "error: $golden/timm-export.onnx not found: ../shared/golden is needed" >&2; exit 2; }
    timm_onnx=$golden/timm-export.onnx weights=$golden/weights.safetensors
    return
  fi
  timm_onnx=$exports/$1.onnx weights=$exports/$1.safetensors
  if [[ ! -f $timm_onnx || ! -f $weights ]]; then
    python3 scripts/timm-export.py "$1" "$exports" >&2 \
      || { echo "error: no timm export of $1 in $exports, and scripts/timm-export.py could not make one (PyTorch and timm needed)" >&2; exit 2; }
  fi
}

declare -a summary
for variant in ${TIMM_VARIANTS:-dla46_c}; do
  sources "$variant"
  ours=$work/$variant.onnx
  ./dla model export "$variant" --weights "$weights" -o "$ours" >/dev/null
  declare -a ratios=()
  for round in $(seq 1 "$rounds"); do
    first=$(./dla bench model -m "$ours" --against "$timm_onnx" --batch "$batch" --seconds "$seconds" "$@" | awk '/^ratio/ {print $2}')
    second=$(./dla bench model -m "$timm_onnx" --against "$ours" --batch "$batch" --seconds "$seconds" "$@" | awk '/^ratio/ {print $2}')
    ratios+=("$(awk -v a="$first" -v b="$second" 'BEGIN {printf "%.3f", sqrt(a / b)}')")
    echo "$variant round $round: ours as -m $first, timm's as -m $second (timm ÷ ours): ours ÷ timm ${ratios[-1]}"
  done
  summary+=("$variant $(median "${ratios[@]}") (rounds: ${ratios[*]})")
  echo "$variant, batch $batch, $rounds rounds of $seconds s: dla graph ÷ timm export = $(median "${ratios[@]}") (median of the rounds)"
done
echo "dla graph ÷ timm export, batch $batch, medians of $rounds rounds of $seconds s:"
printf '  %s\n' "${summary[@]}"
