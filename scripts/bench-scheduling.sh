#!/usr/bin/env bash
# Jobs at scale (docs/scheduling.md), measured with the real scheduler and worker processes on the services
# of scripts/services.sh, a fresh database and RabbitMQ virtual host per run:
#
#   scripts/bench-scheduling.sh acceptance   # one worker, LeaseSeconds=10, MaxDispatches=2: a 3,000-image
#                                            # dla34 job, and a 64-image job submitted 8 s later
#   scripts/bench-scheduling.sh scale [N]    # two workers, a tiny model: an N-image job (default 100,000) of
#                                            # small images, and a 100-image job submitted halfway
#
# Prints each job's outcome, failed batches, batches published against planned, the queue's depth (sampled
# every 2 s from RabbitMQ's management API) and the scheduler's RSS. Takes minutes: not part of CI.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:?usage: $0 acceptance | scale [images]}
eval "$(scripts/services.sh env)"
work=$(mktemp -d /tmp/dla-bench-scheduling.XXXXXX)
run_id=bench_$(date +%s)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  psql_admin -c "DROP DATABASE IF EXISTS $run_id WITH (FORCE)" >/dev/null 2>&1 || true
  curl -fsS -o /dev/null -u guest:guest -X DELETE "$management/api/vhosts/$run_id" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

pg_port=$(sed -E 's/.*Port=([0-9]+).*/\1/' <<<"$ConnectionStrings__Postgres")
amqp_port=$(sed -E 's#.*:([0-9]+)/$#\1#' <<<"$ConnectionStrings__RabbitMq")
management=http://127.0.0.1:${DLA_RABBITMQ_MANAGEMENT_PORT:-15673}
psql_admin() { /usr/lib/postgresql/15/bin/psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres "$@"; }
# Dla's tables are in the dla schema (docs/sql.md).
psql_run() { PGOPTIONS="-c search_path=dla,public" /usr/lib/postgresql/15/bin/psql -X -qtA -h 127.0.0.1 -p "$pg_port" -U postgres -d "$run_id" "$@"; }
psql_admin -c "CREATE DATABASE $run_id" >/dev/null
psql_run -c "CREATE EXTENSION IF NOT EXISTS vector" >/dev/null
curl -fsS -o /dev/null -u guest:guest -X PUT "$management/api/vhosts/$run_id"
curl -fsS -o /dev/null -u guest:guest -X PUT -H 'content-type: application/json' \
  -d '{"configure":".*","write":".*","read":".*"}' "$management/api/permissions/$run_id/guest"

dotnet build src/Dla.Scheduler -c Release -nologo -v q >/dev/null
dotnet build src/Dla.Worker -c Release -nologo -v q >/dev/null
export ConnectionStrings__Postgres="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=$run_id"
export ConnectionStrings__RabbitMq="amqp://guest:guest@127.0.0.1:$amqp_port/$run_id"
export Database__Provider=postgres Messaging__Transport=rabbitmq DLA_CACHE_DIR="$work/cache"
export Datasets__AllowedRoots__0="$work"
export Logging__LogLevel__Default=Warning

source scripts/lib/start-process.sh
api=http://127.0.0.1:18090
submit() { # json: prints the job id
  curl -fsS -H 'content-type: application/json' -d "$1" "$api/jobs" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])'
}
state() { psql_run -c "SELECT state FROM jobs WHERE id = '$1'"; }
done_count() { psql_run -c "SELECT (SELECT count(*) FROM results WHERE job_id = '$1') + (SELECT count(*) FROM image_errors WHERE job_id = '$1')"; }
queue_depth() { curl -fsS -u guest:guest "$management/api/queues/$run_id/process-image-batch" 2>/dev/null | python3 -c 'import json,sys; print(json.load(sys.stdin).get("messages", 0))' 2>/dev/null || echo 0; }
rss_mb() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
report() { # job: one line
  psql_run -F ' ' -c "SELECT '$2', j.state, j.listed_images AS images,
      (SELECT count(*) FROM batches b WHERE b.job_id = j.id) AS batches,
      (SELECT coalesce(sum(dispatches), 0) FROM batches b WHERE b.job_id = j.id) AS published,
      (SELECT count(*) FROM batches b WHERE b.job_id = j.id AND b.state = 'Failed') AS failed_batches,
      round(extract(epoch FROM j.finished_at - j.created_at)::numeric, 1) AS seconds
    FROM jobs j WHERE j.id = '$1'" |
    awk '{printf "%-6s %-10s images %-7s batches %-6s published %-6s (%.3f x) failed batches %s, %s s from submission\n", $1, $2, $3, $4, $5, ($4 > 0 ? $5 / $4 : 0), $6, $7}'
}

