# Dataset readers (gallery/dataset.h) against a Python transcription of the official readers
# (anosorae/IRRA datasets/cuhkpedes.py, icfgpedes.py, rstpreid.py; spec section 6): the split
# rule, JSON order, caption flattening, train id remapping and the contiguity assert. The
# annotation files and images are written here; the reference never calls our code.
. tests/lib.sh
TOOL="$(cd "$build/tests" && pwd)/tool_dataset"
PY=/usr/bin/python3

# ref.py make KIND DIR: a small dataset of that kind | dump KIND DIR SPLIT | folder DIR
cat >"$TMP/ref.py" <<'EOF'
import json, os, re, sys

KINDS = {'cuhk-pedes': (1, 'reid_raw.json', 'file_path', 1),
         'icfg-pedes': (2, 'ICFG-PEDES.json', 'file_path', 0),
         'rstpreid': (3, 'data_captions.json', 'img_path', 0)}
EXTS = {'jpg', 'jpeg', 'png', 'bmp', 'gif', 'tga', 'psd', 'hdr', 'pic', 'pnm', 'ppm', 'pgm'}

def camera(p):
    m = re.search(r'_c(\d+)', os.path.basename(p))
    return int(m.group(1)) if m else -1

def make(kind, d):
    # Entries out of id order, in every split, with 1..3 captions, the raw id as int or string;
    # train ids are contiguous after the dataset's own remapping.
    _, anno, key, shift = KINDS[kind]
    os.makedirs(os.path.join(d, 'imgs'), exist_ok=True)
    splits = ['train', 'test', 'train', 'val', 'test', 'train', 'validation', 'train', 'test',
              'train', 'TEST', 'train']
    train_ids = [2, 0, 1, 0, 2, 1]
    entries, t = [], 0
    for i, s in enumerate(splits):
        if s == 'train':
            pid = train_ids[t] + shift
            t += 1
        else:
            pid = 500 - 37 * i
        name = f'{pid:04d}_c{i + 1}_{i:04d}.jpg' if kind == 'rstpreid' else \
               f'{s}/{pid:04d}/{i:03d}{"_c3s1" if i % 3 == 0 else ""}.png'
        caps = [f'A person {i}.{k} in a "red" coat, café' for k in range(1 + i % 3)]
        e = {'split': s, 'captions': caps, key: name, 'id': str(pid) if i == 4 else pid}
        if kind == 'cuhk-pedes':
            e['processed_tokens'] = [[w for w in c.split()] for c in caps]
        entries.append(e)
    json.dump(entries, open(os.path.join(d, anno), 'w'))

def dump(kind, d, split):
    k, anno, key, shift = KINDS[kind]
    d = os.path.abspath(d)
    annos = json.load(open(os.path.join(d, anno)))
    sel = [a for a in annos if (a['split'] if a['split'] in ('train', 'test') else 'val') == split]
    images, caps = [], []
    for image_id, a in enumerate(sel):
        pid = int(a['id']) - (shift if split == 'train' else 0)
        path = os.path.join(os.path.join(d, 'imgs/'), a[key])
        images.append(f'I\t{a[key]}\t{path}\t{pid}\t{camera(a[key])}')
        caps += [f'C\t{pid}\t{image_id}\t{c}' for c in a['captions']]
    pids = sorted({int(l.split('\t')[3]) for l in images})
    classes = 0
    if split == 'train':
        assert pids == list(range(len(pids))), 'train ids not contiguous'
        classes = len(pids)
    print(f'kind {k} split {split} images {len(images)} captions {len(caps)} ids {len(pids)} '
          f'classes {classes}')
    print('\n'.join(images + caps))

def folder(d):
    d = os.path.abspath(d)
    rel = []
    for root, dirs, files in os.walk(d):
        dirs[:] = [x for x in dirs if not x.startswith('.')]
        for f in files:
            if not f.startswith('.') and '.' in f[1:] and f.rsplit('.', 1)[1].lower() in EXTS:
                rel.append(os.path.relpath(os.path.join(root, f), d))
    rel.sort()
    print(f'kind 0 split  images {len(rel)} captions 0 ids 0 classes 0')
    print('\n'.join(f'I\t{r}\t{d}/{r}\t-1\t{camera(r)}' for r in rel))

