#!/usr/bin/env bash
# Decode + preprocessing per core, Dla against Pillow (issue: decode faster than Pillow). Each pipeline turns
# the same encoded photographs, held in memory, into the 224×224 normalised input tensor of timm's eval
# transform (resize the short side to 256 bilinear, centre crop 224, /255, mean/std) with no model, pinned to
# one core (taskset -c 0). Rounds alternate Pillow, dla exact, dla fast, so drift hits all three; medians
# and their ratios are printed last.
#
#   scripts/bench-decode.sh [folder] [seconds per measurement = 10] [rounds = 3]
#
# Without a folder: 200 photographs of 1000×750 cut from ../shared/golden by `dla dataset sample` (or from
# scripts/sample-photos.sh when ../shared is absent). Installs Debian's python3-pil and python3-numpy.
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
folder=${1:-}
seconds=${2:-10}
rounds=${3:-3}
cd "$repo"
source scripts/lib/run-rates.sh

if [[ -z $folder ]]; then
  folder=/tmp/dla-bench-decode/photos-1000x750
  if [[ ! -d $folder ]]; then
    sources=$repo/../shared/golden/images/files
    [[ -d $sources ]] || sources=$(scripts/sample-photos.sh)
    ./dla dataset sample "$folder" --count 200 --size 1000x750 --sources "$sources" >/dev/null
  fi
fi
# Debian's interpreter: the one python3-pil installs into (another python3 may come first in PATH).
py=/usr/bin/python3
if ! $py -c 'import PIL, numpy' 2>/dev/null; then
  echo "installing python3-pil python3-numpy (Debian)" >&2
  apt-get install -y -q python3-pil python3-numpy >/dev/null 2>&1 || { apt-get update -q >/dev/null && apt-get install -y -q python3-pil python3-numpy >/dev/null; }
fi

pillow() {
  taskset -c 0 $py - "$folder" "$seconds" <<'PY'
import io, os, sys, time
import numpy as np
from PIL import Image
folder, seconds = sys.argv[1], float(sys.argv[2])
names = sorted(f for f in os.listdir(folder) if f.lower().endswith(('.jpg', '.jpeg', '.png', '.webp')))
blobs = [open(os.path.join(folder, f), 'rb').read() for f in names]
mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
std = np.array([0.229, 0.224, 0.225], dtype=np.float32)
def tensor(blob):
    # timm's eval transform for DLA (crop_pct 0.875, bilinear): torchvision Resize(256) + CenterCrop(224) on PIL.
    img = Image.open(io.BytesIO(blob)).convert('RGB')
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    size = (256, int(256 * long / short)) if w <= h else (int(256 * long / short), 256)
    img = img.resize(size, Image.BILINEAR)
    left, top = int(round((size[0] - 224) / 2.0)), int(round((size[1] - 224) / 2.0))
    img = img.crop((left, top, left + 224, top + 224))
    a = np.asarray(img, dtype=np.float32) / 255.0
    return ((a - mean) / std).transpose(2, 0, 1).copy()
for b in blobs:
    tensor(b)
n, start, i = 0, time.perf_counter(), 0
while time.perf_counter() - start < seconds:
    tensor(blobs[i % len(blobs)]); n += 1; i += 1
print(f"{n / (time.perf_counter() - start):.1f} images/s")
PY
}

dla() { taskset -c 0 ./dla bench decode "$folder" --threads 1 --decode "$1" --seconds "$seconds" | tail -1; }

./dla bench decode "$folder" --seconds 0.1 >/dev/null  # builds the tool once, outside the measurements
declare -a p e f re rf
for ((r = 1; r <= rounds; r++)); do
  p+=("$(pillow | awk '{print $1}')")
  e+=("$(dla exact | awk '{print $1}')")
  f+=("$(dla fast | awk '{print $1}')")
  # Within a round the three ran back to back: their ratio is what survives a noisy shared machine.
  re+=("$(ratio "${e[-1]}" "${p[-1]}")")
  rf+=("$(ratio "${f[-1]}" "${p[-1]}")")
  echo "round $r: pillow ${p[-1]}, dla exact ${e[-1]} (${re[-1]}×), dla fast ${f[-1]} (${rf[-1]}×) images/s on one core"
done
median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
echo "folder $folder ($(ls "$folder" | wc -l) files), $seconds s per measurement, $rounds rounds, medians on one core:"
echo "pillow $(median "${p[@]}") images/s"
echo "dla exact $(median "${e[@]}") images/s; $(median "${re[@]}")× pillow (median of the rounds' ratios)"
echo "dla fast $(median "${f[@]}") images/s; $(median "${rf[@]}")× pillow (median of the rounds' ratios)"
