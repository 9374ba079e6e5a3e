# Corrupt JPEGs (model/image.c): each is one clean error naming the file, or decodes; never a
# signal, never a read of memory the decoder did not write (valgrind, where installed); and a
# gallery build goes on past them. Debian's libstb asserted (abort) on some of these, depending
# on what its uninitialised Huffman tables happened to hold. Pillow writes the good JPEGs.
. tests/lib.sh
TOOL="$build/tests/tool_image"
PY=/usr/bin/python3
C="$TMP/corrupt"
mkdir -p "$C"

$PY - "$C" <<'PYEOF' || { echo "FAIL fixture: corrupt jpegs"; exit 1; }
import io, random, struct, sys
import numpy as np
from PIL import Image
d = sys.argv[1]
rng = np.random.default_rng(7)
px = rng.integers(0, 256, (48, 32, 3)).astype(np.uint8)

def jpeg(a, **kw):
    b = io.BytesIO(); Image.fromarray(a).save(b, 'JPEG', quality=80, **kw); return bytearray(b.getvalue())

def marker(b, m, start=0):
    return b.index(bytes([0xff, m]), start)

def put(name, b):
    open(f'{d}/{name}.jpg', 'wb').write(bytes(b))

colour, grey, prog = jpeg(px), jpeg(px[:, :, 0]), jpeg(px, progressive=True)
put('good', colour)
put('good_progressive', prog)
# truncated: mid-scan, right after the scan header, inside the header
for name, b in (('colour', colour), ('progressive', prog)):
    put(f'truncated_half_{name}', b[:len(b) // 2])
    put(f'truncated_after_sos_{name}', b[:marker(b, 0xda) + 14])
put('truncated_header', colour[:40])
# bad huffman: the scan names tables no DHT defined (stb left them uninitialised), a DHT whose
# code counts exceed 256, a DHT of random bytes
b = bytearray(grey); s = marker(b, 0xda); b[s + 6] = 0x11; put('undefined_huffman_grey', b)
b = bytearray(colour); s = marker(b, 0xda)
for c in range(3): b[s + 6 + 2 * c] = 0x33
put('undefined_huffman_colour', b)
b = bytearray(colour); h = marker(b, 0xc4); b[h + 5:h + 21] = bytes([255] * 16); put('huffman_counts_too_big', b)
# the same where the file ends inside the counts (stb reads the missing bytes as 0); stb 2.27
# wrote past its 257-entry table in both (found by tests/fuzz/fuzz_image)
put('huffman_counts_past_the_end', colour[:marker(colour, 0xc4)] + b'\xff\xc4\x01\x00\x00' + b'\xff' * 7)
b = bytearray(colour); h = marker(b, 0xc4); n = struct.unpack('>H', b[h + 2:h + 4])[0]
b[h + 5:h + 2 + n] = random.Random(3).randbytes(n - 3); put('huffman_random', b)
# the same behind fill bytes before SOI (FF FF D8), which stb accepts (found by fuzz_image)
b = bytearray(colour); h = marker(b, 0xc4); b[h + 5:h + 21] = bytes([255] * 16)
put('huffman_counts_after_fill', b'\xff' + bytes(b))
# bad sizes in the frame header: zero, huge, too many components
f = marker(colour, 0xc0)
for name, (hh, ww) in (('zero_width', (48, 0)), ('zero_height', (0, 32)), ('huge', (65535, 65535))):
    b = bytearray(colour); b[f + 5:f + 9] = struct.pack('>HH', hh, ww); put(f'size_{name}', b)
b = bytearray(colour); b[f + 9] = 5; put('five_components', b)
b = bytearray(colour); b[f + 4] = 12; put('twelve_bit', b)
# seeded random damage: byte flips and overwrites through the whole file
r = random.Random(11)
for i in range(24):
    b = bytearray(r.choice((colour, grey, prog)))
    for _ in range(r.randint(1, 6)):
        p = r.randrange(2, len(b))
        b[p] = r.randrange(256) if r.random() < 0.5 else b[p] ^ (1 << r.randrange(8))
    put(f'random_{i:02d}', b)
PYEOF

# decodes(FILE) -> 0, or exit 2 with exactly one line on stderr that names the file
clean_outcome() {
    "$TOOL" load "$1" "$TMP/out.raw" >/dev/null 2>"$TMP/err"; rc=$?
    case $rc in
    0) return 0 ;;
    2) [ "$(wc -l <"$TMP/err")" = 1 ] && grep -q "^$1: " "$TMP/err" && return 0
       echo "$1: message: $(cat "$TMP/err")"; return 1 ;;
    *) echo "$1: exit $rc: $(cat "$TMP/err")"; return 1 ;;
    esac
}

