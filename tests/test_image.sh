# Image decoding and IRRA's evaluation transform (model/image.h) against Pillow, the library
# IRRA reads and resizes images with (utils/iotools.py, torchvision Resize on PIL images).
# Every reference image is written here by Pillow; every reference value comes from Pillow or
# from numpy doing torchvision's ToTensor + Normalize. Python starts slowly, so one run writes
# every fixture and each test checks all its cases in one run.
. tests/lib.sh
TOOL="$build/tests/tool_image"
PY=/usr/bin/python3
F="$TMP/fix"

# Resize cases, SRC_W SRC_H DST_W DST_H each: IRRA's 384x128 target from larger, smaller, odd
# and one-axis sources, and small odd targets.
DOWN="300 900 128 384  1000 3000 128 384  129 385 128 384  255 7 17 3  97 211 1 1"
UP="64 100 128 384  1 1 128 384  3 5 7 11  127 383 128 384"
MIXED="64 900 128 384  300 200 128 384  128 900 128 384  300 384 128 384  128 100 128 384"

# ref.py fixtures DIR SW SH DW DH ... | load LIMIT IN RAW ... | resize DIR SW SH DW DH ... |
#        preprocess H W IN F32 ...
cat >"$TMP/ref.py" <<'EOF'
import struct, sys, zlib
import numpy as np
from PIL import Image

