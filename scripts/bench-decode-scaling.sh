#!/usr/bin/env bash
# Does decoding scale with the cores while a model runs beside it? (issue: decode faster than Pillow, item 4.)
# The tiny golden model (tiny_basic, ~1 M parameters) at a 32×32 input (the ONNX file's timm metadata is
# patched to 3,32,32, so decoding ends in a 32×32 tensor) keeps inference small, so decode dominates: the
# model alone then costs ~3 % of decoding's time per image (at 224×224 even the tiny model costs as much CPU
# as decoding). Each round measures, back to back:
#   single  `dla bench decode --threads 1` pinned to one core: the decode rate of one core, no model
#           (measured before and after the two below; their mean is the round's reference: the shared
#           machines' speed drifts by tens of percent between minutes);
#   all     `dla bench decode` on every core, no model, also before and after: what this machine's cores deliver
#           together. On these VMs it is 1.65-2.05× the one-core rate from minute to minute (two vCPUs are not
#           always two free cores), which bounds every pipeline below; pipeline ÷ all is the share of that the
#           pipeline keeps while the model, reads and writes run beside decoding;
#   predict `dla predict` over the folder on every core (decode pipeline + model + writing JSON lines);
#   run     `dla run` over the folder on every core (the worker's batch path: scheduler, bus, SQLite writes):
#           the job's own images/s, from its start to its end (so it includes planning, opening the model and the
#           first batches' warm-up), and the worker's batch rate once running (from the second batch stored to the last).
# and prints predict ÷ single, run ÷ single and batches ÷ single: with N cores the target is ≥ 0.9·N (≥ 1.8 on 2 cores);
# and predict ÷ all, batches ÷ all: the same target as a share of what decoding alone gets from these cores (≥ 0.9).
# The model's own one-core rate is printed too, to show what share of the cores inference takes.
#
#   scripts/bench-decode-scaling.sh [exact|fast = exact] [rounds = 3] [images = 10000]
#
# 10,000 photographs (generated once, ~10 minutes; ~1.5 GB in /tmp) give ~300 worker batches, so the batch rate is
# the steady state; with 2,000 (~30 batches) the process's start-up and the JIT's tier-up weigh in every rate.
#
# DLA_BENCH_THREADS=1 runs the model as one call at a time on one intra-op thread, as a CUDA session does (the GPU
# worker's CPU side, which this benchmark stands in for); the default (0) splits the cores into lanes of inference calls
# (InferenceThreading: one thread each on 2 cores, two calls at once).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
mode=${1:-exact} rounds=${2:-3} count=${3:-10000} size=32
cd "$repo"
source scripts/lib/run-rates.sh
golden=$repo/../shared/golden
[[ -d $golden/models/tiny_basic ]] || { echo "error: $golden/models/tiny_basic not found: ../shared/golden is needed" >&2; exit 2; }
folder=/tmp/dla-bench-decode/photos-1000x750-$count
[[ -d $folder ]] || ./dla dataset sample "$folder" --count "$count" --size 1000x750 --sources "$golden/images/files" >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
py=/usr/bin/python3
$py -c 'import onnx' 2>/dev/null || apt-get install -y -q python3-onnx >/dev/null
# Kept beside the photographs for scripts/bench-run-ab.sh.
tiny=$(dirname "$folder")/tiny-$size.onnx
./dla model export "$golden/models/tiny_basic/case.json" --weights "$golden/models/tiny_basic/weights.safetensors" -o "$tiny" >/dev/null
$py - "$tiny" "$size" <<'PY'
import sys, onnx
m = onnx.load(sys.argv[1])
for p in m.metadata_props:
    if p.key.endswith('input_size'):
        p.value = '3,%s,%s' % (sys.argv[2], sys.argv[2])
onnx.save(m, sys.argv[1])
PY
model=(--model "$tiny" --threads "${DLA_BENCH_THREADS:-0}")
./dla bench decode "$folder" --seconds 0.1 >/dev/null  # builds once
one_core() { taskset -c 0 ./dla bench decode "$folder" --threads 1 --decode "$mode" --size "$size" --seconds 8 | tail -1 | awk '{print $1}'; }
all_cores() { ./dla bench decode "$folder" --threads "$(nproc)" --decode "$mode" --size "$size" --seconds 8 | tail -1 | awk '{print $1}'; }
mean() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.1f", (a + b) / 2}'; }
model_rate=$(taskset -c 0 ./dla bench model --model "$tiny" --batch 16 --threads 1 --seconds 5 | tail -1 | awk '{print $1}')
declare -a rp rr rb ep eb
for ((r = 1; r <= rounds; r++)); do
  before=$(one_core) all_before=$(all_cores)
  predict=$(./dla predict "$folder" "${model[@]}" --decode "$mode" --batch-size 16 -o "$work/p.jsonl" 2>&1 | awk '/images\/s/ {print $(NF-3)}')
  rm -rf "$work/data"
  # The job's own rate, and the worker's batch rate once running (scripts/lib/run-rates.sh).
  timed_run "$work/run.log" "$folder" "${model[@]}" --decode "$mode" --batch-size 64 --data-dir "$work/data"
  run=$(job_rate "$work/run.log") batches=$(batch_rate "$work/run.log" 64)
  both=$(mean "$all_before" "$(all_cores)") single=$(mean "$before" "$(one_core)")
  rp+=("$(ratio "$predict" "$single")") rr+=("$(ratio "$run" "$single")") rb+=("$(ratio "$batches" "$single")")
  ep+=("$(ratio "$predict" "$both")") eb+=("$(ratio "$batches" "$both")")
  echo "round $r: decode on one core $single/s, on all cores $both/s ($(ratio "$both" "$single")×); dla predict $predict/s (${rp[-1]}×, ${ep[-1]} of all cores); dla run: the job $run/s (${rr[-1]}×), the worker's batches $batches/s (${rb[-1]}×, ${eb[-1]} of all cores) on $(nproc) cores"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "the model alone on one core: $model_rate images/s ($(awk -v m="$model_rate" -v d="$single" 'BEGIN {printf "%.1f", 100 * d / m}') % of decoding's time per image)"
echo "decode $mode, $count photographs of 1000×750, tiny_basic at ${size}×${size} (intra-op threads ${DLA_BENCH_THREADS:-0}), $(nproc) cores: dla predict $(median "${rp[@]}")×, dla run's job $(median "${rr[@]}")×, its worker batches $(median "${rb[@]}")× the one-core decode rate; dla predict $(median "${ep[@]}"), the worker batches $(median "${eb[@]}") of decoding alone on all cores (medians of $rounds rounds)"
