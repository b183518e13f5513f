#!/usr/bin/env bash
# The project's test command (README): starts the real services when they are not configured yet
# (scripts/services.sh: installs what is missing), builds the solution with warnings as errors and
# runs every test project. Tests that need ../shared/golden skip with the reason when it is absent.
# Arguments go to `dotnet test`, e.g. `scripts/test.sh --filter Category=Reliability` for the fault scenarios.
set -euo pipefail
cd "$(dirname "$0")/.."
if [[ -z "${ConnectionStrings__Postgres:-}" && "${DLA_SKIP_SERVICES:-}" != 1 ]]; then
  scripts/services.sh up
  eval "$(scripts/services.sh env)"
fi
# JPEG decoding with SIMD; TurboJpegDecoderTests compare it with Skia's decoder and skip without it.
scripts/turbojpeg.sh
dotnet build Dla.sln -c Release -nologo
rm -f artifacts/reliability.md
status=0
dotnet test Dla.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" || status=$?
# The fault scenarios (tests/Dla.Integration.Tests/Reliability) write their summary table here.
if [[ -s artifacts/reliability.md ]]; then
  echo "Reliability scenarios (docs/reliability.md):"
  cat artifacts/reliability.md
fi
exit "$status"
