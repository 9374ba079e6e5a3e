# Image decoding and IRRA's evaluation transform (model/image.h) against Pillow, the library
# IRRA reads and resizes images with (utils/iotools.py, torchvision Resize on PIL images).
# Every reference image is written here by Pillow; every reference value comes from Pillow or
# from numpy doing torchvision's ToTensor + Normalize.
. tests/lib.sh
TOOL="$build/tests/tool_image"
PY=/usr/bin/python3

# ref.py: make KIND W H OUT | load IN RAW | resize IN W H RAW | preprocess IN H W F32
cat >"$TMP/ref.py" <<'EOF'
import sys
import numpy as np
from PIL import Image

def picture(w, h, seed):
    # noise over gradients: every rounding of the resampler is exercised, and edges clip
    rng = np.random.default_rng(seed)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), (x ^ y) & 255], -1)
    noise = rng.integers(-60, 61, (h, w, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)

def fail(msg):
    print(msg)
    sys.exit(1)

cmd = sys.argv[1]
if cmd == 'make':
    kind, w, h, out = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), sys.argv[5]
    a = picture(w, h, w * 7919 + h)
    if kind == 'rgb':
        Image.fromarray(a).save(out)
    elif kind == 'gray':
        Image.fromarray(a[:, :, 0]).save(out)
    elif kind == 'rgba':
        Image.fromarray(np.dstack([a, a[:, :, 1]])).save(out)
    elif kind == 'palette':
        Image.fromarray(a).quantize(37).save(out)
    elif kind == 'jpeg':
        Image.fromarray(a).save(out, quality=90)
    else:
        fail('bad kind ' + kind)
elif cmd == 'load':
    want = np.asarray(Image.open(sys.argv[2]).convert('RGB'))
    got = np.fromfile(sys.argv[3], np.uint8)
    if got.size != want.size:
        fail(f'{got.size} bytes, want {want.size}')
    d = np.abs(got.astype(int) - want.reshape(-1).astype(int))
    limit = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    if d.max() > limit:
        fail(f'max difference {d.max()} > {limit}, {np.count_nonzero(d)} bytes differ')
    print(f'max {d.max()} mean {d.mean():.4f}')
elif cmd == 'resize':
    w, h = int(sys.argv[3]), int(sys.argv[4])
    want = np.asarray(Image.open(sys.argv[2]).convert('RGB').resize((w, h), Image.BILINEAR))
    got = np.fromfile(sys.argv[5], np.uint8)
    if got.size != want.size:
        fail(f'{got.size} bytes, want {want.size}')
    n = np.count_nonzero(got != want.reshape(-1))
    if n:
        fail(f'{n} of {got.size} bytes differ from Pillow')
elif cmd == 'preprocess':
    h, w = int(sys.argv[3]), int(sys.argv[4])
    im = Image.open(sys.argv[2]).convert('RGB')
    if im.size != (w, h):
        im = im.resize((w, h), Image.BILINEAR)
    x = np.asarray(im).astype(np.float32).transpose(2, 0, 1) / np.float32(255)
    mean = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)[:, None, None]
    std = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)[:, None, None]
    want = (x - mean) / std
    got = np.fromfile(sys.argv[5], np.float32)
    if got.size != want.size:
        fail(f'{got.size} floats, want {want.size}')
    d = np.abs(got - want.reshape(-1)).max()
    if d > 1e-6:
        fail(f'max difference {d}')
EOF

ref() { $PY "$TMP/ref.py" "$@"; }
make_img() { ref make "$@" || fail "cannot write $*"; }

# resize_case SRC_W SRC_H DST_W DST_H: a PNG (lossless, so decoding is not under test) resized by
# us and by Pillow must be the same bytes.
resize_case() {
    make_img rgb "$1" "$2" "$TMP/r.png" || return 1
    "$TOOL" resize "$TMP/r.png" "$3" "$4" "$TMP/r.raw" || { fail "tool failed on $*"; return 1; }
    ref resize "$TMP/r.png" "$3" "$4" "$TMP/r.raw" || { fail "$1x$2 -> $3x$4"; return 1; }
}

