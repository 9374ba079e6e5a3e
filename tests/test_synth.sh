# irra synth: the files it writes, read back the way trainers and people read them.
. tests/lib.sh
CHECK="$build/tests/tool_synth_check"
# Small runs: 96x32 images keep the suite fast; the checks do not depend on the size.
synth() { $IRRA synth --size 96x32 "$@" 2>"$TMP/stderr"; }

same_seed_gives_identical_files() {
    synth -o "$TMP/a" --ids 24 --images-per-id 3 --seed 5 || fail "run a: $(cat "$TMP/stderr")"
    OMP_NUM_THREADS=1 synth -o "$TMP/b" --ids 24 --images-per-id 3 --seed 5 || fail "run b"
    diff -r "$TMP/a" "$TMP/b" >/dev/null || fail "files differ between runs (2 threads vs 1)"
    synth -o "$TMP/c" --ids 24 --images-per-id 3 --seed 6 || fail "run c"
    cmp -s "$TMP/a/reid_raw.json" "$TMP/c/reid_raw.json" && fail "seed 6 wrote seed 5's json"
    cmp -s "$TMP/a/imgs/train/000001_01.png" "$TMP/c/imgs/train/000001_01.png" && fail "same image"
    return 0
}
dataset_matches_request_and_captions_match_images() {
    synth -o "$TMP/d" --ids 40 --val-ids 5 --test-ids 7 --images-per-id 2 --seed 3 || fail "run"
    "$CHECK" "$TMP/d" 40 5 7 2 96 32
}
short_captions_go_to_training_images_only() {
    synth -o "$TMP/short" --ids 40 --val-ids 5 --test-ids 7 --images-per-id 2 --short-captions 2 ||
        fail "run: $(cat "$TMP/stderr")"
    "$CHECK" "$TMP/short" 40 5 7 2 96 32 2 || fail "check"
    # one sample a caption: 28 train identities x 2 images x (2 + 2) captions
    "$build/tests/tool_dataset" "cuhk-pedes:$TMP/short" train | head -1 |
        grep -q "images 56 captions 224 ids 28" || fail "train split as the reader sees it"
    synth -o "$TMP/short0" --ids 40 --val-ids 5 --test-ids 7 --images-per-id 2 || fail "run 0"
    cmp -s "$TMP/short/attributes.jsonl" "$TMP/short0/attributes.jsonl" || fail "attributes changed"
    cmp -s "$TMP/short/imgs/train/000001_01.png" "$TMP/short0/imgs/train/000001_01.png" || fail "pixels changed"
    /usr/bin/python3 - "$TMP/short" "$TMP/short0" <<'PY' || fail "the annotator-style captions changed"
import json, sys
a, b = (json.load(open(d + "/reid_raw.json")) for d in sys.argv[1:])
assert all(x["captions"][:2] == y["captions"] for x, y in zip(a, b))
PY
    synth -o "$TMP/short5" --short-captions 5 && fail "--short-captions 5 accepted"
    grep -q "short-captions" "$TMP/stderr" || fail "error: $(cat "$TMP/stderr")"
}
item_captions_follow_the_short_ones_on_training_images() {
    synth -o "$TMP/items" --ids 40 --val-ids 5 --test-ids 7 --images-per-id 2 --short-captions 2 \
        --item-captions || fail "run: $(cat "$TMP/stderr")"
    "$CHECK" "$TMP/items" 40 5 7 2 96 32 2 items || fail "check"
    synth -o "$TMP/items0" --ids 40 --val-ids 5 --test-ids 7 --images-per-id 2 --short-captions 2 ||
        fail "run without"
    cmp -s "$TMP/items/attributes.jsonl" "$TMP/items0/attributes.jsonl" || fail "attributes changed"
    /usr/bin/python3 - "$TMP/items" "$TMP/items0" <<'PY' || fail "the other captions changed"
import json, sys
a, b = (json.load(open(d + "/reid_raw.json")) for d in sys.argv[1:])
assert all(x["captions"][:len(y["captions"])] == y["captions"] for x, y in zip(a, b))
extra = [len(x["captions"]) - len(y["captions"]) for x, y in zip(a, b)]
assert all(2 <= n <= 4 for x, n in zip(a, extra) if x["split"] == "train"), extra
assert all(n == 0 for x, n in zip(a, extra) if x["split"] != "train"), extra
print("  %d item captions on %d training images" % (sum(extra), sum(x["split"] == "train" for x in a)))
PY
}
# --item-twins: training identities numbered after the others of train (the loader wants train
# pids 0..N-1), each one small item away from a training identity; every other identity keeps
# its images and captions, val and test only renumbered.
item_twins_join_train_and_leave_the_rest_as_it_was() {
    synth -o "$TMP/tw" --ids 40 --val-ids 5 --test-ids 7 --images-per-id 2 --item-captions \
        --item-twins 20 || fail "run: $(cat "$TMP/stderr")"
    grep -q "60 identities (48 train, 20 of them item twins, 5 val, 7 test)" "$TMP/stderr" ||
        fail "summary: $(cat "$TMP/stderr")"
    "$CHECK" "$TMP/tw" 60 5 7 2 96 32 0 items || fail "check"
    synth -o "$TMP/tw0" --ids 40 --val-ids 5 --test-ids 7 --images-per-id 2 --item-captions ||
        fail "run without"
    $build/tests/tool_dataset cuhk-pedes:$TMP/tw train | head -1 | grep -q "ids 48 classes 48" ||
        fail "the loader did not take 48 training identities"
    /usr/bin/python3 - "$TMP/tw0" "$TMP/tw" 20 <<'PY' || fail "the other identities changed"
import hashlib, json, sys
a_dir, b_dir, twins = sys.argv[1], sys.argv[2], int(sys.argv[3])
ra, rb = (json.load(open(d + "/reid_raw.json")) for d in (a_dir, b_dir))
tb = [json.loads(line) for line in open(b_dir + "/attributes.jsonl")]
n_train = max(x["id"] for x in ra if x["split"] == "train")
png = lambda d, p: hashlib.sha1(open(d + "/imgs/" + p, "rb").read()).hexdigest()
def renumbered(x):  # an entry of the run without twins, as the run with them numbers it
    y = dict(x, id=x["id"] + twins if x["id"] > n_train else x["id"])
    y["file_path"] = "%s/%06d%s" % (x["file_path"].split("/")[0], y["id"], x["file_path"][-7:])
    return y
assert [renumbered(x) for x in ra] == [x for x in rb if not n_train < x["id"] <= n_train + twins]
assert all(png(a_dir, x["file_path"]) == png(b_dir, renumbered(x)["file_path"]) for x in ra)
by_id = {t["id"]: t for t in tb}
tw = [t for t in tb if n_train < t["id"] <= n_train + twins]
assert len(tw) == 2 * twins and all(t["file_path"].startswith("train/") for t in tw)
for t in tw:
    p = by_id[t["parent_id"]]
    assert t["parent_id"] <= n_train, t
    diff = [k for k in ("upper", "lower", "shoes", "bag", "gender", "hair_style", "hair_colour",
                        "build", "skin") if t[k] != p[k]]
    assert len(diff) == 1 and diff[0] in ("upper", "shoes", "bag"), (t, p)
print("  %d twins: %s" % (twins, sorted({t["differs"] for t in tw})))
PY
}
loads_with_the_gallery_dataset_reader() {
    # --ids 20: 16 train (ids 1..16, remapped to 0..15), 2 val, 2 test identities, 2 images each
    synth -o "$TMP/g" --ids 20 --val-ids 2 --test-ids 2 --images-per-id 2 || fail "run"
    out=$("$build/tests/tool_dataset" "cuhk-pedes:$TMP/g" train) || fail "train split refused"
    echo "$out" | head -1 | grep -q "images 32 captions 64 ids 16 classes 16" || fail "train: $(echo "$out" | head -1)"
    out=$("$build/tests/tool_dataset" "cuhk-pedes:$TMP/g" test) || fail "test split refused"
    echo "$out" | head -1 | grep -q "images 4 captions 8 ids 2" || fail "test: $(echo "$out" | head -1)"
    missing=$(echo "$out" | grep "^I" | cut -f3 | while read -r p; do [ -f "$p" ] || echo "$p"; done)
    [ -z "$missing" ] || fail "images the reader names but are missing: $missing"
}
checker_catches_a_wrong_caption() {
    # The check must be able to fail: swap the words red and black in every caption.
    synth -o "$TMP/e" --ids 30 --images-per-id 1 || fail "run"
    sed -i 's/\bred\b/XX/g; s/\bblack\b/red/g; s/\bXX\b/black/g' "$TMP/e/reid_raw.json"
    "$CHECK" "$TMP/e" 30 3 3 1 96 32 >/dev/null && fail "checker accepted swapped colours"
    return 0
}
json_loads_with_python() {
    synth -o "$TMP/f" --ids 20 --images-per-id 2 || fail "run"
    /usr/bin/python3 - "$TMP/f" <<'PY' || fail "python check failed"
import json, sys, os
d = sys.argv[1]
rows = json.load(open(os.path.join(d, "reid_raw.json")))
assert len(rows) == 40, len(rows)
for r in rows:
    assert set(r) == {"split", "captions", "file_path", "processed_tokens", "id"}, r.keys()
    assert r["split"] in ("train", "val", "test") and isinstance(r["id"], int) and r["id"] >= 1
    assert len(r["captions"]) == 2 and len(r["processed_tokens"]) == 2
    assert all(15 <= len(t) <= 40 and all(w == w.lower() for w in t) for t in r["processed_tokens"])
    assert os.path.isfile(os.path.join(d, "imgs", r["file_path"]))
train = sorted({r["id"] for r in rows if r["split"] == "train"})
assert train == list(range(1, 17)), train   # IRRA: train pid = id - 1 must be 0..N-1
truth = [json.loads(l) for l in open(os.path.join(d, "attributes.jsonl"))]
assert [t["file_path"] for t in truth] == [r["file_path"] for r in rows]
for t in truth:  # the person's extent: 80-95% of the image height, inside it
    b = t["body"]
    assert 0 <= b["top"] < b["bottom"] <= 1 and 0.79 <= b["bottom"] - b["top"] <= 0.96, b
PY
}
pngs_decode_with_pil() {
    # PIL checks every chunk CRC and the zlib checksum, which stb_image skips.
    synth -o "$TMP/p" --ids 6 --images-per-id 2 || fail "run"
    /usr/bin/python3 - "$TMP/p" <<'PY' || fail "PIL cannot read the images"
import glob, sys
from PIL import Image
files = sorted(glob.glob(sys.argv[1] + "/imgs/*/*.png"))
assert len(files) == 12, len(files)
for f in files:
    with Image.open(f) as im:
        im.verify()
    with Image.open(f) as im:
        im.load()
        assert im.mode == "RGB" and im.size == (32, 96), (f, im.mode, im.size)
        assert len(set(im.getdata())) > 20, f  # a picture, not a blank
PY
}
progress_and_summary_on_stderr() {
    synth -o "$TMP/s" --ids 10 || fail "run"
    grep -q '^synth: 40 images in .* images/s' "$TMP/stderr" || fail "stderr: $(cat "$TMP/stderr")"
    [ ! -e "$TMP/s/reid_raw.json.tmp" ] || fail "temporary file left"
}
contact_sheet_decodes() {
    synth --contact-sheet "$TMP/sheet.png" --sheet-count 4 || fail "run: $(cat "$TMP/stderr")"
    "$CHECK" --png "$TMP/sheet.png" 0 0 >/dev/null && fail "checker accepts any size"
    w=$((4 * 210)); h=$((96 + 12 + 4 + 170))
    "$CHECK" --png "$TMP/sheet.png" $h $w >/dev/null || fail "sheet is not a ${h}x${w} PNG"
}
bad_options_exit_2() {
    for args in "--size 100x40 -o $TMP/x" "--size 48x16 -o $TMP/x" "--ids 0 -o $TMP/x" \
                "--ids 10 --val-ids 5 --test-ids 5 -o $TMP/x" "--seed -1 -o $TMP/x" "" \
                "--fashion-mnist $TMP/none -o $TMP/x" "--bogus -o $TMP/x" "--item-twins -1 -o $TMP/x" \
                "--item-twins x -o $TMP/x"; do
        $IRRA synth $args >/dev/null 2>"$TMP/err"; rc=$?
        [ $rc -eq 2 ] || fail "'$args' exited $rc"
        [ "$(wc -l <"$TMP/err")" -eq 1 ] || fail "'$args' stderr: $(cat "$TMP/err")"
    done
    $IRRA synth --fashion-mnist "$TMP/none" -o "$TMP/x" 2>&1 |
        grep -q "$TMP/none/train-images-idx3-ubyte.gz" || fail "the error does not name the file"
}
refuses_a_folder_that_is_not_empty_unless_forced() {
    mkdir -p "$TMP/real" && echo '[{"real": 1}]' >"$TMP/real/reid_raw.json"
    synth -o "$TMP/real" --ids 10; rc=$?
    [ $rc -eq 2 ] || fail "exit $rc into a non-empty folder"
    [ "$(wc -l <"$TMP/stderr")" -eq 1 ] && grep -q "$TMP/real: the folder is not empty (--force" "$TMP/stderr" ||
        fail "stderr: $(cat "$TMP/stderr")"
    grep -q real "$TMP/real/reid_raw.json" || fail "the dataset there was replaced"
    echo x >"$TMP/file"; synth -o "$TMP/file" --ids 10 && fail "wrote into a file"
    mkdir -p "$TMP/empty" && synth -o "$TMP/empty" --ids 10 || fail "an empty folder was refused"
    synth -o "$TMP/real" --ids 10 --force || fail "--force refused"
    grep -q real "$TMP/real/reid_raw.json" && fail "--force kept the old reid_raw.json"
    return 0
}
warns_when_a_split_is_empty() {
    synth -o "$TMP/five" --ids 5 || fail "run"
    grep -q "warning: synth: the val split has no identities" "$TMP/stderr" || fail "no val warning: $(cat "$TMP/stderr")"
    grep -q "warning: synth: the test split has no identities" "$TMP/stderr" || fail "no test warning"
    synth -o "$TMP/ten" --ids 10 || fail "run 10"
    grep -q warning "$TMP/stderr" && fail "warned with 1 val and 1 test identity: $(cat "$TMP/stderr")"
    return 0
}

