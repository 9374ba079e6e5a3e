# Hostile galleries, datasets and names end to end (issue 14): every bad value read from a
# gallery is a clean error, never a crash; text from files never reaches the terminal raw;
# dataset paths stay inside the image folder; a bad caption is decided at build time. Every
# hostile input is made here, from a tiny random-weight model and a dataset of
# tests/gallery_fixture.py.
. tests/lib.sh

PY=/usr/bin/python3
FIX="$PY tests/gallery_fixture.py"
VOCAB=assets/bpe_simple_vocab_16e6.txt.gz
$FIX model "$TMP/tiny" tiny >/dev/null 2>&1 || { echo "FAIL fixture: tiny model"; exit 1; }
TINY="--model $TMP/tiny/model.pth --image-size 32x16 --stride 8 --vocab $VOCAB"
BROWSE="--model $TMP/tiny/model.pth --vocab $VOCAB" # its configs.yaml gives the geometry
$FIX dataset cuhk-pedes "$TMP/cuhk"
$IRRA gallery build -q $TINY --dataset "cuhk-pedes:$TMP/cuhk" -o "$TMP/good.db" 2>"$TMP/err" ||
    { cat "$TMP/err"; echo "FAIL fixture: gallery"; exit 1; }

sql() { # sql DB STATEMENT...: runs the statements (Python's sqlite3, one transaction)
    db=$1; shift
    $PY -c "import sqlite3,sys
c=sqlite3.connect(sys.argv[1])
for s in sys.argv[2:]: c.execute(s)
c.commit()" "$db" "$@"
}
# A copy of the good gallery whose schema no longer says NOT NULL (SQLite only enforces it on
# write; an edited schema or a damaged page gives the reader anything), then the statements.
loosened() { # loosened NAME STATEMENT...
    cp "$TMP/good.db" "$TMP/$1.db"
    sql "$TMP/$1.db" "PRAGMA writable_schema=ON" \
        "UPDATE sqlite_master SET sql=replace(sql, 'NOT NULL', '') WHERE type='table'"
    db=$TMP/$1.db; shift
    sql "$db" "$@"
}
refused() { # refused WHAT COMMAND...: exit 2 and the usual message, no crash
    what=$1; shift
    out=$("$@" 2>&1 </dev/null); rc=$?
    [ $rc = 2 ] || { echo "$what: exit $rc: $out"; return 1; }
    echo "$out" | grep -q "not a readable irra gallery" || { echo "$what: $out"; return 1; }
}

# --- 1. every column read from a gallery is checked -----------------------------------------------
null_image_path_is_refused_by_search_browse_and_eval() {
    loosened np "UPDATE images SET path=NULL WHERE id=3"
    refused search $IRRA search $TINY --gallery "$TMP/np.db" "a man" || return 1
    refused browse $IRRA browse $BROWSE --gallery "$TMP/np.db" || return 1
    refused eval $IRRA eval $TINY --gallery "$TMP/np.db" || return 1
}
null_caption_is_refused_by_eval() {
    loosened nc "UPDATE captions SET text=NULL WHERE id=2"
    refused eval $IRRA eval $TINY --gallery "$TMP/nc.db"
}
caption_of_the_wrong_type_is_refused() {
    loosened bc "UPDATE captions SET text=x'00ff' WHERE id=2"
    refused eval $IRRA eval $TINY --gallery "$TMP/bc.db"
}
null_identity_is_refused() {
    loosened ni "UPDATE images SET pid=NULL WHERE id=1"
    refused search $IRRA search $TINY --gallery "$TMP/ni.db" "a man"
}
feature_stored_as_text_is_refused() {
    loosened ft "UPDATE features SET vec='abcd' WHERE image_id=1"
    refused search $IRRA search $TINY --gallery "$TMP/ft.db" "a man"
}
null_meta_value_is_refused() {
    loosened nm "UPDATE meta SET value=NULL WHERE key='model_path'"
    refused info $IRRA gallery info "$TMP/nm.db" || return 1
    refused search $IRRA search $TINY --gallery "$TMP/nm.db" "a man"
}
resumed_build_refuses_a_null_pending_path() {
    # image 1 lost its feature (an interrupted build) and its path: the resumed build's work list
    loosened rb "DELETE FROM features WHERE image_id=1" "UPDATE images SET path=NULL WHERE id=1"
    refused build $IRRA gallery build -q $TINY --dataset "cuhk-pedes:$TMP/cuhk" -o "$TMP/rb.db"
}

