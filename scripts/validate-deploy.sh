#!/usr/bin/env bash
# Validates the deployment files offline (no cluster, no Docker engine):
#   * docker-compose.yml with Debian's docker-compose v1 (`config -q`), and with `docker compose` v2 too where
#     that plugin exists;
#   * k8s/: `kubectl kustomize` renders the base and every overlay; scripts/validate-deploy/validate.mjs
#     validates each document against the Kubernetes and KEDA schemas (npm kubernetes-models@5,
#     @kubernetes-models/keda), rejects undeclared fields, checks references, grace periods, the KEDA
#     target, and that the overlays mirror docker-compose.yml (service and variable names);
#   * with --publish: runs the `dotnet publish` instruction of each Dockerfile (both worker flavours) exactly
#     as written, and checks the native libraries each image needs are in the output.
# docker-compose, Node.js and npm are installed with apt-get when missing (as root: CI's fresh Debian 12);
# kubectl must be there. .ci/run runs this before the tests.
# Usage: scripts/validate-deploy.sh [--publish]
set -euo pipefail
cd "$(dirname "$0")/.."

publish=0
for arg in "$@"; do
  case "$arg" in
    --publish) publish=1 ;;
    *) echo "usage: $0 [--publish]" >&2; exit 2 ;;
  esac
done

need() { command -v "$1" >/dev/null || { echo "validate-deploy: $1 is required ($2)" >&2; exit 1; }; }

# Debian packages, installed when missing where this runs as root (CI: a fresh Debian 12 machine).
apt_install() { # command package...
  command -v "$1" >/dev/null && return
  shift
  if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
    echo "installing $* (Debian packages) ..."
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null; }
  else
    echo "validate-deploy: $* missing (apt-get install $*)" >&2
    exit 1
  fi
}

# Not Debian's kubernetes-client: that kubectl 1.20 embeds kustomize 2.0, which lacks the `labels` field k8s/ uses.
need kubectl "kubectl kustomize renders the overlays: a current kubectl, not Debian's kubernetes-client"
apt_install node nodejs npm
apt_install npm npm
apt_install docker-compose docker-compose
echo "kubectl: $(kubectl version --client 2>/dev/null | head -n 1); node $(node --version); docker-compose $(docker-compose version --short)"

# --- docker-compose.yml ------------------------------------------------------------------------------
# No interpolation warnings for the variables the file reads from the shell.
export HF_TOKEN="${HF_TOKEN-}" DLA_API_KEY="${DLA_API_KEY:-x}" HF_ENDPOINT="${HF_ENDPOINT-https://huggingface.co}"
docker-compose -f docker-compose.yml config -q
services=$(docker-compose -f docker-compose.yml --profile cpu config --services | sort | paste -sd ' ')
echo "ok    docker-compose.yml (docker-compose $(docker-compose version --short)): services $services"
if docker compose version >/dev/null 2>&1; then
  docker compose -f docker-compose.yml config -q
  echo "ok    docker-compose.yml (docker compose $(docker compose version --short))"
fi

# --- k8s/ ----------------------------------------------------------------------------------------------
validator=scripts/validate-deploy
if [[ ! -f $validator/node_modules/.package-lock.json || $validator/package-lock.json -nt $validator/node_modules/.package-lock.json ]]; then
  echo "installing the schema packages (npm ci) ..."
  # The packages declare node >= 22 but run on 20: keep npm's engine warnings out of the output.
  npm ci --prefix "$validator" --no-audit --no-fund --loglevel=error >/dev/null
fi
node "$validator/validate.mjs" .

# --- Dockerfiles' publish commands ---------------------------------------------------------------------
# The RUN instruction of a Dockerfile that calls `dotnet publish`, continuation lines joined.
publish_instruction() {
  awk '/^RUN /{ buf = $0; while (buf ~ /\\$/ && (getline more) > 0) { sub(/\\$/, "", buf); buf = buf " " more }
               if (buf ~ /dotnet publish/) print substr(buf, 5) }' "$1"
}

publish_check() { # Dockerfile FLAVOR file... (!file: must be absent)
  local dockerfile=$1 flavor=$2 out run missing=()
  shift 2
  out=$(mktemp -d)
  run=$(publish_instruction "$dockerfile")
  [[ $run == *" -o /app"* ]] || { echo "FAIL  $dockerfile: no 'dotnet publish ... -o /app' instruction" >&2; exit 1; }
  # As in the image: /bin/sh, the build argument FLAVOR in the environment, the context's paths; only the
  # output folder differs.
  FLAVOR=$flavor sh -ec "${run/ -o \/app/ -o $out}" >"$out.log" 2>&1 || { cat "$out.log" >&2; echo "FAIL  $dockerfile FLAVOR=$flavor" >&2; exit 1; }
  for f in "$@"; do
    if [[ $f == !* ]]; then [[ ! -e $out/${f#!} ]] || missing+=("$f"); else [[ -e $out/$f ]] || missing+=("$f"); fi
  done
  ((${#missing[@]} == 0)) || { echo "FAIL  $dockerfile FLAVOR=$flavor: expected ${missing[*]}" >&2; exit 1; }
  echo "ok    $dockerfile${flavor:+ FLAVOR=$flavor}: published $(du -sh "$out" | cut -f1) with $*"
  rm -rf "$out" "$out.log"
}

if ((publish)); then
  need dotnet "the .NET 10 SDK runs the Dockerfiles' publish commands"
  publish_check src/Dla.Scheduler/Dockerfile "" Dla.Scheduler.dll libonnxruntime.so
  # The CPU flavour must not carry the CUDA provider (one native package per executable, never both).
  publish_check src/Dla.Worker/Dockerfile cpu Dla.Worker.dll libonnxruntime.so libSkiaSharp.so '!libonnxruntime_providers_cuda.so'
  publish_check src/Dla.Worker/Dockerfile gpu Dla.Worker.dll libonnxruntime.so libonnxruntime_providers_cuda.so libSkiaSharp.so
fi
echo "deployment files valid (${SECONDS} s)"
