# irra gallery build/info, irra search and irra eval end to end, on tiny random-weight models
# (tests/ref/irra_ref.py) and images and datasets written by tests/gallery_fixture.py.
. tests/lib.sh

PY=/usr/bin/python3
FIX="$PY tests/gallery_fixture.py"
VOCAB=assets/bpe_simple_vocab_16e6.txt.gz
$FIX model "$TMP/tiny" tiny >/dev/null 2>&1 || { echo "FAIL fixture: tiny model"; exit 1; }
TINY="--model $TMP/tiny/model.pth --image-size 32x16 --stride 8 --vocab $VOCAB"
SLOW="--model $TMP/slow/model.pth --image-size 128x64 --stride 8 --vocab $VOCAB"
$FIX images "$TMP/photos dir" 12 1
$FIX dataset cuhk-pedes "$TMP/cuhk"
$FIX dataset icfg-pedes "$TMP/icfg"
$FIX dataset rstpreid "$TMP/rstp"

info() { $IRRA gallery info --json "$1" | $PY -c "import json,sys; print(json.load(sys.stdin)['$2'])"; }
# (path, feature) rows of a gallery, one per line, for comparing galleries
rows() {
    $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1])
for p,v in c.execute('SELECT i.path, hex(f.vec) FROM images i JOIN features f ON f.image_id=i.id ORDER BY i.path'): print(p, v)" "$1"
}

folder_build_with_spaces_and_utf8_names() {
    $IRRA gallery build $TINY --images "$TMP/photos dir" -o "$TMP/f.db" 2>"$TMP/err" || fail "build"
    [ ! -s "$TMP/err" ] || fail "not silent off a terminal: $(cat "$TMP/err")"
    [ "$(info "$TMP/f.db" encoded)" = 12 ] || fail "encoded $(info "$TMP/f.db" encoded)"
    rows "$TMP/f.db" | grep -q '^ünï/' || fail "no UTF-8 path"
    rows "$TMP/f.db" | grep -q '^sub dir/' || fail "no path with a space"
    $IRRA gallery info "$TMP/f.db" | grep -q 'images *12 (12 encoded, 0 unreadable)' || fail "info"
}

large_images_get_box_sized_thumbnails() {
    mkdir -p "$TMP/big"
    $PY -c "import sys; from PIL import Image
Image.new('RGB', (300, 900), (200, 40, 40)).save(sys.argv[1] + '/tall.png')
Image.new('RGB', (400, 400), (40, 40, 200)).save(sys.argv[1] + '/square.png')" "$TMP/big" || fail "images"
    $IRRA gallery build $TINY --images "$TMP/big" -o "$TMP/big.db" 2>"$TMP/err" || fail "build: $(cat "$TMP/err")"
    sizes=$($PY -c "import sqlite3,io,sys; from PIL import Image
c=sqlite3.connect(sys.argv[1])
print(sorted(Image.open(io.BytesIO(j)).size for (j,) in c.execute('SELECT jpeg FROM thumbs')))" "$TMP/big.db")
    [ "$sizes" = "[(128, 128), (128, 384)]" ] || fail "thumbnail sizes $sizes"
}

thumbnails_fit_the_display_box() {
    $PY -c "import sqlite3,io,sys; from PIL import Image
c=sqlite3.connect(sys.argv[1])
for w,h,j in c.execute('SELECT width,height,jpeg FROM images JOIN thumbs ON image_id=id'):
    t=Image.open(io.BytesIO(j)); assert t.format=='JPEG'
    assert t.width<=128 and t.height<=384, (t.size,w,h)
    assert t.width==128 or t.height==384 or t.size==(w,h), (t.size,w,h)  # never enlarged
    assert abs(t.width/t.height-w/h) < 0.05, (t.size, w, h)" "$TMP/f.db" || fail "thumbnails"
}

second_build_encodes_only_new_images() {
    cp "$TMP/f.db" "$TMP/g.db"
    # mark one stored feature: re-encoding it would overwrite the mark
    $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('UPDATE features SET vec=zeroblob(128) WHERE image_id=1'); c.commit()" "$TMP/g.db"
    cp -r "$TMP/photos dir" "$TMP/more"
    $FIX images "$TMP/more/new" 3 9
    # same folder content plus 3 new files: a different source, so refused ...
    $IRRA gallery build $TINY --images "$TMP/more" -o "$TMP/g.db" 2>/dev/null && fail "other folder accepted"
    # ... while new files in the same folder are picked up
    $FIX images "$TMP/photos dir/new" 3 9
    $IRRA gallery build $TINY --images "$TMP/photos dir" -o "$TMP/g.db" || fail "rebuild"
    [ "$(info "$TMP/g.db" encoded)" = 15 ] || fail "encoded $(info "$TMP/g.db" encoded)"
    $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); assert c.execute('SELECT vec FROM features WHERE image_id=1').fetchone()[0]==bytes(128)" "$TMP/g.db" || fail "an old image was re-encoded"
    rm -r "$TMP/photos dir/new"
}

