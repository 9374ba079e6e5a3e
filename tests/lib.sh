# Helpers for the shell tests: each test is a function; `t NAME` runs it and prints ok/FAIL.
# Source this file; $IRRA is the binary under test.
build=${1:-build}
IRRA="$build/irra"
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
t() {
    if out=$("$@" 2>&1); then echo "ok $1"; else echo "$out" | sed 's/^/  /'; echo "FAIL $1"; fi
}
# Ends the test at once: t runs each test in a subshell, so a failure cannot be masked by the
# lines after it (with `return`, a test failed only when its last line did).
fail() { echo "$*"; exit 1; }
