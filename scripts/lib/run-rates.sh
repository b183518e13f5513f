# Sourced by the benchmark scripts (run from the repository root, where ./dla is): the inputs of the A/B scripts, ratios, and
# running an embedded `dla run` and reading its rates from its standard error.

# ab_inputs: for the scripts that compare two builds over the photographs and patched tiny model that
# scripts/bench-decode-scaling.sh leaves in /tmp/dla-bench-decode (DLA_BENCH_FOLDER, DLA_BENCH_MODEL to change them):
# sets folder, model and images (their count), or exits saying to run that script first.
ab_inputs() {
  folder=${DLA_BENCH_FOLDER:-/tmp/dla-bench-decode/photos-1000x750-2000}
  model=${DLA_BENCH_MODEL:-/tmp/dla-bench-decode/tiny-32.onnx}
  [[ -d $folder && -f $model ]] || { echo "error: $folder or $model missing: run scripts/bench-decode-scaling.sh first" >&2; exit 2; }
  images=$(find "$folder" -type f | wc -l)
}

# ratio A B: A ÷ B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN {printf "%.2f", a / b}'; }

# timed_run LOG [dla run arguments...]: runs `dla run ... --verbose` with its standard error, timestamped, in LOG, and
# the CPU seconds the whole command used (user, system) in LOG.cpu.
timed_run() {
  local log=$1 TIMEFORMAT='%U %S'
  shift
  { time Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff " ./dla run "$@" --verbose 2>"$log" >/dev/null; } 2>"$log.cpu"
}

# cpu_per_image LOG IMAGES: CPU milliseconds per image of a timed_run, start-up included. Unlike a rate it does not
# count time the machine's other guests took from this one, so two builds compare with less noise.
cpu_per_image() {
  awk -v n="$2" '{printf "%.2f", 1000 * ($1 + $2) / n}' "$1.cpu"
}

# job_rate LOG: the job's own images/s, from its start to its end (the "processed now" line).
job_rate() {
  sed -n 's/.* processed now in [0-9.]* s (\([0-9.]*\) images\/s).*/\1/p' "$1" | tail -1
}

# batch_rate LOG BATCH_SIZE: the worker's rate once running, from a timed_run log: the full batches stored after the
# second, over the time from the second's store to the last's (so without the job's start and its last, short batch).
batch_rate() {
  awk -v full=": $2 results" 'index($0, "Stored batch") && index($0, full) {
      split($1, t, ":"); s = t[1] * 3600 + t[2] * 60 + t[3]; n++; if (n == 2) first = s; last = s }
    END { if (n > 2) printf "%.1f", (n - 2) * '"$2"' / (last - first) }' "$1"
}
