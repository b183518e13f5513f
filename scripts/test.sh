#!/usr/bin/env bash
# The project's test command (README): builds the solution with warnings as errors and runs every
# test project. Tests that need ../shared/golden skip with the reason when it is absent.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build Dla.sln -c Release -nologo
dotnet test Dla.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@"
