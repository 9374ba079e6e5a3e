# The irra command itself: dispatch, help, version, errors, man pages, the OpenBLAS core.
. tests/lib.sh

version_names_linear_product() {
    $IRRA --version | grep -q '^linear layers: ' || fail "no linear layers line in --version"
    IRRA_NO_PACKED=1 $IRRA --version | grep -q '^linear layers: OpenBLAS' || fail "IRRA_NO_PACKED not reported"
}

version_names_blas_core() {
    $IRRA --version | grep -q '^openblas core: [A-Za-z]' || fail "no core in --version"
}
fallback_core_is_replaced() {
    # Forcing OpenBLAS onto its generic Prescott kernels must make irra pick a real family.
    grep -q avx2 /proc/cpuinfo || return 0
    core=$(OPENBLAS_CORETYPE=Prescott $IRRA --version | sed -n 's/^openblas core: //p')
    [ -n "$core" ] && [ "$core" != Prescott ] || fail "core stayed '$core'"
    if grep -q avx512bw /proc/cpuinfo; then [ "$core" = SkylakeX ] || fail "core $core on AVX-512"; fi
}
help_lists_commands() {
    $IRRA help | grep -q '^  version' || fail "help lacks version"
}
every_command_has_help_and_man_page() {
    for c in $($IRRA help | sed -n 's/^  \([a-z-]*\) .*/\1/p'); do
        $IRRA "$c" --help >/dev/null || { fail "$c --help failed"; return; }
        [ "$c" = help ] || [ "$c" = version ] || [ -f "man/irra-$c.1" ] || { fail "no man/irra-$c.1"; return; }
    done
}
unknown_command_exits_2_on_stderr() {
    out=$($IRRA frobnicate 2>&1 >/dev/null); rc=$?
    [ $rc -eq 2 ] || fail "exit $rc"
    echo "$out" | grep -q "frobnicate" || fail "stderr: $out"
}
man_pages_lint_clean() {
    for m in man/*.1; do
        mandoc -T lint -W warning "$m" || fail "$m"
    done
}
install_places_binary_man_and_assets() {
    make -s install BUILD="$build" PREFIX=/opt/irra DESTDIR="$TMP/root" >/dev/null || fail "install"
    [ -x "$TMP/root/opt/irra/bin/irra" ] || fail "no binary"
    [ -f "$TMP/root/opt/irra/share/man/man1/irra.1" ] || fail "no man page"
    [ -d "$TMP/root/opt/irra/share/irra" ] || fail "no share folder"
}
installed_binary_finds_its_assets_under_any_prefix() {
    # install does not rebuild, so the compiled-in share folder is the default prefix's
    make -s install BUILD="$build" PREFIX="$TMP/x" >/dev/null || fail "install"
    want=$(realpath "$TMP/x/share/irra")
    got=$(cd / && "$TMP/x/bin/irra" version | sed -n 's/^assets: //p')
    [ "$got" = "$want" ] || fail "assets: '$got', want '$want'"
    (cd / && "$TMP/x/bin/irra" tokenize "a man") | grep -q '^\[49406, 320, 786, 49407\]' || fail "tokenize"
}
binary_without_share_folder_falls_back_to_cwd_assets() {
    [ -e /usr/local/share/irra ] && return 0  # the compiled-in folder comes first
    mkdir -p "$TMP/y/bin" "$TMP/z/assets"
    cp "$build/irra" "$TMP/y/bin/irra" && cp assets/bpe_simple_vocab_16e6.txt.gz "$TMP/z/assets/"
    got=$(cd "$TMP/z" && "$TMP/y/bin/irra" version | sed -n 's/^assets: //p')
    [ "$got" = "$(realpath "$TMP/z/assets")" ] || fail "assets: '$got'"
    got=$(cd / && "$TMP/y/bin/irra" version | sed -n 's/^assets: //p')
    case "$got" in "none found"*) ;; *) fail "without any: '$got'" ;; esac
}
tests_read_nothing_outside_the_clone() {
    # make check on a fresh clone has nothing beside it (issue 13): no test names the shared
    # folder beside the clone or an absolute path of this workplace
    if out=$(grep -rnE '\.\./'shared'|/'work'/' tests mk Makefile); then fail "$out"; return 1; fi
}
unknown_option_is_one_line_naming_it() {
    for c in embed fill-mask import search eval "gallery build" "gallery info" tokenize synth browse doctor; do
        $IRRA $c --bogus-opt >/dev/null 2>"$TMP/err" </dev/null; rc=$?
        [ $rc -eq 2 ] || { fail "$c: exit $rc"; return; }
        [ "$(wc -l <"$TMP/err")" -eq 1 ] && grep -q -- "--bogus-opt" "$TMP/err" || { fail "$c: $(cat "$TMP/err")"; return; }
    done
    $IRRA search --top-k 2>&1 | grep -q "^irra: search: option '--top-k' needs a value$" || fail "missing value"
    $IRRA search -q 2>&1 | grep -q "^irra: search: unknown option '-q'" || fail "short option"
}
help_of_help_works() {
    $IRRA help --help | grep -q '^usage: irra help' || fail "help --help"
    $IRRA help help | grep -q '^usage: irra help' || fail "help help"
}
usage_shows_what_is_optional() {
    $IRRA search --help | grep -q '^usage: irra search \[--model M\] --gallery' || fail "search: $($IRRA search --help | head -1)"
    for c in eval "gallery build"; do
        $IRRA $c --help | grep -q "^usage: irra $c \[--model M\]" && continue
        [ "$c" = "gallery build" ] && $IRRA gallery --help | grep -q '^usage: irra gallery build \[--model M\]' && continue
        fail "$c --help shows --model as required"
    done
    $IRRA import --help | grep -q -- '--model' && fail "import --help lists --model"
    $IRRA import --model x -o y 2>&1 | grep -q "the model is the argument" || fail "import --model"
}

t version_names_blas_core
t version_names_linear_product
t fallback_core_is_replaced
t help_lists_commands
t every_command_has_help_and_man_page
t unknown_command_exits_2_on_stderr
t man_pages_lint_clean
t install_places_binary_man_and_assets
t installed_binary_finds_its_assets_under_any_prefix
t binary_without_share_folder_falls_back_to_cwd_assets
t tests_read_nothing_outside_the_clone
t unknown_option_is_one_line_naming_it
t help_of_help_works
t usage_shows_what_is_optional
