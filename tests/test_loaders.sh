# Model-file loaders (spec 7): torch.save checkpoints, hostile files, safetensors both ways,
# configs.yaml. Checkpoints come from tests/gen_checkpoints.py (torch 1.13 under /usr/bin/python3).
. tests/lib.sh
TOOL="$build/tests/tool_loaders"

if ! /usr/bin/python3 tests/gen_checkpoints.py "$TMP" >"$TMP/gen.log" 2>&1; then
    cat "$TMP/gen.log"; echo "FAIL generate_checkpoints"; exit 1
fi
# one ok/FAIL line per file: every good file matches, every hostile one is refused by name
"$TOOL" check "$TMP"
"$TOOL" roundtrip "$TMP/best.pth" "$TMP"

dump_of_a_huge_stride0_view_does_not_wrap() {
    # 2^31 x 2^31 with strides (0, 0): numel * 4 wraps to 0 in size_t; refused or listed, no crash
    out=$("$TOOL" dump "$TMP/stride0_huge.pth" 2>&1); rc=$?
    case $rc in
    0) echo "$out" | grep -q "too large to sum" || fail "output: $out" ;;
    2) [ "$(echo "$out" | wc -l)" = 1 ] || fail "output: $out" ;;
    *) fail "exit $rc: $out" ;;
    esac
}
t dump_of_a_huge_stride0_view_does_not_wrap

python_reads_our_f32_file() {
    /usr/bin/python3 tests/check_safetensors.py "$TMP/rt_f32.safetensors" "$TMP" best.pth F32
}
python_reads_our_f16_file_rounded_like_numpy() {
    /usr/bin/python3 tests/check_safetensors.py "$TMP/rt_f16.safetensors" "$TMP" best.pth F16
}
python_reader_notices_a_wrong_value() {
    # the reader above must be able to fail: flip one byte in the last tensor's data
    cp "$TMP/rt_f32.safetensors" "$TMP/flip.safetensors"
    printf '\177' | dd of="$TMP/flip.safetensors" bs=1 seek=$(($(wc -c <"$TMP/flip.safetensors") - 3)) \
        conv=notrunc 2>/dev/null
    ! /usr/bin/python3 tests/check_safetensors.py "$TMP/flip.safetensors" "$TMP" best.pth F32 \
        2>/dev/null || fail "corruption not noticed"
}
t python_reads_our_f32_file
t python_reads_our_f16_file_rounded_like_numpy
t python_reader_notices_a_wrong_value

# configs.yaml as the official trainer writes it (yaml.dump of the arguments)
yaml_tuple_img_size_and_stride() {
    printf 'batch_size: 64\nimg_size: !!python/tuple\n- 384\n- 128\nname: iira\nstride_size: 16\n' >"$TMP/c.yaml"
    [ "$("$TOOL" yaml "$TMP/c.yaml")" = "384 128 16" ] || fail "got $("$TOOL" yaml "$TMP/c.yaml" 2>&1)"
}
yaml_plain_list() {
    printf 'img_size: [256, 96]\nstride_size: 12\n' >"$TMP/c.yaml"
    [ "$("$TOOL" yaml "$TMP/c.yaml")" = "256 96 12" ] || fail "got $("$TOOL" yaml "$TMP/c.yaml" 2>&1)"
}
yaml_missing_keys_leave_outputs() {
    printf 'lr: 1.0e-05\n' >"$TMP/c.yaml"
    [ "$("$TOOL" yaml "$TMP/c.yaml")" = "-1 -1 -1" ] || fail "got $("$TOOL" yaml "$TMP/c.yaml" 2>&1)"
}
yaml_malformed_names_file() {
    printf 'img_size: [384, 128\nstride_size: 16\n' >"$TMP/bad.yaml"
    out=$("$TOOL" yaml "$TMP/bad.yaml" 2>&1) && fail "accepted: $out"
    echo "$out" | grep -q "^$TMP/bad.yaml:.*malformed YAML" || fail "message: $out"
}
yaml_wrong_shape_is_an_error() {
    printf 'img_size: [384]\n' >"$TMP/c.yaml"
    out=$("$TOOL" yaml "$TMP/c.yaml" 2>&1) && fail "accepted: $out"
    echo "$out" | grep -q "img_size" || fail "message: $out"
}
yaml_missing_file_names_file() {
    out=$("$TOOL" yaml "$TMP/none.yaml" 2>&1) && fail "accepted"
    echo "$out" | grep -q "^$TMP/none.yaml: " || fail "message: $out"
}
# configs.yaml is read beside any .pth: libyaml's loader is quadratic in the nesting depth
# (40,000 levels in 80 KB took 6 s), so depth and size are capped before it runs
yaml_deep_nesting_is_refused_fast() {
    /usr/bin/python3 -c "import sys; open(sys.argv[1],'w').write('img_size: '+'['*40000+']'*40000+'\n')" "$TMP/deep.yaml"
    start=$(date +%s%N)
    out=$(timeout 5 "$TOOL" yaml "$TMP/deep.yaml" 2>&1) && fail "accepted: $out"
    ms=$((($(date +%s%N) - start) / 1000000))
    echo "$out" | grep -q "^$TMP/deep.yaml:1: YAML nested over 32 levels" || fail "message: $out"
    [ "$ms" -lt 1000 ] || fail "took $ms ms"
    # as deep as a hand edit could want is still read
    /usr/bin/python3 -c "import sys; open(sys.argv[1],'w').write('x: '+'['*30+']'*30+'\nstride_size: 12\n')" "$TMP/deep.yaml"
    [ "$("$TOOL" yaml "$TMP/deep.yaml")" = "-1 -1 12" ] || fail "30 levels: $("$TOOL" yaml "$TMP/deep.yaml" 2>&1)"
}
yaml_over_256_kib_is_refused() {
    head -c 300000 /dev/zero | tr '\0' '#' >"$TMP/big.yaml"
    out=$("$TOOL" yaml "$TMP/big.yaml" 2>&1) && fail "accepted"
    echo "$out" | grep -q "^$TMP/big.yaml: 300000 bytes: not a configs.yaml" || fail "message: $out"
}
t yaml_deep_nesting_is_refused_fast
t yaml_over_256_kib_is_refused
t yaml_tuple_img_size_and_stride
t yaml_plain_list
t yaml_missing_keys_leave_outputs
t yaml_malformed_names_file
t yaml_wrong_shape_is_an_error
t yaml_missing_file_names_file
