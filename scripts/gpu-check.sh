#!/usr/bin/env bash
# A short, prepared check of the CUDA path, for a machine with an NVIDIA GPU and CUDA 13 runtime
# libraries. Builds the GPU flavour of the CLI, proves the golden cases on CUDA (fp32 at timm's
# tolerance, fp16 at a half-precision tolerance), and benchmarks dla34 fp32/fp16 on CUDA against
# the CPU. Fails if ONNX Runtime silently fell back to the CPU.
# Usage: scripts/gpu-check.sh [seconds per benchmark]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-8}"
golden=../shared/golden/models
export DLA_ORT_FLAVOR=Gpu
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || echo "nvidia-smi not available"

fail=0
for case in tiny_basic tiny_bottleneck tiny_bottleneck_x_root tiny_res2net tiny_res2next dla46_c dla60x_c; do
  for precision in fp32 fp16; do
    tolerance=1e-4; [[ $precision == fp16 ]] && tolerance=5e-2
    out=$(./dla model check "$golden/$case/case.json" --weights "$golden/$case/weights.safetensors" \
      --against "$golden/$case/io.safetensors" --provider cuda --precision "$precision" --tolerance "$tolerance" 2>&1) || true
    echo "== $case $precision"; echo "$out"
    grep -q " on Cuda," <<<"$out" || { echo "!! $case $precision did not run on CUDA"; fail=1; }
  done
done
out=$(./dla model check "$golden/dla46_c/timm-export.onnx" --against "$golden/dla46_c/io.safetensors" --provider cuda 2>&1) || true
echo "== timm-export.onnx fp32"; echo "$out"

echo "== dla34 throughput (random weights, batch 32, ${seconds}s each)"
for spec in "cpu fp32" "cuda fp32" "cuda fp16"; do
  read -r provider precision <<<"$spec"
  ./dla bench model -m dla34 --weights random --batch 32 --seconds "$seconds" --provider "$provider" --precision "$precision" 2>&1 | sed "s/^/[$provider $precision] /"
done
exit $fail
