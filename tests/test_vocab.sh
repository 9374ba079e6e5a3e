#!/bin/sh
# irra vocab: a vocabulary learned from a dataset's captions, read alike by irra's tokenizer and
# IRRA's simple_tokenizer.py, embedded in the model that irra train makes with it.
. tests/lib.sh
$IRRA synth -o "$TMP/s" --size 96x32 --ids 24 --val-ids 4 --test-ids 4 --images-per-id 2 --seed 3 2>/dev/null
CHECK="/usr/bin/python3 tests/check_vocab.py"
CLIP=assets/bpe_simple_vocab_16e6.txt.gz

help_shows_usage() {
    $IRRA vocab --help | grep -q -- "--min-count N" || fail "no usage"
    $IRRA --help 2>&1 | grep -q "vocab" || fail "not in the command list"
}
learns_every_caption_word_as_one_token() {
    out=$($IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/v1.txt" --min-count 1 2>&1) || fail "vocab: $out"
    echo "$out" | grep -q "100.0% of the words are one token" || fail "min count 1: $out"
    out=$($IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/v.txt" 2>&1) || fail "vocab: $out"
    echo "$out" | grep -q "9[0-9].[0-9]% of the words are one token" || fail "min count 2: $out"
    n=$(($(wc -l < "$TMP/v.txt") - 1))
    echo "$out" | grep -q "$((512 + n + 3)) ids" || fail "vocabulary size: $out ($n merges)"
    ids=$($IRRA tokenize --vocab "$TMP/v.txt" "a woman <|mask|> trousers")
    echo "$ids" | grep -q "^\[$((512 + n + 1)), [0-9]*, [0-9]*, $((512 + n)), [0-9]*, $((512 + n + 2))\]$" ||
        fail "special ids of a learned vocabulary: $ids"
}
same_ids_as_the_official_tokenizer() {
    [ -s "$TMP/v.txt" ] || $IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/v.txt" >/dev/null
    $CHECK texts "$TMP/s" "zebra-striped raincoat 42" "<|mask|> jekyll" "!!! ... a" >"$TMP/texts.jsonl"
    $IRRA tokenize --vocab "$TMP/v.txt" --context 4096 --jsonl <"$TMP/texts.jsonl" >"$TMP/ids.jsonl" || fail "tokenize"
    $CHECK compare "$TMP/v.txt" "$TMP/texts.jsonl" "$TMP/ids.jsonl" || fail "differs from Python"
    $IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/v.txt.gz" >/dev/null || fail "gzip output"
    gzip -dc "$TMP/v.txt.gz" | cmp -s - "$TMP/v.txt" || fail "the .gz holds other merges"
    $CHECK compare "$TMP/v.txt.gz" "$TMP/texts.jsonl" "$TMP/ids.jsonl" || fail "the .gz differs from Python"
}
same_captions_same_file() {
    $IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/a.txt" >/dev/null && \
        $IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/b.txt" >/dev/null || fail "vocab"
    cmp -s "$TMP/a.txt" "$TMP/b.txt" || fail "two runs differ"
    $IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/c.txt" --max-merges 20 >/dev/null || fail "--max-merges"
    [ "$(wc -l < "$TMP/c.txt")" = 21 ] || fail "--max-merges 20: $(wc -l < "$TMP/c.txt") lines"
    head -21 "$TMP/a.txt" | sed 1d | cmp -s - "$(sed 1d "$TMP/c.txt" >"$TMP/c2"; echo "$TMP/c2")" ||
        fail "--max-merges 20 is not the first 20 merges"
}
trained_model_embeds_the_vocabulary() {
    [ -s "$TMP/v.txt" ] || $IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/v.txt" >/dev/null
    OMP_NUM_THREADS=1 $IRRA train --dataset "cuhk-pedes:$TMP/s" -o "$TMP/run" --vocab "$TMP/v.txt" \
        --vision-width 64 --vision-layers 1 --text-width 64 --text-layers 1 --embed-dim 64 \
        --cmt-depth 1 --img-size 32x16 --patch-size 8 --stride-size 8 --text-length 32 \
        --batch-size 16 --num-epoch 1 -q 2>"$TMP/err" || fail "train: $(cat "$TMP/err")"
    m="$TMP/run/best.safetensors"
    n=$(($(wc -l < "$TMP/v.txt") - 1))
    for w in base_model.token_embedding.weight mlm_head.fc.weight; do
        shape=$(/usr/bin/python3 tests/st_tensors.py shape "$m" $w)
        [ "$shape" = "$((512 + n + 3)) 64" ] || fail "$w: $shape, want $((512 + n + 3)) rows"
    done
    [ "$($IRRA tokenize --model "$m" "a man in a red coat")" = "$($IRRA tokenize --vocab "$TMP/v.txt" "a man in a red coat")" ] ||
        fail "the model's vocabulary is not the file's"
    $IRRA embed --model "$m" --text "a man in a red coat" >/dev/null || fail "embed"
    err=$($IRRA embed --model "$m" --vocab $CLIP --text "a man" 2>&1 >/dev/null); rc=$?
    [ $rc = 2 ] && echo "$err" | grep -q "token id 49406 at position 0 is outside the vocabulary of $((512 + n + 3))" ||
        fail "CLIP's vocabulary with a learned-vocabulary model: exit $rc: $err"
    mkdir -p "$TMP/pth"
    $IRRA export "$m" -o "$TMP/pth/best.pth" 2>"$TMP/err" || fail "export: $(cat "$TMP/err")"
    grep -q "bpe_merges.txt.gz" "$TMP/err" || fail "export says nothing of the vocabulary: $(cat "$TMP/err")"
    gzip -dc "$TMP/pth/bpe_merges.txt.gz" | cmp -s - "$TMP/v.txt" || fail "exported merges differ"
    grep -q "vocab_size: $((512 + n + 3))" "$TMP/pth/configs.yaml" || fail "configs.yaml: $(grep vocab "$TMP/pth/configs.yaml")"
}
bad_arguments_are_one_line_errors() {
    err=$($IRRA vocab -o "$TMP/x.txt" 2>&1); [ $? = 2 ] && echo "$err" | grep -q "no --dataset" || fail "no dataset: $err"
    err=$($IRRA vocab --dataset "cuhk-pedes:$TMP/none" -o "$TMP/x.txt" 2>&1); [ $? = 2 ] && echo "$err" | grep -q "$TMP/none" || fail "missing: $err"
    err=$($IRRA vocab --dataset "images:$TMP/s/imgs" -o "$TMP/x.txt" 2>&1); [ $? = 2 ] && echo "$err" | grep -q "no captions" || fail "folder: $err"
    err=$($IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/x.txt" --min-count 0 2>&1); [ $? = 2 ] && echo "$err" | grep -q "min-count" || fail "min count 0: $err"
    err=$($IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/x.txt" --max-merges 48894 2>&1); [ $? = 2 ] || fail "max merges over CLIP's: $err"
    echo keep >"$TMP/kept.txt"
    err=$($IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/kept.txt" 2>&1); [ $? = 2 ] && echo "$err" | grep -q "exists" || fail "overwrote: $err"
    [ "$(cat "$TMP/kept.txt")" = keep ] || fail "the file changed"
    $IRRA vocab --dataset "cuhk-pedes:$TMP/s" -o "$TMP/kept.txt" --force >/dev/null || fail "--force"
    [ ! -e "$TMP/x.txt" ] || fail "a failed run left a file"
}

t help_shows_usage
t learns_every_caption_word_as_one_token
t same_ids_as_the_official_tokenizer
t same_captions_same_file
t trained_model_embeds_the_vocabulary
t bad_arguments_are_one_line_errors