cmd = sys.argv[1]
if cmd == 'make':
    make(sys.argv[2], sys.argv[3])
elif cmd == 'dump':
    dump(sys.argv[2], sys.argv[3], sys.argv[4])
else:
    folder(sys.argv[2])
EOF

ref() { $PY "$TMP/ref.py" "$@"; }

# same_as_reference KIND DIR SPLIT: our dump equals the transcription's, line for line.
same_as_reference() {
    ref dump "$1" "$2" "$3" >"$TMP/want" || { fail "reference failed on $*"; return 1; }
    "$TOOL" "$1:$2" "$3" >"$TMP/got" || { fail "tool failed on $*"; return 1; }
    diff "$TMP/want" "$TMP/got" >&2 || { fail "$1 $3 differs"; return 1; }
}
# bad_input SPEC SPLIT TEXT...: exit status 2 and a message containing every TEXT.
bad_input() {
    out=$("$TOOL" "$1" "$2" 2>&1); rc=$?
    [ $rc -eq 2 ] || { fail "$1 $2: exit $rc, output: $out"; return 1; }
    shift 2
    for w in "$@"; do
        case "$out" in *"$w"*) ;; *) fail "message lacks '$w': $out"; return 1 ;; esac
    done
}
# a fresh copy of the CUHK-PEDES fixture whose JSON the caller then breaks
broken_cuhk() {
    rm -rf "$TMP/bad" && mkdir -p "$TMP/bad/imgs" && cat >"$TMP/bad/reid_raw.json"
}