t null_image_path_is_refused_by_search_browse_and_eval
t null_caption_is_refused_by_eval
t caption_of_the_wrong_type_is_refused
t null_identity_is_refused
t feature_stored_as_text_is_refused
t null_meta_value_is_refused
t resumed_build_refuses_a_null_pending_path

# --- 2. text from files, galleries and arguments never reaches the terminal raw ------------------
ESC=$(printf '\033')
OSC52=$(printf '\033]52;c;aGk=\007') # a clipboard write
no_escape() { # no_escape WHAT FILE: FILE holds no ESC, BEL or C1 CSI byte
    ! grep -q "[$ESC$(printf '\007\233')]" "$2" || { echo "$1 reaches the terminal raw:"; od -c "$2" | head; return 1; }
}
search_and_build_warnings_defuse_escapes_in_file_names() {
    mkdir -p "$TMP/esc"
    $FIX images "$TMP/esc" 3 4
    cp "$TMP/esc/0000_c1_img.png" "$TMP/esc/x${OSC52}y.png"
    printf 'not an image' >"$TMP/esc/bad${OSC52}.jpg"
    $IRRA gallery build -q $TINY --images "$TMP/esc" -o "$TMP/esc.db" 2>"$TMP/err" || fail "build: $(cat "$TMP/err")"
    grep -q 'skipped .*bad?\]52;c;aGk=?\.jpg' "$TMP/err" || fail "warning: $(cat "$TMP/err")"
    no_escape "a build warning" "$TMP/err" || return 1
    $IRRA search $TINY --gallery "$TMP/esc.db" -k 10 "a man$OSC52" >"$TMP/out" 2>&1 || fail "search"
    grep -q 'x?\]52;c;aGk=?y\.png' "$TMP/out" || fail "search output: $(cat "$TMP/out")"
    grep -q '^query: a man?\]52' "$TMP/out" || fail "query line: $(cat "$TMP/out")"
    no_escape "search output" "$TMP/out" || return 1
    # --json stays JSON: escaped by json-c, the name intact for scripts
    $IRRA search $TINY --gallery "$TMP/esc.db" -k 10 --json "a man" >"$TMP/out" || fail "json"
    $PY -c "import json,sys; r=json.load(open(sys.argv[1]))['results']
assert any(x['path']=='x\x1b]52;c;aGk=\x07y.png' for x in r), r" "$TMP/out" || fail "json path"
    no_escape "search --json" "$TMP/out"
}
gallery_info_and_errors_defuse_escapes_in_meta_values() {
    cp "$TMP/good.db" "$TMP/meta.db"
    sql "$TMP/meta.db" "UPDATE meta SET value='src$OSC52' WHERE key='source'" \
        "UPDATE meta SET value='m$OSC52.pth' WHERE key='model_path'"
    $IRRA gallery info "$TMP/meta.db" >"$TMP/out" 2>&1 || fail "info"
    grep -q '^source *src?\]52;c;aGk=?' "$TMP/out" && grep -q '^model *m?\]52;c;aGk=?\.pth' "$TMP/out" ||
        fail "info: $(cat "$TMP/out")"
    no_escape "gallery info" "$TMP/out" || return 1
    # an error quoting the model path and a fingerprint from the gallery
    sql "$TMP/meta.db" "UPDATE meta SET value='ff$OSC52' WHERE key='model_fingerprint'"
    $IRRA search $TINY --gallery "$TMP/meta.db" "a man" >"$TMP/out" 2>&1 && fail "another model accepted"
    grep -q 'another model (m?\]52;c;aGk=?\.pth, fingerprint ff?\]52' "$TMP/out" || fail "message: $(cat "$TMP/out")"
    no_escape "an error message" "$TMP/out" || return 1
    # a gallery path given as an argument, quoted by an error
    $IRRA gallery info "$TMP/none$OSC52.db" >"$TMP/out" 2>&1 && fail "a missing gallery"
    no_escape "an error quoting an argument" "$TMP/out"
}
eval_error_quoting_a_stored_caption_is_defused() {
    # a caption that only a hand-edited gallery can hold (a build repairs it): eval refuses it,
    # quoting it safely
    cp "$TMP/good.db" "$TMP/cap.db"
    sql "$TMP/cap.db" "UPDATE captions SET text=CAST(x'61201b5d35323b633b61476b3d07ff' AS TEXT) WHERE id=1"
    $IRRA eval $TINY --gallery "$TMP/cap.db" >"$TMP/out" 2>&1 && fail "accepted"
    grep -q "text 1 ('a ?\]52;c;aGk=??')" "$TMP/out" || fail "message: $(cat "$TMP/out")"
    no_escape "eval quoting a caption" "$TMP/out"
}
t search_and_build_warnings_defuse_escapes_in_file_names
t gallery_info_and_errors_defuse_escapes_in_meta_values
t eval_error_quoting_a_stored_caption_is_defused