unreadable_images_are_skipped_with_one_warning_each() {
    mkdir -p "$TMP/mixed"; cp "$TMP/photos dir"/*.png "$TMP/mixed/"
    printf 'not a jpeg' >"$TMP/mixed/broken file.jpg"; : >"$TMP/mixed/empty.png"
    $IRRA gallery build $TINY --images "$TMP/mixed" -o "$TMP/m.db" 2>"$TMP/err" || fail "build failed"
    [ "$(grep -c 'warning: skipped' "$TMP/err")" = 2 ] || fail "warnings: $(cat "$TMP/err")"
    grep -q 'broken file.jpg' "$TMP/err" && grep -q 'empty.png' "$TMP/err" || fail "names: $(cat "$TMP/err")"
    grep -q '^irra: 2 images could not be read' "$TMP/err" || fail "no count: $(cat "$TMP/err")"
    [ "$(info "$TMP/m.db" unreadable)" = 2 ] || fail "info unreadable"
}

killed_build_resumes_to_the_same_gallery() {
    $FIX model "$TMP/slow" slow >/dev/null 2>&1 || fail "slow model"
    $FIX images "$TMP/many" 240 5
    $IRRA gallery build $SLOW --batch 8 --images "$TMP/many" -o "$TMP/whole.db" || fail "whole build"
    $IRRA gallery build $SLOW --batch 8 --images "$TMP/many" -o "$TMP/k.db" 2>/dev/null &
    pid=$!
    n=0; i=0
    while [ "$i" -lt 600 ]; do
        n=$(info "$TMP/k.db" encoded 2>/dev/null || echo 0)
        [ "${n:-0}" -ge 24 ] && break
        sleep 0.05; i=$((i + 1))
    done
    kill -9 $pid; wait $pid 2>/dev/null
    n=$(info "$TMP/k.db" encoded)
    [ "$n" -lt 240 ] || fail "the build finished before it was killed"
    [ $((n % 8)) = 0 ] || fail "$n encoded: not whole batches"
    # a killed build must not look like a finished gallery
    [ "$(info "$TMP/k.db" complete)" = False ] || fail "a killed build looks complete"
    $IRRA gallery info "$TMP/k.db" | grep -q '^status *INCOMPLETE' || fail "info does not say incomplete"
    $IRRA gallery build $SLOW --batch 8 --images "$TMP/many" -o "$TMP/k.db" >/dev/null || fail "resume"
    [ "$(info "$TMP/k.db" complete)" = True ] || fail "the resumed build is not complete"
    rows "$TMP/whole.db" >"$TMP/a"; rows "$TMP/k.db" >"$TMP/b"
    [ "$(wc -l <"$TMP/a")" = 240 ] || fail "rows"
    cmp -s "$TMP/a" "$TMP/b" || fail "killed at $n: features differ from an uninterrupted build"
}

search_json_from_arguments_and_stdin() {
    out=$($IRRA search $TINY --gallery "$TMP/f.db" -k 3 --json "a man in a red coat" "a woman") || fail "search"
    [ "$(echo "$out" | wc -l)" = 2 ] || fail "lines: $out"
    echo "$out" | $PY -c "import json,sys
for line in sys.stdin:
    o=json.loads(line); r=o['results']; assert len(r)==3
    assert [x['rank'] for x in r]==[1,2,3] and r[0]['score']>=r[1]['score']>=r[2]['score']
    assert all(set(x)>={'rank','score','path','identity'} for x in r)" || fail "json: $out"
    printf 'a man in a red coat\n\na woman\n' | $IRRA search $TINY --gallery "$TMP/f.db" -k 3 --json >"$TMP/s" || fail "stdin"
    [ "$(cat "$TMP/s")" = "$out" ] || fail "stdin differs from arguments"
}

search_ranks_every_image_by_its_stored_feature() {
    # every image once, scores descending, stored features unit length (the C test checks the
    # scores against a brute-force ranking)
    $IRRA search $TINY --gallery "$TMP/f.db" -k 100 --json "red coat" >"$TMP/s" || fail "search"
    $PY -c "import json,sqlite3,sys,numpy as np
r=json.load(open(sys.argv[1]))['results']; c=sqlite3.connect(sys.argv[2])
F={p:np.frombuffer(v,np.float32) for p,v in c.execute('SELECT path,vec FROM images JOIN features ON image_id=id')}
assert len(r)==len(F)==12
s=np.array([x['score'] for x in r]); A=np.stack([F[x['path']] for x in r])
assert (np.diff(s)<=0).all() and len({x['path'] for x in r})==12
assert np.allclose(np.linalg.norm(A,axis=1),1,atol=1e-5)" "$TMP/s" "$TMP/f.db" || fail "ranking"
}

eval_matches_numpy() { # $1 format, $2 dir
    $IRRA gallery build $TINY --dataset "$1:$TMP/$2" -o "$TMP/$2.db" || fail "build $1"
    [ "$(info "$TMP/$2.db" split)" = test ] || fail "split"
    nq=$($PY -c "import json,sys; print(len(json.load(open(sys.argv[1]))))" "$TMP/$2-queries.json")
    [ "$(info "$TMP/$2.db" captions)" = "$nq" ] || fail "captions $(info "$TMP/$2.db" captions), want $nq"
    got=$($IRRA eval $TINY --gallery "$TMP/$2.db" --json | $PY -c "import json,sys
o=json.load(sys.stdin); print(' '.join('%.3f'%o[k] for k in ('R1','R5','R10','mAP','mINP')))") || fail "eval"
    $PY -c "import json,sys; print('\n'.join(q['caption'] for q in json.load(open(sys.argv[1]))))" "$TMP/$2-queries.json" |
        $IRRA search $TINY --gallery "$TMP/$2.db" -k 1000 --json >"$TMP/s" || fail "search"
    want=$($FIX metrics "$TMP/s" "$TMP/$2-queries.json")
    [ "$got" = "$want" ] || fail "$1: eval $got, numpy $want"
}
eval_cuhk_pedes_matches_numpy() { eval_matches_numpy cuhk-pedes cuhk; }
eval_icfg_pedes_matches_numpy() { eval_matches_numpy icfg-pedes icfg; }
eval_rstpreid_matches_numpy() { eval_matches_numpy rstpreid rstp; }

eval_dataset_builds_a_temporary_gallery() {
    a=$($IRRA eval $TINY --gallery "$TMP/cuhk.db" --json) || fail "gallery"
    b=$($IRRA eval $TINY --dataset "cuhk-pedes:$TMP/cuhk" --json --per-query "$TMP/pq") || fail "dataset"
    [ "$a" = "$b" ] || fail "$a vs $b"
    [ "$(wc -l <"$TMP/pq")" = 50 ] || fail "per-query lines"
    $PY -c "import json,sys
for l in open(sys.argv[1]):
    q=json.loads(l); assert 1<=q['first']<=q['last']<=25 and len(q['top'])==10
    s=[t['score'] for t in q['top']]; assert s==sorted(s,reverse=True)
    assert (q['first']<=10)==any(t['identity']==q['identity'] for t in q['top'])" "$TMP/pq" || fail "per-query content"
}

other_model_is_refused() {
    $FIX model "$TMP/slow" slow >/dev/null 2>&1 || [ -f "$TMP/slow/model.pth" ] || fail "slow model"
    out=$($IRRA search $SLOW --gallery "$TMP/f.db" "a man" 2>&1); rc=$?
    [ $rc = 2 ] || fail "search exit $rc"
    echo "$out" | grep -q "f.db: features were made by another model" || fail "$out"
    out=$($IRRA gallery build $SLOW --images "$TMP/photos dir" -o "$TMP/f.db" 2>&1) && fail "build into it"
    echo "$out" | grep -q "another model" || fail "$out"
}

same_model_elsewhere_is_accepted() {
    # the fingerprint is of the weights, not of the file name
    mkdir -p "$TMP/copy"; cp "$TMP/tiny/model.pth" "$TMP/copy/renamed.pth"
    $IRRA search --model "$TMP/copy/renamed.pth" --image-size 32x16 --stride 8 --vocab "$VOCAB" \
        --gallery "$TMP/f.db" "a man" >/dev/null || fail "a copy of the model was refused"
}

fp32_conversion_is_the_same_model() {
    # a .pth and its fp32 safetensors conversion compute the same features
    $IRRA import "$TMP/tiny/model.pth" --image-size 32x16 --stride 8 -o "$TMP/tiny.safetensors" || fail "import"
    $IRRA search --model "$TMP/tiny.safetensors" --vocab "$VOCAB" --gallery "$TMP/f.db" "a man" >/dev/null ||
        fail "the fp32 conversion was refused"
    $IRRA import "$TMP/tiny/model.pth" --image-size 32x16 --stride 8 --dtype f16 -o "$TMP/tiny16.safetensors" || fail "import f16"
    $IRRA search --model "$TMP/tiny16.safetensors" --vocab "$VOCAB" --gallery "$TMP/f.db" "a man" >/dev/null 2>&1 &&
        fail "the fp16 conversion (other features) was accepted"
    return 0
}

bad_gallery_files_are_refused() {
    printf 'hello' >"$TMP/text.db"
    out=$($IRRA gallery info "$TMP/text.db" 2>&1); [ $? = 2 ] || fail "exit"
    echo "$out" | grep -q "text.db: not an irra gallery" || fail "$out"
    $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('CREATE TABLE t(x)'); c.commit()" "$TMP/foreign.db"
    out=$($IRRA search $TINY --gallery "$TMP/foreign.db" "x" 2>&1); [ $? = 2 ] || fail "exit"
    echo "$out" | grep -q "foreign.db: not an irra gallery" || fail "$out"
    $IRRA gallery build $TINY --images "$TMP/photos dir" -o "$TMP/foreign.db" 2>/dev/null && fail "built into a foreign file"
    out=$($IRRA gallery info "$TMP/none.db" 2>&1); [ $? = 2 ] || fail "missing"
}

bad_datasets_are_errors_naming_the_file() {
    mkdir -p "$TMP/empty"
    out=$($IRRA gallery build $TINY --dataset "cuhk-pedes:$TMP/empty" -o "$TMP/x.db" 2>&1); [ $? = 2 ] || fail "exit"
    echo "$out" | grep -qE "reid_raw.json|empty/imgs" || fail "$out"
    mkdir -p "$TMP/malformed/imgs"; printf '[{"split": "test", ' >"$TMP/malformed/reid_raw.json"
    out=$($IRRA eval $TINY --dataset "cuhk-pedes:$TMP/malformed" 2>&1); [ $? = 2 ] || fail "exit"
    echo "$out" | grep -q "reid_raw.json" || fail "$out"
    out=$($IRRA eval $TINY --gallery "$TMP/f.db" 2>&1); [ $? = 2 ] || fail "folder eval"
    echo "$out" | grep -q "no captions" || fail "$out"
}
default_model_builds_and_evaluates() {
    # no --model: the shipped model, as documented (it used to fail on a NULL model path)
    mkdir -p "$TMP/shipped"; cp "$VOCAB" "$TMP/shipped/"
    $IRRA import "$TMP/tiny/model.pth" --image-size 32x16 --stride 8 --vocab "$VOCAB" \
        -o "$TMP/shipped/irra-synth.safetensors" || fail "import"
    A="IRRA_ASSETS=$TMP/shipped"
    env "$A" $IRRA gallery build --images "$TMP/photos dir" -o "$TMP/d1.db" >/dev/null 2>"$TMP/err" ||
        fail "folder: $(cat "$TMP/err")"
    [ "$(info "$TMP/d1.db" model)" = "$TMP/shipped/irra-synth.safetensors" ] || fail "model $(info "$TMP/d1.db" model)"
    [ "$(info "$TMP/d1.db" complete)" = True ] || fail "not complete"
    env "$A" $IRRA gallery build --dataset "cuhk-pedes:$TMP/cuhk" -o "$TMP/d2.db" >/dev/null 2>"$TMP/err" ||
        fail "dataset: $(cat "$TMP/err")"
    env "$A" $IRRA eval --dataset "cuhk-pedes:$TMP/cuhk" --json >"$TMP/e" 2>"$TMP/err" || fail "eval: $(cat "$TMP/err")"
    grep -q '"R1"' "$TMP/e" || fail "eval output: $(cat "$TMP/e")"
    env "$A" $IRRA search --gallery "$TMP/d1.db" "a man" >/dev/null || fail "search"
}
incomplete_gallery_is_not_evaluated() {
    cp "$TMP/cuhk.db" "$TMP/half.db"
    $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE meta SET value='incomplete' WHERE key='build'\"); c.commit()" "$TMP/half.db"
    out=$($IRRA eval $TINY --gallery "$TMP/half.db" 2>&1); [ $? = 2 ] || fail "exit"
    echo "$out" | grep -q "half.db: its build did not finish" || fail "$out"
    $IRRA search $TINY --gallery "$TMP/half.db" "a man" 2>&1 >/dev/null | grep -q "warning: .*half.db: its build did not finish" ||
        fail "search does not warn"
}
empty_split_is_refused_naming_dataset_and_split() {
    # icfg-pedes fixture: no val identities
    out=$($IRRA gallery build $TINY --dataset "icfg-pedes:$TMP/icfg" --split val -o "$TMP/v.db" 2>&1); [ $? = 2 ] || fail "build exit"
    [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "icfg-pedes:$TMP/icfg: the val split has no images" || fail "build: $out"
    [ ! -e "$TMP/v.db" ] || fail "left a gallery file"
    out=$($IRRA eval $TINY --dataset "icfg-pedes:$TMP/icfg" --split val 2>&1); [ $? = 2 ] || fail "eval exit"
    [ "$(echo "$out" | wc -l)" = 1 ] && echo "$out" | grep -q "icfg-pedes:$TMP/icfg: the val split has no images" || fail "eval: $out"
    mkdir -p "$TMP/no images"; echo x >"$TMP/no images/notes.txt"
    out=$($IRRA gallery build $TINY --images "$TMP/no images" -o "$TMP/v.db" 2>&1); [ $? = 2 ] || fail "folder exit"
    echo "$out" | grep -q "no images: no image files" || fail "folder: $out"
}
# feature of one path of a gallery, as hex
feat() { $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); r=c.execute('SELECT hex(vec) FROM features JOIN images ON id=image_id WHERE path=?',(sys.argv[2],)).fetchone(); print(r[0] if r else 'none')" "$1" "$2"; }
rebuild_follows_changed_and_vanished_files() {
    mkdir -p "$TMP/live"; cp -r "$TMP/photos dir"/. "$TMP/live/"
    $IRRA gallery build $TINY --images "$TMP/live" -o "$TMP/live.db" >"$TMP/out" || fail "build"
    grep -q "live.db: 12 new, 0 changed, 0 removed, 0 unchanged images; 12 encoded, 0 unreadable" "$TMP/out" ||
        fail "first build: $(cat "$TMP/out")"
    # mark two features: a re-encoded image loses its mark
    $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1])
c.execute(\"UPDATE features SET vec=zeroblob(128) WHERE image_id IN (SELECT id FROM images WHERE path IN ('0003_c4_img.jpg','0006_c2_img.png'))\"); c.commit()" "$TMP/live.db"
    rm "$TMP/live/0000_c1_img.png"                                   # vanished
    cp "$TMP/live/sub dir/0004_c5_img.png" "$TMP/live/0006_c2_img.png" # replaced
    touch -d '2001-02-03' "$TMP/live/0003_c4_img.jpg"               # touched, same bytes
    $IRRA gallery build $TINY --images "$TMP/live" -o "$TMP/live.db" >"$TMP/out" || fail "rebuild"
    grep -q "0 new, 1 changed, 1 removed, 10 unchanged images; 1 encoded" "$TMP/out" || fail "rebuild: $(cat "$TMP/out")"
    $IRRA search $TINY --gallery "$TMP/live.db" -k 100 --json "a man" >"$TMP/s" || fail "search"
    grep -q '0000_c1_img.png' "$TMP/s" && fail "search returns the deleted image"
    [ "$(info "$TMP/live.db" images)" = 11 ] || fail "images $(info "$TMP/live.db" images)"
    # the same image encoded in another batch: equal to float rounding (OpenBLAS may sum in
    # another order for another batch size, as on an AMD EPYC)
    $PY -c "import sys, numpy as np; a, b = (np.frombuffer(bytes.fromhex(h), np.float32) for h in sys.argv[1:]); \
sys.exit(0 if a.shape == b.shape and np.abs(a - b).max() <= 1e-5 * np.abs(a).max() else 1)" \
        "$(feat "$TMP/live.db" 0006_c2_img.png)" "$(feat "$TMP/live.db" 'sub dir/0004_c5_img.png')" ||
        fail "the replaced image kept its old feature"
    [ "$(feat "$TMP/live.db" 0003_c4_img.jpg)" = "$(printf '%0256d' 0)" ] || fail "a touched file was re-encoded"
    $IRRA gallery build $TINY --images "$TMP/live" -o "$TMP/live.db" >"$TMP/out" || fail "third build"
    grep -q "0 new, 0 changed, 0 removed, 11 unchanged images; 0 encoded" "$TMP/out" || fail "third: $(cat "$TMP/out")"
}
schema_1_gallery_is_upgraded_and_newer_refused() {
    cp "$TMP/live.db" "$TMP/v1.db"
    ver() { $PY -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute(\"SELECT value FROM meta WHERE key='schema_version'\").fetchone()[0])" "$1"; }
    $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute('DROP TABLE files'); c.execute(\"UPDATE meta SET value='1' WHERE key='schema_version'\"); c.commit()" "$TMP/v1.db"
    $IRRA gallery info "$TMP/v1.db" >/dev/null || fail "version 1 unreadable"
    $IRRA search $TINY --gallery "$TMP/v1.db" "a man" >/dev/null || fail "version 1 not searchable"
    [ "$(ver "$TMP/v1.db")" = 1 ] || fail "a reader upgraded the file"
    $IRRA gallery build $TINY --images "$TMP/live" -o "$TMP/v1.db" >"$TMP/out" || fail "build on version 1"
    [ "$(ver "$TMP/v1.db")" = 2 ] || fail "not upgraded"
    # nothing recorded of the files: each is hashed and re-encoded once
    grep -q "0 new, 11 changed, 0 removed, 0 unchanged images; 11 encoded" "$TMP/out" || fail "upgrade build: $(cat "$TMP/out")"
    $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"UPDATE meta SET value='3' WHERE key='schema_version'\"); c.commit()" "$TMP/v1.db"
    out=$($IRRA gallery info "$TMP/v1.db" 2>&1); [ $? = 2 ] || fail "version 3 accepted"
    echo "$out" | grep -q "v1.db: gallery schema version '3' (from a newer irra?); this irra reads versions 1 and 2" || fail "$out"
}
folder_build_reads_webp_and_tiff() {
    # they used to be left out without a word
    mkdir -p "$TMP/formats"
    $PY -c "import sys; from PIL import Image
for i, name in enumerate(['a.webp', 'b.WEBP', 'c.tif', 'd.tiff']):
    Image.new('RGB', (20 + i, 50), (40 * i, 200 - 30 * i, 90)).save(sys.argv[1] + '/' + name)" "$TMP/formats"
    $IRRA gallery build $TINY --images "$TMP/formats" -o "$TMP/formats.db" >"$TMP/out" 2>"$TMP/err" || fail "build: $(cat "$TMP/err")"
    [ ! -s "$TMP/err" ] || fail "warnings: $(cat "$TMP/err")"
    grep -q "4 new, .* 4 encoded, 0 unreadable" "$TMP/out" || fail "$(cat "$TMP/out")"
}

t folder_build_with_spaces_and_utf8_names
t thumbnails_fit_the_display_box
t large_images_get_box_sized_thumbnails
t second_build_encodes_only_new_images
t unreadable_images_are_skipped_with_one_warning_each
t search_json_from_arguments_and_stdin
t search_ranks_every_image_by_its_stored_feature
t eval_cuhk_pedes_matches_numpy
t eval_icfg_pedes_matches_numpy
t eval_rstpreid_matches_numpy
t eval_dataset_builds_a_temporary_gallery
t killed_build_resumes_to_the_same_gallery
t other_model_is_refused
t same_model_elsewhere_is_accepted
t fp32_conversion_is_the_same_model
t bad_gallery_files_are_refused
t bad_datasets_are_errors_naming_the_file
t default_model_builds_and_evaluates
t folder_build_reads_webp_and_tiff
t incomplete_gallery_is_not_evaluated
t empty_split_is_refused_naming_dataset_and_split
t rebuild_follows_changed_and_vanished_files
t schema_1_gallery_is_upgraded_and_newer_refused