cuhk_pedes_splits_match_official_reader() {
    ref make cuhk-pedes "$TMP/cuhk" || return 1
    for s in train test val; do same_as_reference cuhk-pedes "$TMP/cuhk" $s || return 1; done
}
cuhk_pedes_train_ids_are_shifted_down_by_one() {
    "$TOOL" "cuhk-pedes:$TMP/cuhk" train >"$TMP/got" || return 1
    head -1 "$TMP/got" | grep -q 'images 6 captions 13 ids 3 classes 3$' || { fail "$(head -1 "$TMP/got")"; return 1; }
    # the first train entry has raw id 3 (written as train id 2 + 1)
    sed -n 2p "$TMP/got" | cut -f4 | grep -qx 2 || fail "first train pid: $(sed -n 2p "$TMP/got")"
}
test_split_keeps_raw_ids_and_json_order() {
    "$TOOL" "cuhk-pedes:$TMP/cuhk" test >"$TMP/got" || return 1
    # test entries are 1, 4, 8 (+ "TEST", which is val): raw ids 463, 352, 204, in that order
    [ "$(grep '^I' "$TMP/got" | cut -f4 | tr '\n' ' ')" = "463 352 204 " ] || fail "$(cat "$TMP/got")"
}
anything_but_train_or_test_is_val() {
    "$TOOL" "cuhk-pedes:$TMP/cuhk" val >"$TMP/got" || return 1
    # "val", "validation" and "TEST" (entries 3, 6, 10)
    [ "$(grep '^I' "$TMP/got" | cut -f4 | tr '\n' ' ')" = "389 278 130 " ] || fail "$(cat "$TMP/got")"
}
captions_are_flattened_with_their_image() {
    "$TOOL" "cuhk-pedes:$TMP/cuhk" test >"$TMP/got" || return 1
    # entry 1 has 2 captions, 4 has 2, 8 has 3: images 0 0 1 1 2 2 2
    [ "$(grep '^C' "$TMP/got" | cut -f3 | tr '\n' ' ')" = "0 0 1 1 2 2 2 " ] || { fail "images"; return 1; }
    grep -q "$(printf 'C\t352\t1\tA person 4.1 in a "red" coat, café')" "$TMP/got" || fail "caption text"
}
icfg_pedes_splits_match_official_reader() {
    ref make icfg-pedes "$TMP/icfg" || return 1
    for s in train test val; do same_as_reference icfg-pedes "$TMP/icfg" $s || return 1; done
    "$TOOL" "icfg-pedes:$TMP/icfg" train | head -1 | grep -q 'classes 3$' || fail "classes"
}
rstpreid_splits_match_official_reader() {
    ref make rstpreid "$TMP/rstp" || return 1
    for s in train test val; do same_as_reference rstpreid "$TMP/rstp" $s || return 1; done
}
camera_is_parsed_from_file_names() {
    # RSTPReid "0002_c1_0000.jpg" -> 1; CUHK "train/0003/000_c3s1.png" -> 3 (Market style);
    # "train/0001/002.png" has none -> -1
    "$TOOL" "rstpreid:$TMP/rstp" train | sed -n 2p | cut -f5 | grep -qx 1 || { fail "rstpreid"; return 1; }
    "$TOOL" "cuhk-pedes:$TMP/cuhk" train >"$TMP/got" || return 1
    [ "$(grep '^I' "$TMP/got" | cut -f5 | tr '\n' ' ')" = "3 -1 -1 -1 3 -1 " ] || fail "$(cat "$TMP/got")"
}
relative_dataset_dir_is_made_absolute() {
    (cd "$TMP" && "$TOOL" "cuhk-pedes:cuhk/" test) >"$TMP/got" || { fail "tool"; return 1; }
    sed -n 2p "$TMP/got" | cut -f3 | grep -q "^$TMP/cuhk/imgs/test/" || fail "$(sed -n 2p "$TMP/got")"
}
missing_image_files_are_not_an_error() {
    [ -z "$(ls "$TMP/cuhk/imgs")" ] || { fail "fixture has images"; return 1; }
    "$TOOL" "cuhk-pedes:$TMP/cuhk" test >/dev/null
}
train_ids_must_be_contiguous_from_zero() {
    # CUHK-PEDES ids 1 and 3 become 0 and 2: 1 is missing
    broken_cuhk <<'EOF'
[{"split": "train", "captions": ["a"], "file_path": "a.png", "id": 1},
 {"split": "train", "captions": ["b"], "file_path": "b.png", "id": 3}]
EOF
    bad_input "cuhk-pedes:$TMP/bad" train "reid_raw.json" "1 is missing" || return 1
    # the same file is fine for test: raw ids need only equality
    "$TOOL" "cuhk-pedes:$TMP/bad" test >/dev/null || fail "test split refused"
}
missing_annotation_file_is_an_error_naming_it() {
    mkdir -p "$TMP/noanno/imgs"
    bad_input "icfg-pedes:$TMP/noanno" test "$TMP/noanno/ICFG-PEDES.json"
}
missing_imgs_folder_is_an_error() {
    mkdir -p "$TMP/noimgs" && echo '[]' >"$TMP/noimgs/data_captions.json"
    bad_input "rstpreid:$TMP/noimgs" test "$TMP/noimgs/imgs" && bad_input "rstpreid:$TMP/nowhere" test "$TMP/nowhere"
}
malformed_json_is_an_error_naming_the_file() {
    printf '[{"split": "train", "captions": ["a"' | broken_cuhk
    bad_input "cuhk-pedes:$TMP/bad" test "$TMP/bad/reid_raw.json" "malformed" || return 1
    echo '{"split": "train"}' | broken_cuhk
    bad_input "cuhk-pedes:$TMP/bad" test "$TMP/bad/reid_raw.json" "list" || return 1
    echo '[] []' | broken_cuhk
    bad_input "cuhk-pedes:$TMP/bad" test "reid_raw.json" "malformed"
}
entry_missing_a_field_is_an_error_naming_the_index() {
    for f in split captions file_path id; do
        $PY - "$f" >"$TMP/e.json" <<'EOF'
import json, sys
good = {"split": "test", "captions": ["a"], "file_path": "a.png", "id": 4}
bad = dict(good); del bad[sys.argv[1]]
print(json.dumps([good, good, bad]))
EOF
        broken_cuhk <"$TMP/e.json"
        bad_input "cuhk-pedes:$TMP/bad" train "reid_raw.json" "entry 2" "\"$f\"" || return 1
    done
}
entry_with_a_wrong_type_is_an_error_naming_the_index() {
    for bad in '"split": 1' '"captions": "a"' '"captions": ["a", 2]' '"file_path": ""' \
               '"file_path": 3' '"id": [4]' '"id": "four"' '"id": 1.5' '"id": -2'; do
        printf '[{"split": "test", "captions": ["a"], "file_path": "a.png", "id": 4},
                 {"split": "test", "captions": ["a"], "file_path": "a.png", "id": 4, %s}]' \
            "$bad" | broken_cuhk
        bad_input "cuhk-pedes:$TMP/bad" test "reid_raw.json" "entry 1" || { fail "$bad"; return 1; }
    done
    printf '[{"split": "test", "captions": ["a"], "file_path": "a.png", "id": 4}, 7]' | broken_cuhk
    bad_input "cuhk-pedes:$TMP/bad" test "entry 1" "object"
}
id_as_integer_string_is_accepted_like_python_int() {
    echo '[{"split": "test", "captions": ["a"], "file_path": "a.png", "id": "12"}]' | broken_cuhk
    "$TOOL" "cuhk-pedes:$TMP/bad" test | sed -n 2p | cut -f4 | grep -qx 12 || fail "id"
}
bad_spec_or_split_is_an_error() {
    bad_input "market:$TMP/cuhk" test "unknown" && bad_input "$TMP/cuhk" test "KIND:DIR" &&
        bad_input "cuhk-pedes:$TMP/cuhk" gallery "split"
}
folder_is_scanned_recursively_and_sorted() {
    f="$TMP/folder"
    mkdir -p "$f/b cam/sub dir" "$f/a" "$f/.hidden" "$f/été" || return 1
    for p in "b cam/sub dir/0001_c2_x.JPG" "b cam/z.png" "a/0002_c5s1_000.jpeg" "top.bmp" \
             "été/piéton ☂.png" "a/B.Png" "a/img.ppm" ".hidden/h.png" "a/.dot.png"; do
        echo x >"$f/$p"
    done
    echo x >"$f/notes.txt"; echo x >"$f/a/noext"; echo x >"$f/a/jpg"
    mkdir -p "$TMP/outside" && echo x >"$TMP/outside/o.png" && ln -s "$TMP/outside" "$f/link"
    ref folder "$f" >"$TMP/want" || return 1
    "$TOOL" --folder "$f" >"$TMP/got" || { fail "tool"; return 1; }
    diff "$TMP/want" "$TMP/got" >&2 || { fail "differs"; return 1; }
    [ "$(grep -c '^I' "$TMP/got")" = 7 ] || fail "expected 7 images"
}
images_spec_opens_a_folder() {
    "$TOOL" "images:$TMP/folder" ignored >"$TMP/got" || { fail "tool"; return 1; }
    "$TOOL" --folder "$TMP/folder" | cmp -s - "$TMP/got" || fail "differs from --folder"
}
empty_or_missing_folder_is_an_error() {
    mkdir -p "$TMP/empty/sub" && echo x >"$TMP/empty/sub/readme.txt"
    out=$("$TOOL" --folder "$TMP/empty" 2>&1) && { fail "empty folder accepted"; return 1; }
    echo "$out" | grep -q "$TMP/empty: no image files" || { fail "$out"; return 1; }
    out=$("$TOOL" --folder "$TMP/absent" 2>&1) && { fail "missing folder accepted"; return 1; }
    echo "$out" | grep -q "$TMP/absent" || fail "$out"
}

t cuhk_pedes_splits_match_official_reader
t cuhk_pedes_train_ids_are_shifted_down_by_one
t test_split_keeps_raw_ids_and_json_order
t anything_but_train_or_test_is_val
t captions_are_flattened_with_their_image
t icfg_pedes_splits_match_official_reader
t rstpreid_splits_match_official_reader
t camera_is_parsed_from_file_names
t relative_dataset_dir_is_made_absolute
t missing_image_files_are_not_an_error
t train_ids_must_be_contiguous_from_zero
t missing_annotation_file_is_an_error_naming_it
t missing_imgs_folder_is_an_error
t malformed_json_is_an_error_naming_the_file
t entry_missing_a_field_is_an_error_naming_the_index
t entry_with_a_wrong_type_is_an_error_naming_the_index
t id_as_integer_string_is_accepted_like_python_int
t bad_spec_or_split_is_an_error
t folder_is_scanned_recursively_and_sorted
t images_spec_opens_a_folder
t empty_or_missing_folder_is_an_error
