# Hostile galleries, datasets and names end to end (issue 14): every bad value read from a
# gallery is a clean error, never a crash; text from files never reaches the terminal raw;
# dataset paths stay inside the image folder; a bad caption is decided at build time. Every
# hostile input is made here, from a tiny random-weight model and a dataset of
# tests/gallery_fixture.py.
. tests/lib.sh

PY=/usr/bin/python3
FIX="$PY tests/gallery_fixture.py"
VOCAB=../shared/data/bpe_simple_vocab_16e6.txt.gz
[ -f "$VOCAB" ] || VOCAB=/work/shared/data/bpe_simple_vocab_16e6.txt.gz
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
