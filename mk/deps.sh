#!/bin/sh
# Checks the Debian packages that irra's build and tests need; as root, installs the missing
# ones (apt-get update first when the package lists are empty); otherwise prints the exact
# apt-get line and fails.
PKGS="gcc make pkg-config libc6-dev clang-14 libclang-rt-14-dev libomp-14-dev valgrind
libopenblas-openmp-dev libsixel-dev libstb-dev libncurses-dev libreadline-dev
libjson-c-dev libyaml-dev libpcre2-dev libutf8proc-dev libsqlite3-dev zlib1g-dev libdeflate-dev
libwebp-dev libtiff-dev libplplot-dev plplot-driver-cairo
python3 python3-torch python3-torchvision python3-numpy python3-pil python3-yaml dataset-fashion-mnist
tmux mandoc xvfb xterm x11-apps libsixel-bin time"
missing=""
for p in $PKGS; do
    st=$(dpkg-query -W -f='${Status}' "$p" 2>/dev/null)
    case "$st" in *"install ok installed"*) ;; *) missing="$missing $p" ;; esac
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ]; then
    echo "irra: missing Debian packages; run as root:" >&2
    echo "  apt-get install -y$missing" >&2
    exit 1
fi
echo "irra: installing$missing" >&2
if [ -z "$(ls -A /var/lib/apt/lists 2>/dev/null | grep -v -e lock -e partial)" ]; then
    apt-get update -q >&2 || exit 1
fi
DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2 && exit 0
# A stale package list is the usual cause of a failed install: refresh once and retry.
apt-get update -q >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q $missing >&2