# --- 6. annotation paths stay inside the image folder --------------------------------------------
# edit_dataset NAME PYTHON: a copy of the cuhk dataset whose entries list E the code changes
edit_dataset() {
    rm -rf "$TMP/$1"; cp -r "$TMP/cuhk" "$TMP/$1"
    $PY -c "import json,sys
E=json.load(open(sys.argv[1]))
$2
open(sys.argv[1],'wb').write(json.dumps(E).encode().replace(b'@FF@', b'\xff'))" "$TMP/$1/reid_raw.json"
}
refused_entry() { # refused_entry DATASET ENTRY TEXT
    out=$($IRRA gallery build -q $TINY --dataset "cuhk-pedes:$TMP/$1" -o "$TMP/$1.db" 2>&1); rc=$?
    [ $rc = 2 ] || { echo "exit $rc: $out"; return 1; }
    echo "$out" | grep -q "reid_raw.json: entry $2: .*$3" || { echo "message: $out"; return 1; }
}
dotdot_path_is_refused_naming_the_entry() {
    edit_dataset dd "E[4]['file_path']='test/../../../../../../etc/passwd'"
    refused_entry dd 4 "leaves the image folder"
}
absolute_path_is_refused_naming_the_entry() {
    # a train entry: every entry is checked, whatever the split asked for
    edit_dataset ab "E[27]['file_path']='/etc/passwd'"
    refused_entry ab 27 "leaves the image folder"
}
link_out_of_the_image_folder_is_refused() {
    edit_dataset ln "E[2]['file_path']='test/outside.png'"
    ln -s "$TMP/tiny/model.pth" "$TMP/ln/imgs/test/outside.png"
    refused_entry ln 2 "resolves outside the image folder"
}
dots_inside_names_are_not_components() {
    edit_dataset dots "E[0]['file_path']='test/..a../x..png'"
    mkdir -p "$TMP/dots/imgs/test/..a.."; cp "$TMP/cuhk/imgs/test/0000_c1_0000.png" "$TMP/dots/imgs/test/..a../x..png"
    $IRRA gallery build -q $TINY --dataset "cuhk-pedes:$TMP/dots" -o "$TMP/dots.db" 2>"$TMP/err" || fail "$(cat "$TMP/err")"
    [ ! -s "$TMP/err" ] || fail "warnings: $(cat "$TMP/err")"
}
t dotdot_path_is_refused_naming_the_entry
t absolute_path_is_refused_naming_the_entry
t link_out_of_the_image_folder_is_refused
t dots_inside_names_are_not_components

