#!/usr/bin/env bash
# Formats beyond baseline JPEG, exact mode against Pillow (issue: decode faster than Pillow, item 5: no
# regressions): from the 1000×750 photographs of scripts/bench-decode.sh, Pillow writes N images per format
# (progressive and CMYK JPEG, 8-bit RGB PNG, 16-bit RGB PNG, 16-bit grey PNG, palette PNG, lossy and lossless
# WebP) and each one's timm tensor beside it; then
#   exactness: tests/Dla.Modeling.Tests FormatParityReport prints mean/max |Δ| per format against Pillow;
#   speed:     scripts/bench-decode.sh on each format's folder (Pillow against dla, one core, alternating).
#
#   scripts/bench-formats.sh [images per format = 40] [seconds per measurement = 5] [rounds = 3]
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
count=${1:-40} seconds=${2:-5} rounds=${3:-3}
cd "$repo"
photos=/tmp/dla-bench-decode/photos-1000x750
[[ -d $photos ]] || scripts/bench-decode.sh "" 0.1 1 >/dev/null   # makes the photographs
out=/tmp/dla-bench-decode/formats
rm -rf "$out" && mkdir -p "$out"
/usr/bin/python3 - "$photos" "$out" "$count" <<'PY'
import io, os, struct, sys, zlib
import numpy as np
from PIL import Image
photos, out, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
names = sorted(f for f in os.listdir(photos) if f.lower().endswith('.jpg'))[:count]
mean = np.array([0.485, 0.456, 0.406], dtype=np.float32)
std = np.array([0.229, 0.224, 0.225], dtype=np.float32)

def tensor(path):
    # timm's eval transform for DLA on PIL, as in scripts/bench-decode.sh.
    img = Image.open(path).convert('RGB')
    w, h = img.size
    short, long = (w, h) if w <= h else (h, w)
    size = (256, int(256 * long / short)) if w <= h else (int(256 * long / short), 256)
    img = img.resize(size, Image.BILINEAR)
    left, top = int(round((size[0] - 224) / 2.0)), int(round((size[1] - 224) / 2.0))
    a = np.asarray(img.crop((left, top, left + 224, top + 224)), dtype=np.float32) / 255.0
    return ((a - mean) / std).transpose(2, 0, 1).astype('<f4').tobytes()

def png16(path, rgb8):
    # 16-bit RGB PNG (Pillow writes none): each sample v*257 plus noise in the low byte, which Pillow's reader drops.
    h, w, _ = rgb8.shape
    noise = np.random.default_rng(0).integers(0, 256, size=rgb8.shape, dtype=np.uint16)
    samples = (rgb8.astype(np.uint16) << 8 | noise).astype('>u2')
    raw = b''.join(b'\x00' + samples[y].tobytes() for y in range(h))
    chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
    with open(path, 'wb') as f:
        f.write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', w, h, 16, 2, 0, 0, 0))
                + chunk(b'IDAT', zlib.compress(raw, 6)) + chunk(b'IEND', b''))

writers = {
    'jpeg-progressive': ('jpg', lambda im, p: im.save(p, quality=90, progressive=True)),
    'jpeg-cmyk': ('jpg', lambda im, p: im.convert('CMYK').save(p, quality=90)),
    'png-rgb8': ('png', lambda im, p: im.save(p)),
    'png-rgb16': ('png', lambda im, p: png16(p, np.asarray(im))),
    'png-grey16': ('png', lambda im, p: Image.fromarray((np.asarray(im.convert('L')).astype(np.uint16) * 64).astype(np.uint16), 'I;16').save(p)),
    'png-palette': ('png', lambda im, p: im.quantize(256).save(p)),
    'webp-lossy': ('webp', lambda im, p: im.save(p, quality=90)),
    'webp-lossless': ('webp', lambda im, p: im.save(p, lossless=True)),
}
for folder, (ext, write) in writers.items():
    os.makedirs(os.path.join(out, folder))
    for name in names:
        path = os.path.join(out, folder, name[:-4] + '.' + ext)
        write(Image.open(os.path.join(photos, name)).convert('RGB'), path)
        with open(path + '.f32', 'wb') as f:
            f.write(tensor(path))
print(f"{len(names)} images in each of {', '.join(writers)} under {out}")
PY
dotnet build tests/Dla.Modeling.Tests -c Release -nologo -v q >/dev/null
DLA_FORMATS_FOLDER=$out dotnet test tests/Dla.Modeling.Tests -c Release --no-build --filter "FullyQualifiedName~FormatParityReport" \
  --logger "console;verbosity=detailed" | grep -E "images: mean" | sed 's/^ *//'
for folder in "$out"/*/; do
  echo "$(basename "$folder"): $(scripts/bench-decode.sh "$folder" "$seconds" "$rounds" | grep -E '^(pillow|dla exact)' | paste -sd ' ' | sed 's/ images\/s;/;/g')"
done
