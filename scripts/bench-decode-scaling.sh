#!/usr/bin/env bash
# Does decoding scale with the cores while a model runs beside it? (issue: decode faster than Pillow, item 4.)
# The tiny golden model (tiny_basic, ~1 M parameters) keeps inference small, so decode dominates; each round
# measures, back to back:
#   single  `dla bench decode --threads 1` pinned to one core: the decode rate of one core, no model;
#   predict `dla predict` over the folder on every core (decode pipeline + model + writing JSON lines);
#   run     `dla run` over the folder on every core (the worker's batch path: scheduler, bus, SQLite writes).
# and prints predict ÷ single and run ÷ single: with N cores the target is ≥ 0.9·N (≥ 1.8 on 2 cores).
#
#   scripts/bench-decode-scaling.sh [exact|fast = exact] [rounds = 3] [images = 1000]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-exact} rounds=${2:-3} count=${3:-1000}
cd "$repo"
golden=$repo/../shared/golden
[[ -d $golden/models/tiny_basic ]] || { echo "error: $golden/models/tiny_basic not found: ../shared/golden is needed" >&2; exit 2; }
folder=/tmp/dla-bench-decode/photos-1000x750-$count
[[ -d $folder ]] || ./dla dataset sample "$folder" --count "$count" --size 1000x750 --sources "$golden/images/files" >/dev/null
model=(--model "$golden/models/tiny_basic/case.json" --weights "$golden/models/tiny_basic/weights.safetensors")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
elapsed_rate() { local start=$1; awk -v n="$count" -v s="$start" -v e="$(date +%s.%N)" 'BEGIN {printf "%.1f", n / (e - s)}'; }
./dla bench decode "$folder" --seconds 0.1 >/dev/null  # builds once
declare -a rp rr
for ((r = 1; r <= rounds; r++)); do
  single=$(taskset -c 0 ./dla bench decode "$folder" --threads 1 --decode "$mode" --seconds 10 | tail -1 | awk '{print $1}')
  predict=$(./dla predict "$folder" "${model[@]}" --decode "$mode" --batch-size 16 -o "$work/p.jsonl" 2>&1 | awk '/images\/s/ {print $(NF-3)}')
  rm -rf "$work/data"
  start=$(date +%s.%N)
  ./dla run "$folder" "${model[@]}" --decode "$mode" --batch-size 64 --data-dir "$work/data" >/dev/null 2>&1
  run=$(elapsed_rate "$start")
  rp+=("$(ratio "$predict" "$single")") rr+=("$(ratio "$run" "$single")")
  echo "round $r: decode on one core $single/s; dla predict $predict/s (${rp[-1]}×); dla run $run/s (${rr[-1]}×) on $(nproc) cores"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "decode $mode, $count photographs of 1000×750, tiny_basic, $(nproc) cores: dla predict $(median "${rp[@]}")×, dla run $(median "${rr[@]}")× the one-core decode rate (medians of $rounds rounds)"
