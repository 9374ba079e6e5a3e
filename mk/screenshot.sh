#!/bin/sh
# The README's screenshot: irra browse on the shipped model and gallery in a real sixel terminal
# (xterm -ti vt340 under Xvfb, as tests/test_browse_xterm.sh runs it), answering QUERY; the
# xterm window is cropped out of the screen and written as a PNG.
# usage: sh mk/screenshot.sh BUILD_DIR OUT.png ["QUERY"] [KEYS]
#   KEYS: extra keys typed once the results are drawn (e.g. "h" for the similarity heatmap)
set -e
build=${1:-build}; out=${2:-docs/browser.png}; query=${3:-a woman in a red dress}; keys=$4
need="Xvfb xterm xwd"; [ -n "$keys" ] && need="$need xdotool"
for p in $need; do
    command -v $p >/dev/null || { echo "screenshot: $p missing (apt install xvfb xterm x11-apps xdotool)" >&2; exit 2; }
done
tmp=$(mktemp -d)
d=$((100 + $$ % 800))
while [ -e /tmp/.X11-unix/X$d ]; do d=$((d + 1)); done
Xvfb :$d -screen 0 1400x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; rm -rf "$tmp"' EXIT
i=0; while [ ! -e /tmp/.X11-unix/X$d ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
DISPLAY=:$d LANG=C.UTF-8 xterm -ti vt340 -fa Monospace -fs 11 -geometry 120x36+0+0 -bg '#15171c' -fg grey90 \
    -e sh -c "LANG=C.UTF-8 $build/irra browse --graphics sixel --history '' --query '$query'" &
xt=$!
sleep 6
[ -n "$keys" ] && DISPLAY=:$d xdotool type --delay 200 "$keys" && sleep 3
xwd -root -display :$d -silent >"$tmp/shot.xwd"
kill $xt 2>/dev/null || true
/usr/bin/python3 - "$tmp/shot.xwd" "$out" <<'PY'
import struct, sys
import numpy as np
from PIL import Image
b = open(sys.argv[1], "rb").read()
h = struct.unpack(">25I", b[:100])
hsize, w, ht, order, bpp, bpl, ncol = h[0], h[4], h[5], h[7], h[11], h[12], h[19]
data = np.frombuffer(b, dtype="<u4" if order == 0 else ">u4", offset=hsize + 12 * ncol, count=bpl * ht // 4)
px = data.reshape(ht, bpl // 4)[:, :w]
rgb = np.stack([(px >> 16) & 255, (px >> 8) & 255, px & 255], -1).astype(np.uint8)
ys, xs = np.nonzero(rgb.max(-1) > 0)  # the xterm window: the screen around it is black
rgb = rgb[: ys.max() + 1, : xs.max() + 1]
Image.fromarray(rgb).save(sys.argv[2], optimize=True)
print("screenshot: %s, %dx%d" % (sys.argv[2], rgb.shape[1], rgb.shape[0]))
PY
