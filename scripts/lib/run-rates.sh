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

# timed_run LOG [dla run arguments...]: runs `dla run ... --verbose` with its standard error, timestamped, in LOG, the
# CPU seconds the whole command used (user, system) in LOG.cpu, and the machine's CPU counters every 0.1 s in LOG.stat.
timed_run() {
  local log=$1 TIMEFORMAT='%U %S' sampler
  shift
  : >"$log.stat"
  sample_cpu "$log.stat" &
  sampler=$!
  { time Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff " ./dla run "$@" --verbose 2>"$log" >/dev/null; } 2>"$log.cpu"
  kill "$sampler" 2>/dev/null; wait "$sampler" 2>/dev/null || true
}

# sample_cpu FILE: until killed, appends "EPOCH_SECONDS TOTAL IDLE" every 0.1 s: the machine's CPU time so far over all
# cores, all of it and idle (with I/O wait), in clock ticks (/proc/stat). Builtins only, so sampling adds no processes
# to the machine it measures.
sample_cpu() {
  local line pause
  exec {pause}<> <(:)
  while true; do
    read -ra line </proc/stat
    echo "$EPOCHREALTIME $((line[1] + line[2] + line[3] + line[4] + line[5] + line[6] + line[7] + line[8])) $((line[4] + line[5]))" >>"$1"
    read -rt 0.1 -u "$pause" || true
  done
}

# steady_idle LOG: the share of the machine's CPU time that was idle while the worker was running (from its second stored
# batch to its last), in percent: time the cores had nothing to run, i.e. the decode threads waited for work.
steady_idle() {
  local from to offset
  from=$(grep "Stored batch" "$1" | sed -n 2p | cut -c1-12) to=$(grep "Stored batch" "$1" | tail -1 | cut -c1-12)
  offset=$(date +%z)  # the log's clock is local time, the samples' UTC
  awk -v from="$from" -v to="$to" -v offset="$offset" '
    function seconds(hms, t) { split(hms, t, ":"); return t[1] * 3600 + t[2] * 60 + t[3] }
    BEGIN { shift = (substr(offset, 1, 1) == "-" ? -1 : 1) * (substr(offset, 2, 2) * 3600 + substr(offset, 4, 2) * 60)
            a = seconds(from); b = seconds(to) }
    { s = ($1 + shift) % 86400 }
    s >= a && s <= b { if (!n++) { t0 = $2; i0 = $3 } t = $2; i = $3 }
    END { if (t > t0) printf "%.1f", 100 * (i - i0) / (t - t0); else printf "?" }' "$1.stat"
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
