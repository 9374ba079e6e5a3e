# irra tokenize: captions to CLIP ids (the ids are spec section 8's vectors).
. tests/lib.sh
V=assets/bpe_simple_vocab_16e6.txt.gz

help_shows_usage() {
    $IRRA tokenize --help | grep -q -- "--vocab FILE" || fail "no usage"
}
prints_spec_vector() {
    out=$($IRRA tokenize --vocab $V "A woman wearing a red shirt and black pants." "person in 2 blue shoes")
    want='[49406, 320, 2308, 3309, 320, 736, 2523, 537, 1449, 5003, 269, 49407]
[49406, 2533, 530, 273, 1746, 4079, 49407]'
    [ "$out" = "$want" ] || fail "got: $out"
}
context_truncates_with_eot_last() {
    out=$($IRRA tokenize --vocab $V --context 4 "a red shirt and black pants")
    [ "$out" = "[49406, 320, 736, 49407]" ] || fail "got: $out"
}
jsonl_answers_each_line() {
    out=$(printf '"person in 2 blue shoes"\n"Tom &amp; Jerry &lt;3 html entities"\n' | $IRRA tokenize --vocab $V --jsonl)
    want='[49406, 2533, 530, 273, 1746, 4079, 49407]
[49406, 2435, 261, 9164, 283, 274, 18231, 38134, 49407]'
    [ "$out" = "$want" ] || fail "got: $out"
}
jsonl_malformed_line_names_it() {
    err=$(printf '"ok"\n{"text": 1}\n' | $IRRA tokenize --vocab $V --jsonl 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] || fail "exit $rc"
    echo "$err" | grep -q "line 2" || fail "stderr: $err"
}
missing_vocab_names_file() {
    err=$($IRRA tokenize --vocab "$TMP/none.gz" "a" 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] || fail "exit $rc"
    echo "$err" | grep -q "$TMP/none.gz" || fail "stderr: $err"
}
garbage_vocab_names_file() {
    printf 'header\nnot a merge line\n' > "$TMP/bad.txt"
    err=$($IRRA tokenize --vocab "$TMP/bad.txt" "a" 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] || fail "exit $rc"
    echo "$err" | grep -q "$TMP/bad.txt: line 2" || fail "stderr: $err"
}
usage_errors_exit_2() {
    $IRRA tokenize --vocab $V --model x.safetensors "a" 2>/dev/null; [ $? -eq 2 ] || fail "both"
    $IRRA tokenize --vocab $V 2>/dev/null; [ $? -eq 2 ] || fail "no text"
    $IRRA tokenize --vocab $V --context 1 "a" 2>/dev/null; [ $? -eq 2 ] || fail "context 1"
    $IRRA tokenize --vocab $V --bogus "a" 2>/dev/null; [ $? -eq 2 ] || fail "bogus option"
    $IRRA tokenize --vocab $V "$(printf 'bad \377')" 2>/dev/null; [ $? -eq 2 ] || fail "bad UTF-8"
}

shipped_vocab_is_the_default() {
    [ "$($IRRA tokenize "person in 2 blue shoes")" = "$($IRRA tokenize --vocab $V "person in 2 blue shoes")" ] || fail "differs"
}
model_without_vocab_is_named() {
    printf 'not a model' > "$TMP/m.safetensors"
    err=$($IRRA tokenize --model "$TMP/m.safetensors" "a" 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] && echo "$err" | grep -q "m.safetensors" || fail "exit $rc: $err"
}

t help_shows_usage
t shipped_vocab_is_the_default
t model_without_vocab_is_named
t prints_spec_vector
t context_truncates_with_eot_last
t jsonl_answers_each_line
t jsonl_malformed_line_names_it
t missing_vocab_names_file
t garbage_vocab_names_file
t usage_errors_exit_2
