#!/usr/bin/env bash
# Runs the real backing services on loopback without Docker or systemd:
# PostgreSQL 15 + pgvector, RabbitMQ (with management) and Azurite (blob only).
#
#   scripts/services.sh up | down | status | env
#   scripts/services.sh restart-rabbitmq | stop-postgres | start-postgres
#
# `up` installs whatever is missing (apt, a pgvector build, Azurite from npm), then starts
# the three services in parallel and waits until each accepts connections. Every command is
# idempotent. `eval "$(scripts/services.sh env)"` exports the application's connection settings.
# See docs/services.md.
set -euo pipefail

SERVICES_DIR=${DLA_SERVICES_DIR:-/tmp/dla-services}
TOOLS_DIR=${DLA_TOOLS_DIR:-/opt/dla-tools}
PG_PORT=${DLA_PG_PORT:-25432}
PG_DATABASE=${DLA_PG_DATABASE:-dla}
RMQ_PORT=${DLA_RABBITMQ_PORT:-5673}
RMQ_MGMT_PORT=${DLA_RABBITMQ_MANAGEMENT_PORT:-15673}
RMQ_DIST_PORT=${DLA_RABBITMQ_DIST_PORT:-$((RMQ_PORT + 20000))}
RMQ_EPMD_PORT=${DLA_EPMD_PORT:-4370}
RMQ_NODENAME=${DLA_RABBITMQ_NODENAME:-dla@localhost}
AZURITE_PORT=${DLA_AZURITE_PORT:-10010}
AZURITE_VERSION=3.35.0 # 3.36+ need Node 22
TIMEOUT=${DLA_SERVICES_TIMEOUT:-120}

PG_MAJOR=15
PG_BIN=/usr/lib/postgresql/$PG_MAJOR/bin
PG_SHARE=/usr/share/postgresql/$PG_MAJOR
PG_DIR=$SERVICES_DIR/postgres
RMQ_DIR=$SERVICES_DIR/rabbitmq
AZURITE_DIR=$SERVICES_DIR/azurite
AZURITE_HOME=$TOOLS_DIR/azurite-$AZURITE_VERSION
AZURITE_BIN=$AZURITE_HOME/node_modules/.bin/azurite-blob
# The well-known Azurite development account (public, documented by Microsoft).
AZURITE_ACCOUNT_KEY='Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=='