pillow_is_installed() {
    $PY -c 'import PIL, numpy' || { fail "/usr/bin/python3 lacks PIL or numpy (python3-pil, python3-numpy)"; return 1; }
}
png_and_bmp_decode_to_pillow_bytes() {
    for k in rgb gray rgba palette; do
        make_img $k 37 23 "$TMP/d.png" || return 1
        "$TOOL" load "$TMP/d.png" "$TMP/d.raw" >/dev/null || { fail "load $k"; return 1; }
        ref load "$TMP/d.png" "$TMP/d.raw" >/dev/null || { fail "$k PNG"; return 1; }
    done
    make_img rgb 31 17 "$TMP/d.bmp" || return 1
    "$TOOL" load "$TMP/d.bmp" "$TMP/d.raw" >/dev/null || { fail "load bmp"; return 1; }
    ref load "$TMP/d.bmp" "$TMP/d.raw" >/dev/null || { fail "BMP"; return 1; }
}
load_reports_width_and_height() {
    make_img rgb 37 23 "$TMP/d.png" || return 1
    [ "$("$TOOL" load "$TMP/d.png" "$TMP/d.raw")" = "37 23" ] || { fail "size"; return 1; }
}
jpeg_decodes_within_a_few_levels_of_libjpeg() {
    # stb's IDCT and chroma upsampling are not libjpeg's; the bound documents how far apart.
    make_img jpeg 300 900 "$TMP/d.jpg" || return 1
    "$TOOL" load "$TMP/d.jpg" "$TMP/d.raw" >/dev/null || { fail "load jpeg"; return 1; }
    ref load "$TMP/d.jpg" "$TMP/d.raw" 4 || { fail "JPEG"; return 1; }
}
resize_downscale_matches_pillow() {
    resize_case 300 900 128 384 && resize_case 1000 3000 128 384 &&
        resize_case 129 385 128 384 && resize_case 255 7 17 3 && resize_case 97 211 1 1
}
resize_upscale_matches_pillow() {
    resize_case 64 100 128 384 && resize_case 1 1 128 384 && resize_case 3 5 7 11 &&
        resize_case 127 383 128 384
}
resize_mixed_and_single_axis_match_pillow() {
    resize_case 64 900 128 384 && resize_case 300 200 128 384 &&
        resize_case 128 900 128 384 && resize_case 300 384 128 384 && resize_case 128 100 128 384
}
resize_to_same_size_is_a_copy() {
    make_img rgb 128 384 "$TMP/s.png" || return 1
    "$TOOL" resize "$TMP/s.png" 128 384 "$TMP/s.raw" || { fail "tool"; return 1; }
    "$TOOL" load "$TMP/s.png" "$TMP/s2.raw" >/dev/null || { fail "load"; return 1; }
    cmp -s "$TMP/s.raw" "$TMP/s2.raw" || { fail "bytes changed"; return 1; }
}
preprocess_matches_totensor_normalize() {
    make_img rgb 300 900 "$TMP/p.png" || return 1
    "$TOOL" preprocess "$TMP/p.png" 384 128 "$TMP/p.f32" || { fail "tool"; return 1; }
    ref preprocess "$TMP/p.png" 384 128 "$TMP/p.f32" || { fail "resized"; return 1; }
    make_img rgb 128 384 "$TMP/q.png" || return 1
    "$TOOL" preprocess "$TMP/q.png" 384 128 "$TMP/q.f32" || { fail "tool"; return 1; }
    ref preprocess "$TMP/q.png" 384 128 "$TMP/q.f32" || { fail "already 384x128"; return 1; }
}

# bad_file FILE: the tool fails with status 2 and a message naming FILE.
bad_file() {
    out=$("$TOOL" load "$1" "$TMP/x.raw" 2>&1); rc=$?
    [ $rc -eq 2 ] || { fail "$1: exit $rc"; return 1; }
    case "$out" in *"$1"*) ;; *) fail "message does not name $1: $out"; return 1 ;; esac
    echo "$out"
}
empty_file_is_an_error_naming_it() {
    : >"$TMP/empty.png"
    bad_file "$TMP/empty.png" | grep -q "empty" || { fail "no 'empty'"; return 1; }
}
missing_file_and_directory_are_errors() {
    bad_file "$TMP/no such.png" >/dev/null && bad_file "$TMP" >/dev/null
}
text_file_is_an_error_naming_it() {
    echo "person in a red coat" >"$TMP/notes.jpg"
    bad_file "$TMP/notes.jpg" >/dev/null
}
truncated_jpeg_is_an_error_naming_it() {
    # IRRA sets LOAD_TRUNCATED_IMAGES, so Pillow would pad such a file with grey; stb refuses it
    # and the gallery skips the image with a warning instead.
    make_img jpeg 300 900 "$TMP/t.jpg" || return 1
    head -c 20000 "$TMP/t.jpg" >"$TMP/trunc.jpg"
    bad_file "$TMP/trunc.jpg" >/dev/null
}
truncated_and_corrupt_png_are_errors() {
    make_img rgb 300 200 "$TMP/t.png" || return 1
    head -c 300 "$TMP/t.png" >"$TMP/trunc.png"
    bad_file "$TMP/trunc.png" >/dev/null || return 1
    # a valid signature and header, then garbage where the compressed pixels should be
    { head -c 33 "$TMP/t.png"; head -c 5000 /dev/urandom; } >"$TMP/corrupt.png"
    bad_file "$TMP/corrupt.png" >/dev/null
}
huge_dimensions_are_refused_before_decoding() {
    # a PNG header claiming 20000 x 10: refused from the header, nothing allocated for it
    $PY - "$TMP/huge.png" <<'EOF' || return 1
import struct, sys, zlib
ihdr = struct.pack('>IIBBBBB', 20000, 10, 8, 2, 0, 0, 0)
chunk = lambda t, d: struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d))
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IEND', b''))
EOF
    bad_file "$TMP/huge.png" | grep -q "20000 x 10" || { fail "no size in message"; return 1; }
}
path_with_spaces_and_utf8_loads() {
    mkdir -p "$TMP/dossier été" || return 1
    make_img rgb 20 30 "$TMP/dossier été/piéton n°1 ☂.png" || return 1
    [ "$("$TOOL" load "$TMP/dossier été/piéton n°1 ☂.png" "$TMP/u.raw")" = "20 30" ] || { fail "load"; return 1; }
}

t pillow_is_installed
t png_and_bmp_decode_to_pillow_bytes
t load_reports_width_and_height
t jpeg_decodes_within_a_few_levels_of_libjpeg
t resize_downscale_matches_pillow
t resize_upscale_matches_pillow
t resize_mixed_and_single_axis_match_pillow
t resize_to_same_size_is_a_copy
t preprocess_matches_totensor_normalize
t empty_file_is_an_error_naming_it
t missing_file_and_directory_are_errors
t text_file_is_an_error_naming_it
t truncated_jpeg_is_an_error_naming_it
t truncated_and_corrupt_png_are_errors
t huge_dimensions_are_refused_before_decoding
t path_with_spaces_and_utf8_loads
