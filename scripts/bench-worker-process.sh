#!/usr/bin/env bash
# A worker process's own CPU per image, as a GPU node runs it: the Dla.Worker process alone (its scheduler, PostgreSQL
# and RabbitMQ are other processes, on other machines in a deployment), over the photographs and patched tiny model of
# scripts/bench-decode-scaling.sh (run that once first), on the services of scripts/services.sh. Issue 12, item 4
# ("a worker batch on 2 cores ≥ 1.8 × the one-core decode rate"): the embedded `dla run` hosts the scheduler, the
# dispatcher and SQLite in the worker's own process and so measures them too; here they are outside it.
#
# Each round: the one-core decode rate (`dla bench decode --threads 1`, pinned with taskset, before and after), then a
# fresh database and virtual host, the scheduler and one worker started, two jobs of every photograph submitted one
# after the other (batch_size 64: the first a new pod's, the second warm) and the worker's threads sampled from /proc
# (scripts/lib/thread_cpu.py). Prints, per job, the worker's batch rate as measured here, where the services and the
# scheduler take their CPU from the same cores, the worker's CPU per image by thread group and how busy the machine
# was; cores ÷ the worker's CPU per image is what it delivers on busy cores of its own (on this 2-core VM a measured
# rate cannot exclude the services), and ÷ the one-core decode rate is item 4's ratio.
#
#   scripts/bench-worker-process.sh [rounds = 3]      (Worker__* variables in the environment reach the worker)
#
# With DLA_TRACE_JIT=1 the worker also writes its compiler events to an EventPipe trace, and each round ends with what
# the runtime compiled and for how long, by tier and over time (scripts/jit-stats); the trace costs a little CPU.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/run-rates.sh
rounds=${1:-3}
DLA_BENCH_FOLDER=${DLA_BENCH_FOLDER:-/tmp/dla-bench-decode/photos-1000x750-10000}
ab_inputs
root=$(dirname "$folder")
eval "$(scripts/services.sh env)"
pg_port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$ConnectionStrings__Postgres")
amqp_port=$(sed -E 's#.*:([0-9]+)/$#\1#' <<<"$ConnectionStrings__RabbitMq")
management=http://127.0.0.1:${DLA_RABBITMQ_MANAGEMENT_PORT:-15673}
psql_admin() { /usr/lib/postgresql/15/bin/psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres "$@"; }
work=$(mktemp -d /tmp/dla-bench-worker.XXXXXX)
pids=() run_id=
stop_run() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait "${pids[@]}" 2>/dev/null || true
  pids=()
  if [[ -n $run_id ]]; then
    psql_admin -c "DROP DATABASE IF EXISTS $run_id WITH (FORCE)" >/dev/null 2>&1 || true
    curl -fsS -o /dev/null -u guest:guest -X DELETE "$management/api/vhosts/$run_id" 2>/dev/null || true
  fi
}
trap 'stop_run; rm -rf "$work"' EXIT
dotnet build src/Dla.Scheduler -c Release -nologo -v q >/dev/null
# The worker as its container image ships it: published (precompiled, build/ReadyToRun.targets).
dotnet publish src/Dla.Worker -c Release -r linux-x64 --self-contained false -o .dla/worker-bench -nologo -v q >/dev/null
./dla bench decode "$folder" --seconds 0.1 >/dev/null  # builds the CLI once
trace_jit=()
if [[ ${DLA_TRACE_JIT:-} == 1 ]]; then
  dotnet build scripts/jit-stats -c Release -nologo -v q >/dev/null
  trace_jit=(DOTNET_EnableEventPipe=1 DOTNET_EventPipeOutputPath="$work/worker-jit.nettrace"
    DOTNET_EventPipeConfig=Microsoft-Windows-DotNETRuntime:0x10:5)
fi
export Database__Provider=postgres Messaging__Transport=rabbitmq DLA_CACHE_DIR="$work/cache"
export Datasets__AllowedRoots__0="$root" Models__AllowedRoots__0="$root" Logging__LogLevel__Default=Warning
export Logging__Console__FormatterName=simple Logging__Console__FormatterOptions__TimestampFormat="HH:mm:ss.fff " Logging__Console__FormatterOptions__SingleLine=true

source scripts/lib/start-process.sh
declare -A summary
one_core() { taskset -c 0 ./dla bench decode "$folder" --threads 1 --size 32 --seconds 8 | tail -1 | awk '{print $1}'; }

for ((r = 1; r <= rounds; r++)); do
  before=$(one_core)
  run_id=bench_worker_$(date +%s)
  psql_admin -c "CREATE DATABASE $run_id" >/dev/null
  curl -fsS -o /dev/null -u guest:guest -X PUT "$management/api/vhosts/$run_id"
  curl -fsS -o /dev/null -u guest:guest -X PUT -H 'content-type: application/json' \
    -d '{"configure":".*","write":".*","read":".*"}' "$management/api/permissions/$run_id/guest"
  export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$run_id"
  export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$amqp_port/$run_id"
  start_process scheduler src/Dla.Scheduler/bin/Release/net10.0/Dla.Scheduler.dll 18090 Database__MigrateOnStartup=true
  start_process worker .dla/worker-bench/Dla.Worker.dll 18091 Logging__LogLevel__Dla.Worker.Batches=Information "${trace_jit[@]}"
  worker_pid=${pids[-1]}
  python3 scripts/lib/thread_cpu.py sample "$worker_pid" "$work/threads" &
  sampler=$!
  # Two jobs one after the other in the same worker: the first from its start (a new pod), the second warm (a pod that
  # has been running); each measured from its second full batch stored to its last.
  for phase in first second; do
    job=$(curl -fsS -H 'content-type: application/json' -d "{\"dataset\": \"$folder\", \"model\": \"$model\", \"batch_size\": 64}" \
      http://127.0.0.1:18090/jobs | python3 -c 'import json, sys; print(json.load(sys.stdin)["id"])')
    until [[ $(curl -fsS "http://127.0.0.1:18090/jobs/$job" | python3 -c 'import json, sys; print(json.load(sys.stdin)["state"])') =~ ^(succeeded|failed|cancelled)$ ]]; do
      sleep 1
    done
    summary[$phase]=$(python3 scripts/lib/thread_cpu.py summarize "$work/worker.log" "$work/threads" 64 "$job")
  done
  kill "$sampler" 2>/dev/null || true
  stop_run
  run_id=
  single=$(awk -v a="$before" -v b="$(one_core)" 'BEGIN {printf "%.1f", (a + b) / 2}')
  echo "round $r: decode on one core $single/s"
  for phase in first second; do
    process=$(sed -E 's/.*process ([0-9.]+) ms.*/\1/' <<<"${summary[$phase]}")
    measured=$(sed -E 's/^batches ([0-9.]+) .*/\1/' <<<"${summary[$phase]}")
    own=$(awk -v c="$(nproc)" -v p="$process" 'BEGIN {printf "%.1f", 1000 * c / p}')
    echo "round $r, $phase job: ${summary[$phase]}"
    echo "round $r, $phase job: the worker's batches $measured/s measured beside the services ($(ratio "$measured" "$single")×), on $(nproc) cores of its own $own/s ($(ratio "$own" "$single")× the one-core decode rate)"
  done
  if ((${#trace_jit[@]})); then
    dotnet run --project scripts/jit-stats -c Release --no-build -- "$work/worker-jit.nettrace" | sed "s/^/round $r, the worker's compiler: /"
  fi
done