def picture(w, h):
    # noise over gradients: every rounding of the resampler is exercised, and edges clip
    rng = np.random.default_rng(w * 7919 + h)
    y, x = np.mgrid[0:h, 0:w]
    base = np.stack([x * 255 // max(w - 1, 1), y * 255 // max(h - 1, 1), (x ^ y) & 255], -1)
    return np.clip(base + rng.integers(-60, 61, (h, w, 3)), 0, 255).astype(np.uint8)

def fail(msg):
    print(msg)
    sys.exit(1)

def ints(v):
    return list(map(int, v))

def fixtures(d, sizes):
    for sw, sh in zip(sizes[0::4], sizes[1::4]):
        Image.fromarray(picture(sw, sh)).save(f'{d}/{sw}x{sh}.png')
    a = picture(37, 23)
    Image.fromarray(a).save(f'{d}/rgb.png')
    Image.fromarray(a[:, :, 0]).save(f'{d}/gray.png')
    Image.fromarray(np.dstack([a, a[:, :, 1]])).save(f'{d}/rgba.png')
    Image.fromarray(a).quantize(37).save(f'{d}/palette.png')
    Image.fromarray(picture(31, 17)).save(f'{d}/rgb.bmp')
    Image.fromarray(picture(300, 900)).save(f'{d}/photo.jpg', quality=90)
    Image.fromarray(picture(128, 384)).save(f'{d}/exact.png')
    # WebP and TIFF, which stb_image lacks (libwebp and libtiff, as Pillow reads them)
    Image.fromarray(picture(41, 77)).save(f'{d}/lossless.webp', lossless=True)
    Image.fromarray(picture(41, 77)).save(f'{d}/lossy.webp', quality=80)
    Image.fromarray(picture(33, 65)).save(f'{d}/plain.tiff')
    Image.fromarray(picture(33, 65)).save(f'{d}/lzw.tif', compression='tiff_lzw')
    Image.fromarray(a[:, :, 0]).save(f'{d}/gray.tiff')
    Image.fromarray(picture(20, 30)).save(f'{d}/dossier été/piéton n°1 ☂.png')
    # a PNG header claiming 20000 x 10, and nothing else
    ihdr = struct.pack('>IIBBBBB', 20000, 10, 8, 2, 0, 0, 0)
    chunk = lambda t, b: struct.pack('>I', len(b)) + t + b + struct.pack('>I', zlib.crc32(t + b))
    open(f'{d}/huge.png', 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) + chunk(b'IEND', b''))

def load(limit, pairs):
    for path, raw in zip(pairs[0::2], pairs[1::2]):
        want = np.asarray(Image.open(path).convert('RGB')).reshape(-1).astype(int)
        got = np.fromfile(raw, np.uint8).astype(int)
        if got.size != want.size:
            fail(f'{path}: {got.size} bytes, want {want.size}')
        d = np.abs(got - want)
        if d.max() > limit:
            fail(f'{path}: max difference {d.max()} > {limit}, {np.count_nonzero(d)} bytes differ')

def resize(d, v):
    for sw, sh, w, h in zip(v[0::4], v[1::4], v[2::4], v[3::4]):
        want = np.asarray(Image.open(f'{d}/{sw}x{sh}.png').convert('RGB').resize((w, h), Image.BILINEAR))
        got = np.fromfile(f'{d}/{sw}x{sh}-{w}x{h}.raw', np.uint8)
        if got.size != want.size:
            fail(f'{sw}x{sh} -> {w}x{h}: {got.size} bytes, want {want.size}')
        n = np.count_nonzero(got != want.reshape(-1))
        if n:
            fail(f'{sw}x{sh} -> {w}x{h}: {n} of {got.size} bytes differ from Pillow')

def preprocess(h, w, pairs):
    mean = np.array([0.48145466, 0.4578275, 0.40821073], np.float32)[:, None, None]
    std = np.array([0.26862954, 0.26130258, 0.27577711], np.float32)[:, None, None]
    for path, out in zip(pairs[0::2], pairs[1::2]):
        im = Image.open(path).convert('RGB')
        if im.size != (w, h):
            im = im.resize((w, h), Image.BILINEAR)
        x = np.asarray(im).astype(np.float32).transpose(2, 0, 1) / np.float32(255)
        want = (x - mean) / std
        got = np.fromfile(out, np.float32)
        if got.size != want.size:
            fail(f'{path}: {got.size} floats, want {want.size}')
        if np.abs(got - want.reshape(-1)).max() > 1e-6:
            fail(f'{path}: max difference {np.abs(got - want.reshape(-1)).max()}')

cmd, a = sys.argv[1], sys.argv[2:]
if cmd == 'fixtures':
    fixtures(a[0], ints(a[1:]))
elif cmd == 'load':
    load(int(a[0]), a[1:])
elif cmd == 'resize':
    resize(a[0], ints(a[1:]))
else:
    preprocess(int(a[0]), int(a[1]), a[2:])
EOF

ref() { $PY "$TMP/ref.py" "$@"; }

# check_resize SW SH DW DH [...]: our resize of F/SWxSH.png equals Pillow's, byte for byte.
check_resize() {
    all="$*"
    while [ $# -ge 4 ]; do
        "$TOOL" resize "$F/$1x$2.png" "$3" "$4" "$F/$1x$2-$3x$4.raw" ||
            { fail "tool failed on $1x$2 -> $3x$4"; return 1; }
        shift 4
    done
    ref resize "$F" $all
}
# bad_file FILE: the tool fails with status 2 and a message naming FILE (printed).
bad_file() {
    out=$("$TOOL" load "$1" "$TMP/x.raw" 2>&1); rc=$?
    [ $rc -eq 2 ] || { fail "$1: exit $rc"; return 1; }
    case "$out" in *"$1"*) ;; *) fail "message does not name $1: $out"; return 1 ;; esac
    echo "$out"
}

