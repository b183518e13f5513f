#!/usr/bin/env bash
# How much of the CPU the decode threads get inside a pipeline, for comparing two builds on a noisy machine (issue:
# decode faster than Pillow, item 4). Rates of the same build move by ±15 % from minute to minute on the shared VMs;
# the share of a run's own CPU samples that its decode threads hold hardly does. Per round and build, it profiles
# `dla predict` and `dla run` over the same photographs with the tiny model at 32×32 (as scripts/bench-decode-scaling.sh;
# run that once first) under `perf record`, and prints, for the steady part of each run (PART, default 35%-90%):
#   decode  the decode threads' share of all samples (dla-decode-N), the rest split into the thread pool, the
#           background GC and everything else;
#   ms/img  decode-thread time per image (their samples ÷ frequency ÷ images), to compare with the same of decoding
#           alone on every core, measured at the start of each round (`dla bench decode --threads <cores>`): on these
#           VMs it moves with the minute, as the second vCPU is or is not a free core;
#   all     the CPU time of every thread per image, start-up included. A change that moves work from one thread to
#           another (e.g. reading files on the decode threads instead of the pool) raises the decode share without
#           saving anything: only a lower `all` is a saving.
# The ratio to the one-core decode rate that a pipeline can reach is about cores × share × (decode alone ÷ ms/img).
#
#   scripts/bench-decode-share.sh BEFORE AFTER [rounds = 3]     (two checkouts, e.g. a git worktree and .)
set -euo pipefail
source "$(dirname "$0")/lib/run-rates.sh"
a=$(cd "$1" && pwd) b=$(cd "$2" && pwd) rounds=${3:-3}
part=${PART:-35%-90%} hz=999
ab_inputs
command -v perf >/dev/null || apt-get install -y -q linux-perf >/dev/null
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# shares PERF_DATA: "decode D% pool P% gc G% other O%, decode M ms/img" over the steady part of the run.
shares() {
  local steady whole
  steady=$(perf report -i "$1" --sort comm --stdio --no-children -g none --time "$part" 2>/dev/null | grep '%' | grep -v '^#')
  whole=$(perf report -i "$1" --sort comm --stdio --no-children -g none -F sample,comm 2>/dev/null | grep -v '^#' | grep .)
  decoding=$(grep 'dla-decode' <<<"$whole" | awk '{n += $1} END {print n}')
  all=$(awk '{n += $1} END {print n}' <<<"$whole")
  awk -v hz="$hz" -v n="$images" -v samples="$decoding" -v all="$all" '{p = $1; sub("%", "", p)
      if ($0 ~ /dla-decode/) d += p; else if ($0 ~ /TP Worker/) t += p; else if ($0 ~ /BGC/) g += p; else o += p }
    END { printf "decode %.1f%% pool %.1f%% gc %.1f%% other %.1f%%, decode %.2f ms/img, all %.2f ms/img", d, t, g, o, 1000 * samples / hz / n, 1000 * all / hz / n }' <<<"$steady"
}

profile() { # checkout predict|run
  rm -rf "$work/data"
  if [[ $2 == predict ]]; then
    (cd "$1" && perf record -q -F "$hz" -o "$work/perf.data" ./dla predict "$folder" --model "$model" --batch-size 16 -o "$work/p.jsonl" >/dev/null 2>&1)
  else
    (cd "$1" && perf record -q -F "$hz" -o "$work/perf.data" ./dla run "$folder" --model "$model" --batch-size 64 --data-dir "$work/data" >/dev/null 2>&1)
  fi
  shares "$work/perf.data"
}

(cd "$a" && ./dla --help >/dev/null) && (cd "$b" && ./dla --help >/dev/null)  # builds both first
for ((r = 1; r <= rounds; r++)); do
  alone=$(cd "$b" && ./dla bench decode "$folder" --threads "$(nproc)" --size 32 --seconds 5 | grep -o '[0-9.]* ms per image per thread')
  echo "round $r: decoding alone on $(nproc) cores: $alone"
  for pipeline in predict run; do
    echo "round $r, dla $pipeline: A ($1) $(profile "$a" "$pipeline") | B ($2) $(profile "$b" "$pipeline")"
  done
done