every_corrupt_jpeg_is_one_clean_error_or_an_image() {
    bad=0
    for f in "$C"/*.jpg; do clean_outcome "$f" || bad=1; done
    [ $bad = 0 ]
}
good_jpegs_still_decode() {
    for f in good good_progressive; do
        [ "$("$TOOL" load "$C/$f.jpg" "$TMP/out.raw")" = "32 48" ] || fail "$f does not decode"
    done
}
huffman_tables_of_over_256_codes_are_refused() {
    for f in huffman_counts_too_big huffman_counts_past_the_end huffman_counts_after_fill; do
        "$TOOL" load "$C/$f.jpg" "$TMP/out.raw" 2>"$TMP/err" >/dev/null && fail "$f decoded"
        grep -q "$f.jpg: corrupt JPEG (a Huffman table of over 256 codes)" "$TMP/err" || fail "$f: $(cat "$TMP/err")"
    done
}
errors_say_what_is_wrong() {
    for f in truncated_half_colour size_zero_width huffman_random; do
        "$TOOL" load "$C/$f.jpg" "$TMP/out.raw" 2>"$TMP/err" >/dev/null && fail "$f decoded"
        grep -q "$f.jpg: .*(.*)" "$TMP/err" || fail "$f: $(cat "$TMP/err")"
    done
}
undefined_huffman_tables_read_no_uninitialised_memory() {
    command -v valgrind >/dev/null || { echo "(valgrind not installed: skipped)"; return 0; }
    [ -n "$IRRA_SANITIZED" ] && return 0 # valgrind cannot run a sanitized binary
    for f in undefined_huffman_grey undefined_huffman_colour truncated_half_progressive; do
        valgrind -q --error-exitcode=99 "$TOOL" load "$C/$f.jpg" "$TMP/out.raw" >/dev/null 2>"$TMP/vg"
        [ $? = 99 ] && fail "$f: $(head -20 "$TMP/vg")"
    done
    return 0
}
# stb 2.27 parses PNM header numbers with an unbounded `value*10 + digit` in an int (signed
# overflow; fuzz_image found it with this header): refused before stb reads it.
pnm_header_numbers_past_9_digits_are_refused() {
    printf 'P6\n22222222222222222223 3\n255\n' >"$TMP/big.ppm"
    "$TOOL" load "$TMP/big.ppm" "$TMP/out.raw" 2>"$TMP/err" >/dev/null && fail "decoded"
    grep -q "big.ppm: corrupt PNM (a header number of more than 9 digits)" "$TMP/err" || fail "$(cat "$TMP/err")"
    printf 'P6\n# a comment\n2 1\n255\n\001\002\003\004\005\006' >"$TMP/ok.ppm"
    [ "$("$TOOL" load "$TMP/ok.ppm" "$TMP/out.raw")" = "2 1" ] || fail "a small PPM does not decode"
}

t every_corrupt_jpeg_is_one_clean_error_or_an_image
t pnm_header_numbers_past_9_digits_are_refused
t good_jpegs_still_decode
t errors_say_what_is_wrong
t huffman_tables_of_over_256_codes_are_refused
t undefined_huffman_tables_read_no_uninitialised_memory

# A gallery build goes on past every corrupt file: good images are stored, each bad one is a warning.
VOCAB=assets/bpe_simple_vocab_16e6.txt.gz
gallery_build_continues_past_corrupt_jpegs() {
    $PY tests/gallery_fixture.py model "$TMP/tiny" tiny >/dev/null 2>&1 || fail "tiny model"
    $IRRA gallery build --model "$TMP/tiny/model.pth" --image-size 32x16 --stride 8 --vocab "$VOCAB" \
        --images "$C" -o "$TMP/c.db" -q 2>"$TMP/err" || fail "build failed: $(tail -3 "$TMP/err")"
    n=$($PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('SELECT count(*) FROM features').fetchone()[0])" "$TMP/c.db")
    [ "$n" -ge 2 ] || fail "only $n images stored"
    grep -q "warning: skipped.*truncated_half_colour.jpg" "$TMP/err" || fail "warnings: $(cat "$TMP/err")"
}
t gallery_build_continues_past_corrupt_jpegs
