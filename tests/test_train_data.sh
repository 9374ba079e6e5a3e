# The training data pipeline (train/loader.h) on small `irra synth` datasets, the augmentation
# against torchvision, and the loader's answers to broken datasets.
. tests/lib.sh
TOOL="$build/tests/tool_train_data"
PY=/usr/bin/python3
# 16 train identities x 3 images x 2 captions at 96x32: what tool_train_data checks expects
$IRRA synth -o "$TMP/s" --ids 20 --val-ids 2 --test-ids 2 --images-per-id 3 --size 96x32 2>"$TMP/synth.err" ||
    { cat "$TMP/synth.err"; echo "FAIL synth"; exit 1; }

# ok/FAIL lines of their own: the loader's behaviours (keyed streams, threads, resume, aliasing,
# samplers, cache or not)
"$TOOL" checks "$TMP/s"

augmentation_matches_torchvision() {
    $PY -c 'import torchvision' 2>/dev/null || { fail "/usr/bin/python3 lacks torchvision (python3-torchvision)"; return 1; }
    $PY tests/check_augment.py "$TOOL" "$TMP"
}
# A copy of the dataset whose reid_raw.json went through a sed script.
variant() {
    rm -rf "$TMP/$1" && cp -r "$TMP/s" "$TMP/$1" && sed -i "$2" "$TMP/$1/reid_raw.json"
}
one_line_error() { # TOOL ARGS...: fails with exit 2 and one line on stderr, which it prints
    if "$TOOL" "$@" >"$TMP/out" 2>"$TMP/err"; then fail "accepted: $(cat "$TMP/out")"; fi
    [ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "not one line: $(cat "$TMP/err")"
    cat "$TMP/err"
}
no_train_split_is_a_one_line_error() {
    variant nt 's/"split":"train"/"split":"test"/g'
    msg=$(one_line_error epoch "cuhk-pedes:$TMP/nt" 96 32 0) || return 1
    echo "$msg" | grep -q "no training data" || fail "message: $msg"
}
an_image_that_does_not_decode_names_its_file_when_cached() {
    variant bad 's/^//'
    echo "not a png" >"$TMP/bad/imgs/train/000003_02.png"
    msg=$(one_line_error epoch "cuhk-pedes:$TMP/bad" 96 32 0) || return 1
    echo "$msg" | grep -q "000003_02.png" || fail "message: $msg"
}
an_image_that_does_not_decode_is_skipped_and_counted_uncached() {
    variant bad 's/^//'
    echo "not a png" >"$TMP/bad/imgs/train/000003_02.png"
    out=$("$TOOL" epoch "cuhk-pedes:$TMP/bad" 96 32 1) || fail "refused"
    # its two captions are left out of their batches, the other 94 rows come
    echo "$out" | grep -q "^rows 94 skipped 2 cached 0 last: .*000003_02.png" || fail "got: $out"
}
a_missing_image_is_an_error_at_open_uncached() {
    variant miss 's/^//'
    rm "$TMP/miss/imgs/train/000005_01.png"
    msg=$(one_line_error epoch "cuhk-pedes:$TMP/miss" 96 32 1) || return 1
    echo "$msg" | grep -q "000005_01.png" || fail "message: $msg"
}
t augmentation_matches_torchvision
t no_train_split_is_a_one_line_error
t an_image_that_does_not_decode_names_its_file_when_cached
t an_image_that_does_not_decode_is_skipped_and_counted_uncached
t a_missing_image_is_an_error_at_open_uncached
