# Sourced by the benchmark scripts that run the scheduler and worker processes on the services of scripts/services.sh.

# start_process NAME DLL PORT [VAR=value...]: starts `dotnet DLL` listening on PORT with the given settings, its output
# in $work/NAME.log and its pid added to the caller's pids array; waits until /health/ready answers, or exits saying why.
start_process() {
  local name=$1 dll=$2 port=$3
  shift 3
  env "$@" ASPNETCORE_URLS="http://127.0.0.1:$port" dotnet "$dll" >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 1 240); do
    curl -fsS -o /dev/null "http://127.0.0.1:$port/health/ready" 2>/dev/null && return 0
    sleep 0.5
  done
  tail -n 30 "$work/$name.log" >&2
  echo "error: $name did not become ready" >&2
  exit 1
}
