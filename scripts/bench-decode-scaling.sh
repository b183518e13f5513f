#!/usr/bin/env bash
# Does decoding scale with the cores while a model runs beside it? (issue: decode faster than Pillow, item 4.)
# The tiny golden model (tiny_basic, ~1 M parameters) at its own 64×64 input (the ONNX file's timm metadata
# says 3,64,64, so decoding ends in a 64×64 tensor) keeps inference small, so decode dominates (at 224×224
# even the tiny model costs as much CPU as decoding); each round measures, back to back:
#   single  `dla bench decode --threads 1` pinned to one core: the decode rate of one core, no model;
#   predict `dla predict` over the folder on every core (decode pipeline + model + writing JSON lines);
#   run     `dla run` over the folder on every core (the worker's batch path: scheduler, bus, SQLite writes;
#           the job's own images/s, from its start to its end).
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
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3
$py -c 'import onnx' 2>/dev/null || apt-get install -y -q python3-onnx >/dev/null
./dla model export "$golden/models/tiny_basic/case.json" --weights "$golden/models/tiny_basic/weights.safetensors" -o "$work/tiny.onnx" >/dev/null
$py - "$work/tiny.onnx" <<'PY'
import sys, onnx
m = onnx.load(sys.argv[1])
for p in m.metadata_props:
    if p.key.endswith('input_size'):
        p.value = '3,64,64'
onnx.save(m, sys.argv[1])
PY
model=(--model "$work/tiny.onnx")
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }
./dla bench decode "$folder" --seconds 0.1 >/dev/null  # builds once
declare -a rp rr
for ((r = 1; r <= rounds; r++)); do
  single=$(taskset -c 0 ./dla bench decode "$folder" --threads 1 --decode "$mode" --size 64 --seconds 10 | tail -1 | awk '{print $1}')
  both=$(./dla bench decode "$folder" --threads "$(nproc)" --decode "$mode" --size 64 --seconds 10 | tail -1 | awk '{print $1}')
  predict=$(./dla predict "$folder" "${model[@]}" --decode "$mode" --batch-size 16 -o "$work/p.jsonl" 2>&1 | awk '/images\/s/ {print $(NF-3)}')
  rm -rf "$work/data"
  # The job's own rate (the last line on standard error): from the job's start to its end, without process start-up and migrations.
  run=$(./dla run "$folder" "${model[@]}" --decode "$mode" --batch-size 64 --data-dir "$work/data" 2>&1 >/dev/null | tail -1 | sed -n 's/.*(\([0-9.]*\) images\/s).*/\1/p')
  rp+=("$(ratio "$predict" "$single")") rr+=("$(ratio "$run" "$single")")
  echo "round $r: decode on one core $single/s, on all cores $both/s ($(ratio "$both" "$single")×); dla predict $predict/s (${rp[-1]}×); dla run $run/s (${rr[-1]}×) on $(nproc) cores"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "decode $mode, $count photographs of 1000×750, tiny_basic at 64×64, $(nproc) cores: dla predict $(median "${rp[@]}")×, dla run $(median "${rr[@]}")× the one-core decode rate (medians of $rounds rounds)"
