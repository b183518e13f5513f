#!/usr/bin/env bash
# Fetches real photographs from Debian packages (no PyPI/hub needed) into a cache folder, for demo
# and benchmark datasets: scikit-image and scikit-learn sample data (small), and with --large the
# KDE Plasma wallpapers (2560×1600 photos, ~94 MB download). Prints the folder.
# Usage: scripts/sample-photos.sh [--large]
set -euo pipefail
dest="${DLA_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/dla}/sample-photos"
packages=(python3-skimage python3-sklearn)
[[ "${1:-}" == --large ]] && packages+=(plasma-workspace-wallpapers)
mkdir -p "$dest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for package in "${packages[@]}"; do
  marker="$dest/.$package"
  [[ -f "$marker" ]] && continue
  if ! (cd "$work" && apt-get download -q "$package" >/dev/null 2>&1); then
    [[ -n "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v lock)" ]] || apt-get update -q >/dev/null 2>&1 || true
    (cd "$work" && apt-get download -q "$package" >/dev/null 2>&1) || { echo "sample-photos: cannot download $package; skipping" >&2; continue; }
  fi
  dpkg-deb -x "$work"/"$package"_*.deb "$work/$package"
  # Keep photographs only: JPEGs, and the PNG photos of scikit-image's data folder.
  find "$work/$package" -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -path '*skimage/data/*.png' \) -size +20k \
    -exec cp -n {} "$dest/" \;
  touch "$marker"
done
echo "$dest"
