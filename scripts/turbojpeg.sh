#!/usr/bin/env bash
# Installs the system's TurboJPEG (Debian's libturbojpeg0: libjpeg-turbo with its SIMD code) when it is missing.
# Dla decodes JPEGs with it about twice as fast as with the libjpeg-turbo bundled in SkiaSharp, which is built
# without SIMD; the pixels are the same. Without it (not root, no apt, offline) JPEGs still decode, through Skia:
# this script never fails. Called by ./dla and scripts/test.sh.
ldconfig -p 2>/dev/null | grep -q 'libturbojpeg\.so\.0' && exit 0
if [[ $(id -u) == 0 ]] && command -v apt-get >/dev/null; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get -o DPkg::Lock::Timeout=300 install -y -qq libturbojpeg0 >/dev/null 2>&1 ||
    { apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null 2>&1 &&
      apt-get -o DPkg::Lock::Timeout=300 install -y -qq libturbojpeg0 >/dev/null 2>&1; } || true
fi
ldconfig -p 2>/dev/null | grep -q 'libturbojpeg\.so\.0' ||
  echo "note: libturbojpeg0 is not installed; JPEGs decode without SIMD, about half as fast (apt-get install libturbojpeg0)" >&2
exit 0
