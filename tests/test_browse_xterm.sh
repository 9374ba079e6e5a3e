# End to end in a real sixel terminal: irra browse in `xterm -ti vt340` under Xvfb, a screenshot
# (xwd), and a check that the gallery's crops appear as pixels: the synthetic crops' shirt and
# trouser colours cover the tiles in sixel mode and are absent in text-only mode.
. tests/lib.sh
for p in Xvfb xterm xwd; do
    command -v $p >/dev/null || { echo "FAIL $p missing (mk/deps.sh installs xvfb xterm x11-apps)"; exit 1; }
done
. tests/browse_fixture.sh
fixture || { echo "FAIL fixture: could not make the test model and gallery"; exit 1; }

d=$((100 + $$ % 800))
while [ -e /tmp/.X11-unix/X$d ]; do d=$((d + 1)); done
Xvfb :$d -screen 0 1280x900x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null; [ -n "$KEEP" ] && cp "$TMP"/*.xwd "$KEEP"; rm -rf "$TMP"' EXIT
i=0; while [ ! -e /tmp/.X11-unix/X$d ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done

# shot MODE FILE: runs the browser in a fresh xterm, screenshots once the tiles are drawn
shot() {
    rm -f "$TMP/up"
    DISPLAY=:$d LANG=C.UTF-8 xterm -ti vt340 -geometry 100x40+0+0 \
        -e sh -c "touch $TMP/up; LANG=C.UTF-8 $IRRA browse $MODEL_ARGS --graphics $1 --history '' --query 'a person in a red shirt'" &
    xt=$!
    i=0; while [ ! -e "$TMP/up" ] && [ $i -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
    sleep 4
    xwd -root -display :$d -silent >"$2"
    kill $xt 2>/dev/null; wait $xt 2>/dev/null
}
colour_pixels() { # colour_pixels FILE: pixels near each crop colour, one count per line
    /usr/bin/python3 - "$1" <<'PY'
import sys, struct, numpy as np
b = open(sys.argv[1], 'rb').read()
h = struct.unpack('>25I', b[:100])
hsize, w, ht, order, bpp, bpl, ncol = h[0], h[4], h[5], h[7], h[11], h[12], h[19]
assert bpp == 32, bpp
data = np.frombuffer(b, dtype='<u4' if order == 0 else '>u4', offset=hsize + 12 * ncol, count=bpl * ht // 4)
px = data.reshape(ht, bpl // 4)[:, :w]
rgb = np.stack([(px >> 16) & 255, (px >> 8) & 255, px & 255], -1).astype(int)
for c in [(200, 30, 30), (30, 50, 200), (30, 160, 50), (220, 200, 40)]:
    print(int((np.abs(rgb - c).max(-1) <= 25).sum()))
PY
}

crops_appear_in_sixel_mode() {
    shot sixel "$TMP/sixel.xwd"
    counts=$(colour_pixels "$TMP/sixel.xwd") || fail "cannot read the screenshot"
    n=0; for c in $counts; do [ "$c" -gt 300 ] && n=$((n + 1)); done
    [ $n -ge 3 ] || fail "crop colours on screen: $(echo $counts)"
}
no_crops_in_text_mode() {
    shot none "$TMP/none.xwd"
    counts=$(colour_pixels "$TMP/none.xwd") || fail "cannot read the screenshot"
    for c in $counts; do [ "$c" -lt 50 ] || fail "colour pixels without images: $(echo $counts)"; done
}


doctor_detects_sixel_in_xterm() {
    DISPLAY=:$d xterm -ti vt340 -geometry 100x40+0+0 -e sh -c "$IRRA doctor >$TMP/doctor.txt 2>&1" &
    xt=$!
    i=0; while ! grep -q '^graphics' "$TMP/doctor.txt" 2>/dev/null && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
    kill $xt 2>/dev/null; wait $xt 2>/dev/null
    grep -q '^graphics: sixel (DA1 lists 4' "$TMP/doctor.txt" || fail "$(cat "$TMP/doctor.txt")"
    grep -q 'XTVERSION: XTerm(' "$TMP/doctor.txt" || fail "no XTVERSION"
    grep -q 'sixel colour registers: [1-9]' "$TMP/doctor.txt" || fail "no registers"
    grep -q '^cell size: [0-9]*x[0-9]* px (TIOCGWINSZ' "$TMP/doctor.txt" || fail "cell size"
}
t crops_appear_in_sixel_mode
t no_crops_in_text_mode
t doctor_detects_sixel_in_xterm