cues_change_the_pictures_and_nothing_else() {
    synth -o "$TMP/cues" --ids 30 --images-per-id 2 --item-captions --cues ||
        fail "run: $(cat "$TMP/stderr")"
    synth -o "$TMP/cues0" --ids 30 --images-per-id 2 --item-captions || fail "run without"
    cmp -s "$TMP/cues/reid_raw.json" "$TMP/cues0/reid_raw.json" || fail "captions changed"
    cmp -s "$TMP/cues/attributes.jsonl" "$TMP/cues0/attributes.jsonl" || fail "attributes changed"
    same=0
    for f in "$TMP"/cues/imgs/*/*.png; do
        cmp -s "$f" "$TMP/cues0/imgs/${f#"$TMP"/cues/imgs/}" && same=$((same + 1))
    done
    [ "$same" -eq 0 ] || fail "$same of 60 images are the same with cues"
    "$CHECK" "$TMP/cues" 30 3 3 2 96 32 0 items || fail "check"
    synth -o "$TMP/cues1" --ids 30 --images-per-id 2 --item-captions --cues=1 || fail "run at level 1"
    cmp -s "$TMP/cues/imgs/train/000001_01.png" "$TMP/cues1/imgs/train/000001_01.png" ||
        fail "--cues=1 is not --cues"
    synth -o "$TMP/bold" --ids 30 --images-per-id 2 --item-captions --cues=2 || fail "run bold"
    cmp -s "$TMP/bold/attributes.jsonl" "$TMP/cues0/attributes.jsonl" || fail "bold: attributes changed"
    cmp -s "$TMP/bold/imgs/train/000001_01.png" "$TMP/cues/imgs/train/000001_01.png" &&
        fail "bold cues draw what plain cues draw"
    "$CHECK" "$TMP/bold" 30 3 3 2 96 32 0 items || fail "check bold"
    synth -o "$TMP/bad" --ids 30 --cues=3
    [ "$?" -eq 2 ] && grep -q -- "--cues" "$TMP/stderr" || fail "--cues=3: $(cat "$TMP/stderr")"
}
t same_seed_gives_identical_files
t cues_change_the_pictures_and_nothing_else
t dataset_matches_request_and_captions_match_images
t short_captions_go_to_training_images_only
t item_captions_follow_the_short_ones_on_training_images
t item_twins_join_train_and_leave_the_rest_as_it_was
t loads_with_the_gallery_dataset_reader
t checker_catches_a_wrong_caption
t json_loads_with_python
t pngs_decode_with_pil
t progress_and_summary_on_stderr
t contact_sheet_decodes
t bad_options_exit_2
t refuses_a_folder_that_is_not_empty_unless_forced
t warns_when_a_split_is_empty
