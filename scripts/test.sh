#!/usr/bin/env bash
# The project's test command (README): starts the real services when they are not configured yet
# (scripts/services.sh: installs what is missing), builds the solution with warnings as errors and
# runs every test project. Tests that need ../shared/golden skip with the reason when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${ConnectionStrings__Postgres:-}" && "${DLA_SKIP_SERVICES:-}" != 1 ]]; then
  scripts/services.sh up
  eval "$(scripts/services.sh env)"
fi
dotnet build Dla.sln -c Release -nologo
dotnet test Dla.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