log() { printf '[services %(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

show_log() { # file: prints the tail of a log after a failure
  if [[ -s $1 ]]; then
    log "last lines of $1:"
    tail -n 40 "$1" | sed 's/^/    /' >&2
  else
    log "($1 is empty or missing)"
  fi
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

port_holder() { # port: prints "pid N (command)" for each process with a TCP socket bound to it; fails if none
  local hex inodes inode fd pid holders=
  hex=$(printf ':%04X' "$1")
  # Any state, not only LISTEN: an outgoing connection that drew this port as its local one blocks a bind
  # too. Inode 0 is a TIME_WAIT leftover, which servers bind over (SO_REUSEADDR).
  inodes=$(awk -v p="$hex" 'FNR > 1 && substr($2, length($2) - 4) == p && $10 != 0 { print $10 }' /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
  [[ -n $inodes ]] || return 1
  for fd in /proc/[0-9]*/fd/*; do
    inode=$(readlink "$fd" 2>/dev/null) || continue
    [[ $inode == socket:* ]] && grep -qx "${inode:8:-1}" <<<"$inodes" || continue
    pid=${fd#/proc/}
    pid=${pid%%/*}
    holders+="pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-100))"$'\n'
  done
  if [[ -n $holders ]]; then sort -u <<<"${holders%$'\n'}"; else echo "a process this user cannot see"; fi
}

refuse_taken_port() { # service port: dies, naming the holder, when another process holds the port
  local holder
  holder=$(port_holder "$2") || return 0
  die "$1: port $2 is already held by ${holder//$'\n'/, }; stop it or choose another port (see '$0 --help')"
}

pid_alive() { # pidfile pattern: the process named in pidfile runs and its command line matches
  local pid
  [[ -s $1 ]] || return 1
  pid=$(head -n 1 "$1")
  [[ $pid =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$2"
}

wait_gone() { # pid seconds: waits for a process to exit; SIGKILL after the timeout
  local deadline=$((SECONDS + $2))
  while kill -0 "$1" 2>/dev/null; do
    if ((SECONDS >= deadline)); then
      log "process $1 did not stop within $2 s; killing it"
      kill -KILL "$1" 2>/dev/null || true
      sleep 0.5
      return 0
    fi
    sleep 0.2
  done
}

as_root() { if ((EUID == 0)); then "$@"; else sudo "$@"; fi; }
as_postgres() { if ((EUID == 0)); then runuser -u postgres -- "$@"; else "$@"; fi; }

# ---------------------------------------------------------------------------- installs

pkg_installed() { [[ $(dpkg-query -W -f='${Status}' "$1" 2>/dev/null) == "install ok installed" ]]; }

debian_uri() { # the Debian archive this machine's apt already uses (never a hard-coded host)
  if [[ -n ${DLA_DEBIAN_URI:-} ]]; then echo "$DLA_DEBIAN_URI"; return; fi
  local codename f
  # shellcheck disable=SC1091
  codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-bookworm}")
  {
    for f in /etc/apt/sources.list.d/*.sources; do
      [[ -f $f ]] || continue
      # deb822 stanzas: the URIs of an enabled "deb" stanza whose Suites contain the codename
      awk -v cn="$codename" '
        function flush() { if (types ~ /(^| )deb( |$)/ && (" " suites " ") ~ (" " cn " ") && enabled != "no") print uris
                           types = uris = suites = enabled = "" }
        /^[ \t]*#/ { next }
        /^[ \t]*$/ { flush(); next }
        tolower($1) == "types:"   { $1 = ""; types = $0 }
        tolower($1) == "uris:"    { $1 = ""; uris = $0 }
        tolower($1) == "suites:"  { $1 = ""; suites = $0 }
        tolower($1) == "enabled:" { enabled = tolower($2) }
        END { flush() }' "$f" | tr ' ' '\n'
    done
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
      [[ -f $f ]] || continue
      awk -v cn="$codename" '$1 == "deb" { i = 2; if ($i ~ /^\[/) { while (i <= NF && $i !~ /\]$/) i++; i++ }
                                          if ($(i + 1) == cn) print $i }' "$f"
    done
  } | grep -E '^[a-z+]+://' | head -n 1
}

install_packages() {
  local pkgs=()
  pkg_installed rabbitmq-server || pkgs+=(rabbitmq-server)
  pkg_installed "postgresql-server-dev-$PG_MAJOR" || pkgs+=("postgresql-server-dev-$PG_MAJOR")
  [[ -x $PG_BIN/postgres ]] || pkgs+=("postgresql-$PG_MAJOR")
  command -v make >/dev/null || pkgs+=(make)
  command -v gcc >/dev/null || pkgs+=(gcc libc6-dev)
  command -v npm >/dev/null || pkgs+=(nodejs npm)
  command -v curl >/dev/null || pkgs+=(curl)
  # Not a service: the browser the console's tests drive (tests/Dla.Console.Tests).
  [[ -x /usr/bin/chromium ]] || pkgs+=(chromium)
  ((${#pkgs[@]})) || return 0
  local t0 apt_log=$TOOLS_DIR/logs/apt.log
  t0=$(now)
  log "apt: installing ${pkgs[*]}"
  export DEBIAN_FRONTEND=noninteractive
  if ! { as_root apt-get -o DPkg::Lock::Timeout=300 update &&
    as_root apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${pkgs[@]}"; } >"$apt_log" 2>&1; then
    show_log "$apt_log"
    die "apt-get install ${pkgs[*]} failed"
  fi
  log "apt: done in $(since "$t0") s"
}

install_pgvector() { # Debian 12 has no pgvector for PG15: build Debian trixie's source package
  [[ -f $PG_SHARE/extension/vector.control ]] && return 0
  local t0 uri src=$TOOLS_DIR/pgvector-src build_log=$TOOLS_DIR/logs/pgvector-build.log
  t0=$(now)
  uri=$(debian_uri) || true
  [[ -n $uri ]] || die "no Debian archive URI found in /etc/apt (set DLA_DEBIAN_URI)"
  log "pgvector: building from trixie source ($uri)"
  rm -rf "$src"
  mkdir -p "$src/lists/partial"
  # A private deb-src list, so the system's apt sources stay untouched.
  printf 'Types: deb-src\nURIs: %s\nSuites: trixie\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
    "$uri" >"$src/src.sources"
  local apt_opts=(-o Dir::Etc::sourcelist=/dev/null -o "Dir::Etc::sourceparts=$src" -o "Dir::State::Lists=$src/lists")
  if ! (
    set -e
    apt-get "${apt_opts[@]}" update
    cd "$src"
    apt-get "${apt_opts[@]}" source --download-only pgvector
    tar xf pgvector_*.orig.tar.*
    cd pgvector-*/
    # OPTFLAGS="" avoids -march=native, so the build runs on any x86-64 machine.
    make -j"$(nproc)" OPTFLAGS="" PG_CONFIG="$PG_BIN/pg_config"
    as_root make install PG_CONFIG="$PG_BIN/pg_config"
  ) >"$build_log" 2>&1; then
    show_log "$build_log"
    die "pgvector build failed"
  fi
  rm -rf "$src"
  log "pgvector: installed in $(since "$t0") s"
}

install_azurite() {
  [[ -x $AZURITE_BIN ]] && return 0
  local t0 npm_log=$TOOLS_DIR/logs/azurite-npm.log
  t0=$(now)
  log "azurite: npm install azurite@$AZURITE_VERSION"
  mkdir -p "$AZURITE_HOME"
  if ! npm install --no-audit --no-fund --prefix "$AZURITE_HOME" "azurite@$AZURITE_VERSION" >"$npm_log" 2>&1; then
    show_log "$npm_log"
    die "npm install azurite@$AZURITE_VERSION failed"
  fi
  log "azurite: installed in $(since "$t0") s"
}

install_all() {
  mkdir -p "$TOOLS_DIR/logs"
  # apt and the pgvector build need apt's lock in turn; npm runs beside them.
  local npm_pid=
  if command -v npm >/dev/null; then
    install_azurite &
    npm_pid=$!
  fi
  install_packages
  install_pgvector
  if [[ -n $npm_pid ]]; then wait "$npm_pid" || die "azurite install failed"; else install_azurite; fi
}

# ---------------------------------------------------------------------------- PostgreSQL

psql_q() { "$PG_BIN/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PG_PORT" -U postgres "$@"; }
# Not `pg_ctl status`: it counts a killed postmaster that is still a zombie as running.
pg_running() { pid_alive "$PG_DIR/data/postmaster.pid" postgres; }

clear_stale_pg_lock() { # after a crash (kill -9) postgres refuses to start while its dead pid is a zombie
  local pidfile=$PG_DIR/data/postmaster.pid p busy deadline=$((SECONDS + 15))
  [[ -f $pidfile ]] || return 0
  while :; do # orphaned backends exit soon after the postmaster; they keep the data directory as cwd
    busy=
    for p in /proc/[0-9]*; do
      [[ $(readlink "$p/cwd" 2>/dev/null) == "$PG_DIR/data" ]] && busy=${p#/proc/} && break
    done
    [[ -z $busy ]] && break
    ((SECONDS < deadline)) || die "postgres: the postmaster is gone but process $busy still uses $PG_DIR/data"
    sleep 0.2
  done
  log "postgres: removing the lock files of a dead server"
  rm -f "$pidfile" "$PG_DIR/.s.PGSQL.$PG_PORT.lock"
}
pg_ready() { "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U postgres -t 2; }

start_postgres() {
  local t0
  t0=$(now)
  [[ -x $PG_BIN/postgres ]] || die "postgres: $PG_BIN/postgres not found (run 'up' to install)"
  if pg_running; then
    log "postgres: already running"
  else
    refuse_taken_port postgres "$PG_PORT"
    mkdir -p "$PG_DIR"
    ((EUID == 0)) && chown postgres:postgres "$PG_DIR"
    as_postgres test -w "$PG_DIR" || die "postgres: $PG_DIR is not writable by user postgres (choose another DLA_SERVICES_DIR)"
    clear_stale_pg_lock
    if [[ ! -f $PG_DIR/data/PG_VERSION ]]; then
      rm -rf "$PG_DIR/data"
      as_postgres "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 --no-sync \
        >"$PG_DIR/initdb.log" 2>&1 || { show_log "$PG_DIR/initdb.log"; die "postgres: initdb failed"; }
    fi
    # setsid: the server must not die with the caller's process group; 9>&- drops the lock.
    if ! as_postgres setsid "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/server.log" -w -t "$TIMEOUT" \
      -o "-p $PG_PORT -k $PG_DIR -c listen_addresses=127.0.0.1" start </dev/null >"$PG_DIR/pg_ctl.log" 2>&1 9>&-; then
      show_log "$PG_DIR/pg_ctl.log"
      show_log "$PG_DIR/server.log"
      die "postgres: pg_ctl start failed or timed out ($TIMEOUT s)"
    fi
  fi
  local deadline=$((SECONDS + TIMEOUT))
  until pg_ready; do
    pg_running || { show_log "$PG_DIR/server.log"; die "postgres: the server exited during startup"; }
    ((SECONDS < deadline)) || { show_log "$PG_DIR/server.log"; die "postgres: not accepting connections on 127.0.0.1:$PG_PORT after $TIMEOUT s"; }
    sleep 0.2
  done
  if [[ -z $(psql_q -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$PG_DATABASE'") ]]; then
    psql_q -d postgres -c "CREATE DATABASE \"$PG_DATABASE\"" || die "postgres: CREATE DATABASE $PG_DATABASE failed"
  fi
  psql_q -d "$PG_DATABASE" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector" ||
    die "postgres: CREATE EXTENSION vector failed in $PG_DATABASE"
  log "postgres: ready on 127.0.0.1:$PG_PORT, database $PG_DATABASE with vector ($(since "$t0") s)"
}

stop_postgres() {
  if pg_running; then
    as_postgres "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m fast -w -t 60 stop >/dev/null 9>&- ||
      die "postgres: pg_ctl stop failed"
    log "postgres: stopped"
  else
    log "postgres: not running"
  fi
}

# ---------------------------------------------------------------------------- RabbitMQ

rmq_env() { # rabbitmq-server and rabbitmqctl both need these, so that nothing touches /etc or /var
  export HOME=$RMQ_DIR PATH=/usr/lib/rabbitmq/bin:$PATH
  export RABBITMQ_NODENAME=$RMQ_NODENAME RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$RMQ_PORT
  export RABBITMQ_DIST_PORT=$RMQ_DIST_PORT ERL_EPMD_PORT=$RMQ_EPMD_PORT ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_MNESIA_BASE=$RMQ_DIR/mnesia RABBITMQ_LOG_BASE=$RMQ_DIR/log RABBITMQ_PID_FILE=$RMQ_DIR/rabbit.pid
  export RABBITMQ_CONFIG_FILE=$RMQ_DIR/rabbitmq RABBITMQ_ENABLED_PLUGINS_FILE=$RMQ_DIR/enabled_plugins
  export RABBITMQ_CONF_ENV_FILE=$RMQ_DIR/rabbitmq-env.conf
  # The Erlang distribution port would otherwise listen on every interface.
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS='-kernel inet_dist_use_interface {127,0,0,1}'
}

rmq_running() { pid_alive "$RMQ_DIR/launcher.pid" rabbitmq-server || pid_alive "$RMQ_DIR/rabbit.pid" beam; }
rmq_api_ok() { curl -fsS -o /dev/null -m 3 -u guest:guest "http://127.0.0.1:$RMQ_MGMT_PORT/api/overview" 2>/dev/null; }
rmq_ready() { port_open "$RMQ_PORT" && rmq_api_ok; }

start_rabbitmq() {
  local t0
  t0=$(now)
  [[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || die "rabbitmq: not installed (run 'up' to install)"
  if rmq_running; then
    log "rabbitmq: already running"
  else
    refuse_taken_port rabbitmq "$RMQ_PORT"
    refuse_taken_port "rabbitmq management" "$RMQ_MGMT_PORT"
    refuse_taken_port "rabbitmq distribution" "$RMQ_DIST_PORT"
    mkdir -p "$RMQ_DIR/log" "$RMQ_DIR/mnesia"
    : >"$RMQ_DIR/rabbitmq-env.conf"
    printf 'listeners.tcp.default = 127.0.0.1:%s\nmanagement.tcp.ip = 127.0.0.1\nmanagement.tcp.port = %s\nloopback_users.guest = true\n' \
      "$RMQ_PORT" "$RMQ_MGMT_PORT" >"$RMQ_DIR/rabbitmq.conf"
    echo '[rabbitmq_management].' >"$RMQ_DIR/enabled_plugins"
    rm -f "$RMQ_DIR/rabbit.pid"
    # Foreground mode in its own session: the launcher's pid is known at once, and SIGTERM to it
    # stops the broker gracefully.
    (
      rmq_env
      exec setsid rabbitmq-server </dev/null >"$RMQ_DIR/server.out" 2>&1 9>&-
    ) &
    echo $! >"$RMQ_DIR/launcher.pid"
  fi
  local deadline=$((SECONDS + TIMEOUT))
  until rmq_ready; do
    # As for Azurite: right after the fork the launcher's command line is still this shell's, so "is the launcher
    # or the broker there" rather than rmq_running's name match, which reported a healthy start as a crash.
    if ! rmq_running && ! kill -0 "$(head -n 1 "$RMQ_DIR/launcher.pid" 2>/dev/null)" 2>/dev/null; then
      show_log "$RMQ_DIR/server.out"
      show_log "$RMQ_DIR/log/$RMQ_NODENAME.log"
      die "rabbitmq: the broker exited during startup"
    fi
    if ((SECONDS >= deadline)); then
      show_log "$RMQ_DIR/log/$RMQ_NODENAME.log"
      die "rabbitmq: AMQP 127.0.0.1:$RMQ_PORT and management :$RMQ_MGMT_PORT not both answering after $TIMEOUT s"
    fi
    sleep 0.25
  done
  log "rabbitmq: ready on 127.0.0.1:$RMQ_PORT, management :$RMQ_MGMT_PORT ($(since "$t0") s)"
}

stop_rabbitmq() {
  local f pid stopped=
  for f in rabbit.pid launcher.pid; do
    if pid_alive "$RMQ_DIR/$f" "rabbitmq-server\|beam"; then
      pid=$(head -n 1 "$RMQ_DIR/$f")
      kill -TERM "$pid" 2>/dev/null || true
      wait_gone "$pid" 60
      stopped=1
    fi
  done
  rm -f "$RMQ_DIR/rabbit.pid" "$RMQ_DIR/launcher.pid"
  # epmd is started by the Erlang VM and outlives it.
  (rmq_env && epmd -port "$RMQ_EPMD_PORT" -kill) >/dev/null 2>&1 || true
  if [[ -n $stopped ]]; then log "rabbitmq: stopped"; else log "rabbitmq: not running"; fi
}

# ---------------------------------------------------------------------------- Azurite

start_azurite() {
  local t0
  t0=$(now)
  [[ -x $AZURITE_BIN ]] || die "azurite: $AZURITE_BIN not found (run 'up' to install)"
  if pid_alive "$AZURITE_DIR/azurite.pid" azurite; then
    log "azurite: already running"
  else
    refuse_taken_port azurite "$AZURITE_PORT"
    mkdir -p "$AZURITE_DIR/data"
    # --disableTelemetry: otherwise Azurite calls an outside host. --skipApiVersionCheck: the
    # Azure SDK speaks a newer API version than this Azurite knows.
    setsid "$AZURITE_BIN" --blobHost 127.0.0.1 --blobPort "$AZURITE_PORT" --location "$AZURITE_DIR/data" \
      --skipApiVersionCheck --disableTelemetry --loose --silent </dev/null >"$AZURITE_DIR/azurite.log" 2>&1 9>&- &
    echo $! >"$AZURITE_DIR/azurite.pid"
  fi
  local deadline=$((SECONDS + TIMEOUT))
  until port_open "$AZURITE_PORT"; do
    # Only "is the process there": right after the fork its command line is still the shell's,
    # so matching it against "azurite" here would report a healthy start as a crash.
    if ! kill -0 "$(head -n 1 "$AZURITE_DIR/azurite.pid")" 2>/dev/null; then
      show_log "$AZURITE_DIR/azurite.log"
      die "azurite: exited during startup"
    fi
    ((SECONDS < deadline)) || { show_log "$AZURITE_DIR/azurite.log"; die "azurite: port $AZURITE_PORT not open after $TIMEOUT s"; }
    sleep 0.1
  done
  log "azurite: ready on 127.0.0.1:$AZURITE_PORT ($(since "$t0") s)"
}

stop_azurite() {
  if pid_alive "$AZURITE_DIR/azurite.pid" azurite; then
    local pid
    pid=$(head -n 1 "$AZURITE_DIR/azurite.pid")
    kill -TERM "$pid" 2>/dev/null || true
    wait_gone "$pid" 15
    log "azurite: stopped"
  else
    log "azurite: not running"
  fi
  rm -f "$AZURITE_DIR/azurite.pid"
}

# ---------------------------------------------------------------------------- commands

lock() { # serialises concurrent invocations of this script
  mkdir -p "$SERVICES_DIR"
  chmod 755 "$SERVICES_DIR"
  exec 9>"$SERVICES_DIR/.lock"
  flock -w 600 9 || die "another services.sh holds $SERVICES_DIR/.lock"
}

in_parallel() { # runs each named function in the background; fails if any fails
  local pids=() fn pid rc=0
  for fn in "$@"; do
    "$fn" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || rc=1; done
  return $rc
}

cmd_up() {
  local t0
  t0=$(now)
  lock
  install_all
  in_parallel start_postgres start_rabbitmq start_azurite || die "services did not all start"
  log "all services up ($(since "$t0") s)"
}

cmd_down() {
  lock
  in_parallel stop_postgres stop_rabbitmq stop_azurite || die "services did not all stop"
}

cmd_status() {
  local rc=0
  report() { # name ok detail
    if [[ $2 == 0 ]]; then printf '%-9s up    %s\n' "$1" "$3"; else printf '%-9s down  %s\n' "$1" "$3"; rc=1; fi
  }
  local s
  pg_ready 2>/dev/null && s=0 || s=1
  report postgres $s "127.0.0.1:$PG_PORT"
  rmq_ready && s=0 || s=1
  report rabbitmq $s "127.0.0.1:$RMQ_PORT (management :$RMQ_MGMT_PORT)"
  port_open "$AZURITE_PORT" && s=0 || s=1
  report azurite $s "127.0.0.1:$AZURITE_PORT"
  return $rc
}

cmd_env() {
  emit() { printf "export %s='%s'\n" "$1" "${2//\'/\'\\\'\'}"; }
  emit ConnectionStrings__Postgres "Host=127.0.0.1;Port=$PG_PORT;Username=postgres;Database=$PG_DATABASE"
  emit ConnectionStrings__RabbitMq "amqp://guest:guest@127.0.0.1:$RMQ_PORT/"
  emit ConnectionStrings__BlobStorage "DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=$AZURITE_ACCOUNT_KEY;BlobEndpoint=http://127.0.0.1:$AZURITE_PORT/devstoreaccount1;"
  emit DLA_SERVICES up
}

usage() {
  cat >&2 <<EOF
usage: $0 up|down|status|env|restart-rabbitmq|stop-postgres|start-postgres
  state under \$DLA_SERVICES_DIR ($SERVICES_DIR), installs under \$DLA_TOOLS_DIR ($TOOLS_DIR)
  ports: \$DLA_PG_PORT ($PG_PORT), \$DLA_RABBITMQ_PORT ($RMQ_PORT), \$DLA_RABBITMQ_MANAGEMENT_PORT ($RMQ_MGMT_PORT),
         \$DLA_AZURITE_PORT ($AZURITE_PORT)
EOF
}

case ${1:-} in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  env) cmd_env ;;
  restart-rabbitmq) lock && stop_rabbitmq && start_rabbitmq ;;
  stop-postgres) lock && stop_postgres ;;
  start-postgres) lock && start_postgres ;;
  -h | --help | help) usage ;;
  *) usage; exit 2 ;;
esac
