#!/bin/sh
# Runs every test program (build/tests/test_*) and every test script (tests/test_*.sh), each of
# which prints "ok NAME" / "FAIL NAME" lines, and prints the total as "N passed, N failed".
# A program that dies without reporting counts as one failure.
build=${1:-build}
pass=0; fail=0; failed_files=""
log=$(mktemp); trap 'rm -f "$log"' EXIT
for t in "$build"/tests/test_* tests/test_*.sh; do
    [ -f "$t" ] || continue
    case "$t" in *.sh) cmd="sh $t $build" ;; *) cmd="$t" ;; esac
    echo "== $t"
    $cmd >"$log" 2>&1; rc=$?
    cat "$log"
    p=$(grep -c '^ok ' "$log"); f=$(grep -c '^FAIL ' "$log")
    if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then
        f=1; echo "FAIL $t: exit status $rc"
    fi
    pass=$((pass + p)); fail=$((fail + f))
    [ "$f" -ne 0 ] && failed_files="$failed_files $t"
done
[ -n "$failed_files" ] && echo "failed in:$failed_files"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ] && [ "$pass" -gt 0 ]
