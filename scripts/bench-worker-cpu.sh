#!/usr/bin/env bash
# Where a `dla run` spends its CPU per image, by thread group, in its steady state: the decode threads against the thread
# pool (the model, reads, the bus, the database) and everything else. Unlike a rate, the ratio pool ÷ decode hardly
# moves with the shared VMs' minute-to-minute speed, so it compares builds in a few runs (docs/benchmarks.md, "Worker
# overhead, by thread"). Each run samples the CPU time of every thread (/proc/PID/task/*/stat) once a second and takes
# the difference between the second stored full batch and the last. Over the photographs and patched tiny model of
# scripts/bench-decode-scaling.sh (run that once first); alternating runs of each checkout given:
#
#   scripts/bench-worker-cpu.sh [rounds = 3] CHECKOUT...      e.g. scripts/bench-worker-cpu.sh 3 /tmp/before .
set -euo pipefail
source "$(dirname "$0")/lib/run-rates.sh"
rounds=${1:-3}
shift
(($# > 0)) || set -- .
ab_inputs
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# steady CHECKOUT: one run; prints its batch rate and CPU milliseconds per image by thread group.
steady() {
  rm -rf "$work/data"
  (cd "$1" && ./dla --help >/dev/null && Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff " \
    ./dla run "$folder" --model "$model" --batch-size 64 --data-dir "$work/data" --verbose 2>"$work/run.log" >/dev/null) &
  local runner=$! pid=
  # ./dla execs dotnet: wait for the process whose command line runs dla.dll.
  until pid=$(pgrep -f "$(cd "$1" && pwd)/.dla/bin-cpu/dla.dll run" | head -1) && [[ -n $pid ]]; do
    kill -0 $runner 2>/dev/null || { echo "error: dla run ended early: $(tail -3 "$work/run.log")" >&2; return 1; }
    sleep 0.1
  done
  python3 - "$pid" "$work/threads" <<'PY'
import os, sys, time
pid, out = sys.argv[1], open(sys.argv[2], 'w')
while os.path.exists(f'/proc/{pid}/stat'):
    now = time.strftime('%H:%M:%S') + ('%.3f' % (time.time() % 1))[1:]
    try:
        for tid in os.listdir(f'/proc/{pid}/task'):
            try:
                name = open(f'/proc/{pid}/task/{tid}/comm').read().strip()
                fields = open(f'/proc/{pid}/task/{tid}/stat').read().rsplit(') ', 1)[1].split()
                out.write(f'{now}|{tid}|{name}|{int(fields[11]) + int(fields[12])}\n')
            except OSError:
                pass
    except OSError:
        break
    out.flush()
    time.sleep(1)
PY
  wait $runner
  python3 - "$work/run.log" "$work/threads" <<'PY'
import collections, sys
def seconds(stamp):
    h, m, s = stamp.split(':')
    return int(h) * 3600 + int(m) * 60 + float(s)
stored = [seconds(l.split()[0]) for l in open(sys.argv[1]) if 'Stored batch' in l and ': 64 results' in l]
samples = collections.defaultdict(dict)
for line in open(sys.argv[2]):
    stamp, tid, name, ticks = line.rstrip('\n').split('|')
    samples[seconds(stamp)][tid] = (name, int(ticks))
times = sorted(samples)
nearest = lambda t: min(times, key=lambda x: abs(x - t))
start, end = nearest(stored[1]), nearest(stored[-1])
rate = (len(stored) - 2) * 64 / (stored[-1] - stored[1])
images = rate * (end - start)
groups = collections.Counter()
for tid, (name, ticks) in samples[end].items():
    group = 'decode' if name.startswith('dla-decode') else 'pool' if name == '.NET TP Worker' else 'other'
    groups[group] += ticks - samples[start].get(tid, (name, 0))[1]
ms = {g: 10 * groups[g] / images for g in ('decode', 'pool', 'other')}  # ticks are 10 ms
print(f"batches {rate:.0f}/s; CPU per image: decode {ms['decode']:.2f} ms, pool {ms['pool']:.2f} ms, other {ms['other']:.2f} ms; pool ÷ decode {ms['pool'] / ms['decode']:.3f}")
PY
}

for ((r = 1; r <= rounds; r++)); do
  for checkout in "$@"; do
    echo "round $r, $checkout: $(steady "$checkout")"
  done
done