# --- 7. a bad caption is repaired at build time, with a warning naming it --------------------------
bad_captions_are_repaired_once_and_eval_runs() {
    edit_dataset bad "E[1]['captions'][0]='a man @FF@@FF@ in red'; E[3]['captions'][1]='a woman\u0000 with a bag'"
    $IRRA gallery build -q $TINY --dataset "cuhk-pedes:$TMP/bad" -o "$TMP/bad.db" 2>"$TMP/err" || fail "build: $(cat "$TMP/err")"
    [ "$(grep -c 'warning: .*reid_raw.json: entry [13]: captions\[[01]\] is not valid UTF-8' "$TMP/err")" = 2 ] ||
        fail "warnings: $(cat "$TMP/err")"
    $PY -c "import sqlite3,sys; c=sqlite3.connect(sys.argv[1])
t=[r[0] for r in c.execute('SELECT text FROM captions ORDER BY id')]
assert 'a man \ufffd\ufffd in red' in t, t
assert 'a woman\ufffd with a bag' in t, t" "$TMP/bad.db" || fail "stored captions"
    $IRRA eval $TINY --gallery "$TMP/bad.db" --json >"$TMP/out" 2>&1 || fail "eval: $(cat "$TMP/out")"
    $IRRA eval $TINY --dataset "cuhk-pedes:$TMP/bad" --json >"$TMP/out" 2>&1 || fail "eval --dataset: $(cat "$TMP/out")"
}
t bad_captions_are_repaired_once_and_eval_runs

# --- 4. a small checkpoint may not demand gigabytes -------------------------------------------------
# expanded NAME PYTHON: the tiny checkpoint with its state dict sd changed by PYTHON, as NAME.pth
expanded() {
    $PY -c "import sys,torch
ck=torch.load(sys.argv[1]); sd=ck['model']
$2
torch.save(ck, sys.argv[2])" "$TMP/tiny/model.pth" "$TMP/$1.pth" || return 1
    cp "$TMP/tiny/configs.yaml" "$TMP/configs.yaml"
}
refused_small() { # refused_small NAME TEXT: embed and import refuse it fast, in little memory
    for cmd in "embed --text x --model" "import -o $TMP/$1.safetensors"; do
        out=$(/usr/bin/time -f 'rss %M' $IRRA $cmd "$TMP/$1.pth" --vocab "$VOCAB" 2>&1); rc=$?
        [ $rc = 2 ] || { echo "$cmd: exit $rc: $out"; return 1; }
        echo "$out" | grep -q "$1.pth: .*$2" || { echo "$cmd: $out"; return 1; }
        rss=$(echo "$out" | sed -n 's/^rss //p')
        [ "${rss:-999999}" -lt 400000 ] || { echo "$cmd: $rss KB"; return 1; }
    done
    [ ! -e "$TMP/$1.safetensors" ] || { echo "import wrote a file"; return 1; }
}
stride0_weight_is_refused() {
    # 4M x 64 values standing on a 64-value storage: the vocabulary the configuration infers
    expanded s0 "sd['base_model.token_embedding.weight']=torch.zeros(64).expand(1 << 22, 64)" || fail "torch"
    refused_small s0 "token_embedding.weight \[4194304,64\] is a view whose elements overlap"
}
overlapping_strides_are_refused() {
    # rows that start one element apart: every row but the first overlaps the next
    expanded ov "sd['base_model.visual.proj']=torch.as_strided(torch.zeros(200), (64, 32), (1, 1))" || fail "torch"
    refused_small ov "visual.proj \[64,32\] is a view whose elements overlap"
}
stride0_extra_tensor_is_refused() {
    # a tensor the model never binds, which import would write out dense (1 GB)
    expanded x0 "sd['junk']=torch.zeros(64).expand(1 << 22, 64)" || fail "torch"
    refused_small x0 "more than twice the [0-9]* of the model they configure"
}
a_transposed_weight_is_not_an_overlap() {
    expanded tr "sd['base_model.visual.proj']=sd['base_model.visual.proj'].t().contiguous().t()" || fail "torch"
    $IRRA embed --text x --model "$TMP/tr.pth" --vocab "$VOCAB" >/dev/null || fail "a transposed weight was refused"
}
t stride0_weight_is_refused
t overlapping_strides_are_refused
t stride0_extra_tensor_is_refused
t a_transposed_weight_is_not_an_overlap
