#!/usr/bin/env bash
# Builds a sample dataset of 200 photographs (1000×750 crops of Debian's sample photos, the golden
# images, and the three corrupt golden files) and labels it with `dla run`.
# Usage: scripts/demo.sh [folder] [extra dla run options]   (default model: dla46_c with the golden weights)
set -euo pipefail
cd "$(dirname "$0")/.."
folder="${1:-${DLA_DATA_DIR:-$HOME/.local/share/dla}/demo-photos}"
shift || true
golden=../shared/golden
photos=$(scripts/sample-photos.sh)
if [[ ! -d "$folder" ]]; then
  ./dla dataset sample "$folder" --count 200 --sources "$photos" "$golden/images/files" \
    --bad "$golden/images/files/bad-empty.jpg" "$golden/images/files/bad-truncated.jpg" "$golden/images/files/bad-not-an-image.jpg"
fi
if [[ $# -eq 0 ]]; then
  set -- --model dla46_c --weights "$golden/models/dla46_c/weights.safetensors"
fi
./dla run "$folder" "$@" --export "${folder%/}-results.csv"