case $mode in
  acceptance)
    photos=$(scripts/sample-photos.sh)
    ./dla dataset sample "$work/large" --count 3000 --size 1000x750 --sources "$photos" ../shared/golden/images/files >/dev/null
    ./dla dataset sample "$work/small" --count 64 --size 1000x750 --sources "$photos" ../shared/golden/images/files >/dev/null
    scheduler_env=(Scheduler__LeaseSeconds=10 Scheduler__MaxDispatches=2)
    worker_env=()
    model='"model": "dla34", "weights": "random"'
    workers=1 large_batch=32 small_delay=8
    ;;
  scale)
    images=${2:-100000}
    ./dla dataset sample "$work/large" --count "$images" --size 64x48 --sources ../shared/golden/images/files >/dev/null
    ./dla dataset sample "$work/small" --count 100 --size 64x48 --sources ../shared/golden/images/files >/dev/null
    scheduler_env=()
    worker_env=(Worker__IntraOpThreads=1 Worker__DecodeParallelism=1)
    model='"model": "{\"levels\": [1, 1, 1, 1, 1, 1], \"channels\": [4, 8, 8, 16, 16, 32], \"block\": \"basic\"}", "weights": "random", "num_classes": 10'
    workers=2 large_batch=64 small_delay=
    ;;
  *) echo "usage: $0 acceptance | scale [images]" >&2; exit 2 ;;
esac

start_process scheduler src/Dla.Scheduler/bin/Release/net10.0/Dla.Scheduler.dll 18090 Database__MigrateOnStartup=true "${scheduler_env[@]}"
scheduler_pid=${pids[0]}
for w in $(seq 1 "$workers"); do
  start_process "worker-$w" src/Dla.Worker/bin/Release/net10.0/Dla.Worker.dll $((18090 + w)) "${worker_env[@]}"
done
rss_start=$(rss_mb "$scheduler_pid")
large=$(submit "{\"dataset\": \"$work/large\", $model, \"batch_size\": $large_batch}")
echo "large job $large submitted"
small= max_depth=0 samples=0 small_at=
started=$SECONDS
while :; do
  depth=$(queue_depth)
  ((depth > max_depth)) && max_depth=$depth
  samples=$((samples + 1))
  if [[ -z $small ]]; then
    total=$(psql_run -c "SELECT listed_images FROM jobs WHERE id = '$large'")
    if { [[ -n $small_delay ]] && ((SECONDS - started >= small_delay)); } || { [[ -z $small_delay ]] && (($(done_count "$large") * 2 >= total && total > 0)); }; then
      small=$(submit "{\"dataset\": \"$work/small\", $model, \"batch_size\": 32}")
      small_at=$(done_count "$large")
      echo "small job $small submitted with the large one at $small_at outcomes"
    fi
  elif [[ -z ${small_done_at:-} && $(state "$small") != Running && $(state "$small") != Pending ]]; then
    small_done_at=$(done_count "$large")
    echo "small job finished ($(state "$small")) with the large one at $small_done_at outcomes, $(state "$large")"
  fi
  [[ -n $small && -n ${small_done_at:-} && $(state "$large") != Running && $(state "$large") != Pending ]] && break
  sleep 2
done
echo "--- $mode: $workers worker(s), MaxQueuedBatches ${Scheduler__MaxQueuedBatches:-64} (default), ${scheduler_env[*]:-default lease}"
report "$large" large
report "$small" small
echo "queue depth: max $max_depth messages over $samples samples (ready + unacknowledged)"
echo "scheduler RSS: $rss_start MB at the start, $(rss_mb "$scheduler_pid") MB at the end"