pillow_writes_the_fixtures() {
    $PY -c 'import PIL, numpy' || { fail "/usr/bin/python3 lacks PIL or numpy (python3-pil, python3-numpy)"; return 1; }
    mkdir -p "$F/dossier été" && ref fixtures "$F" $DOWN $UP $MIXED
}
png_and_bmp_decode_to_pillow_bytes() {
    set --
    for f in rgb.png gray.png rgba.png palette.png rgb.bmp; do
        "$TOOL" load "$F/$f" "$F/$f.raw" >/dev/null || { fail "load $f"; return 1; }
        set -- "$@" "$F/$f" "$F/$f.raw"
    done
    ref load 0 "$@"
}
load_reports_width_and_height() {
    [ "$("$TOOL" load "$F/rgb.png" "$TMP/d.raw")" = "37 23" ] || fail "size"
}
jpeg_decodes_within_a_few_levels_of_libjpeg() {
    # stb's IDCT and chroma upsampling are not libjpeg's; the bound documents how far apart.
    "$TOOL" load "$F/photo.jpg" "$F/photo.raw" >/dev/null || { fail "load jpeg"; return 1; }
    ref load 4 "$F/photo.jpg" "$F/photo.raw"
}
webp_and_tiff_decode_to_pillow_bytes() {
    set --
    for f in lossless.webp lossy.webp plain.tiff lzw.tif gray.tiff; do
        "$TOOL" load "$F/$f" "$F/$f.raw" >/dev/null || { fail "load $f"; return 1; }
        set -- "$@" "$F/$f" "$F/$f.raw"
    done
    ref load 0 "$@"
}
broken_webp_and_tiff_are_one_line_errors() {
    head -c 200 "$F/lossy.webp" >"$TMP/trunc.webp"
    out=$(bad_file "$TMP/trunc.webp") || return 1
    [ "$(echo "$out" | wc -l)" = 1 ] || fail "webp: $out"
    { head -c 8 "$F/plain.tiff"; head -c 3000 /dev/urandom; } >"$TMP/corrupt.tiff"
    out=$(bad_file "$TMP/corrupt.tiff") || return 1
    [ "$(echo "$out" | wc -l)" = 1 ] || fail "libtiff printed: $out"
}
resize_downscale_matches_pillow() { check_resize $DOWN; }
resize_upscale_matches_pillow() { check_resize $UP; }
resize_mixed_and_single_axis_match_pillow() { check_resize $MIXED; }
resize_to_same_size_is_a_copy() {
    "$TOOL" resize "$F/exact.png" 128 384 "$TMP/s.raw" || { fail "tool"; return 1; }
    "$TOOL" load "$F/exact.png" "$TMP/s2.raw" >/dev/null || { fail "load"; return 1; }
    cmp -s "$TMP/s.raw" "$TMP/s2.raw" || fail "bytes changed"
}
preprocess_matches_totensor_normalize() {
    # one image that needs resizing, one already 384 x 128
    "$TOOL" preprocess "$F/300x900.png" 384 128 "$TMP/p.f32" || { fail "tool"; return 1; }
    "$TOOL" preprocess "$F/exact.png" 384 128 "$TMP/q.f32" || { fail "tool"; return 1; }
    ref preprocess 384 128 "$F/300x900.png" "$TMP/p.f32" "$F/exact.png" "$TMP/q.f32"
}
empty_file_is_an_error_naming_it() {
    : >"$TMP/empty.png"
    bad_file "$TMP/empty.png" | grep -q "empty" || fail "no 'empty'"
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
    head -c 20000 "$F/photo.jpg" >"$TMP/trunc.jpg"
    bad_file "$TMP/trunc.jpg" >/dev/null
}
truncated_and_corrupt_png_are_errors() {
    head -c 300 "$F/300x200.png" >"$TMP/trunc.png"
    bad_file "$TMP/trunc.png" >/dev/null || return 1
    # a valid signature and header, then garbage where the compressed pixels should be
    { head -c 33 "$F/300x200.png"; head -c 5000 /dev/urandom; } >"$TMP/corrupt.png"
    bad_file "$TMP/corrupt.png" >/dev/null
}
huge_dimensions_are_refused_before_decoding() {
    bad_file "$F/huge.png" | grep -q "20000 x 10" || fail "no size in message"
}
path_with_spaces_and_utf8_loads() {
    [ "$("$TOOL" load "$F/dossier été/piéton n°1 ☂.png" "$TMP/u.raw")" = "20 30" ] || fail "load"
}

t pillow_writes_the_fixtures
t png_and_bmp_decode_to_pillow_bytes
t load_reports_width_and_height
t webp_and_tiff_decode_to_pillow_bytes
t broken_webp_and_tiff_are_one_line_errors
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
