#!/bin/sh
# Runs every libFuzzer target of BUILD/fuzz/ for SECONDS each, JOBS at a time:
#   sh tests/fuzz/run.sh BUILD SECONDS JOBS
# Each target's corpus grows in BUILD/fuzz-corpus/NAME (its generator's seeds, then
# tests/fuzz/seeds/NAME/ as well), its log is BUILD/fuzz-logs/NAME.log. Prints "ok NAME: ..."
# with libFuzzer's executions and coverage (cov: edges, ft: features), or "FAIL NAME" with the
# reproducer's path; exits 1 when any target failed.
build=${1:-build-fuzz}; secs=${2:-20}; jobs=${3:-2}

if [ "$1" = --one ]; then
    build=$2; secs=$3; name=$4
    bin="$build/fuzz/fuzz_$name"; corpus="$build/fuzz-corpus/$name"; log="$build/fuzz-logs/$name.log"
    crashes="$build/fuzz-crashes"
    mkdir -p "$corpus" "$crashes" "$build/fuzz-logs"
    IRRA_FUZZ_SEEDS="$corpus" "$bin" >"$log" 2>&1 || { echo "FAIL $name: its seed generator failed"; cat "$log"; exit 1; }
    seeds=""; [ -d "tests/fuzz/seeds/$name" ] && seeds="tests/fuzz/seeds/$name"
    "$bin" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2560 -print_final_stats=1 \
        -artifact_prefix="$crashes/$name-" "$corpus" $seeds >"$log" 2>&1
    rc=$?
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    cov=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1)
    if [ $rc = 0 ]; then
        echo "ok fuzz_$name: $secs s, $execs executions, $cov, $(ls "$corpus" | wc -l) inputs in the corpus"
        exit 0
    fi
    repro=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
    grep -E '^(==[0-9]+==ERROR|SUMMARY|.*runtime error)' "$log" | head -5 | sed 's/^/  /'
    echo "FAIL fuzz_$name: reproducer ${repro:-(none written; see $log)}"
    echo "  rerun: $bin ${repro:-}; full log: $log"
    exit 1
fi

out=$(mktemp); trap 'rm -f "$out"' EXIT
ls "$build"/fuzz/fuzz_* | sed 's|.*/fuzz_||' |
    xargs -P "$jobs" -I{} sh "$0" --one "$build" "$secs" {} >"$out"
cat "$out"
! grep -q '^FAIL' "$out"
