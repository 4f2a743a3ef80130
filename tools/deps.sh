#!/bin/sh
# Installs the Debian packages soma needs, and does nothing when they are all there.
# Used by `make deps` and, as a quick check, before every build.
set -e
PKGS="build-essential pkg-config libgsl-dev liblua5.4-dev lua5.4 libsdl2-dev libsdl2-ttf-dev
libpng-dev librandom123-dev libopenblas-dev nettle-dev fonts-dejavu-core xvfb xauth xdotool python3 python3-numpy
python3-brian libopenmpi-dev openmpi-bin
clang libclang-rt-14-dev libomp-dev valgrind"
missing=""
for p in $PKGS; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing="$missing $p"
  fi
done
[ -z "$missing" ] && exit 0
echo "soma: installing missing Debian packages:$missing"
SUDO=""
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "soma: need root (or sudo) to run: apt-get install$missing" >&2; exit 1; fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends $missing
