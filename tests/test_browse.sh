# irra browse driven through tmux (send-keys, capture-pane, LANG=C.UTF-8) on a small
# random-weight model and a gallery built from synthetic crops: start, query, ranked results
# with scores, moving, detail pane, highlights, failure mode, resize, help, export, signals, quit.
. tests/lib.sh
command -v tmux >/dev/null || { echo "FAIL tmux missing (mk/deps.sh installs it)"; exit 1; }
. tests/browse_fixture.sh
fixture || { echo "FAIL fixture: could not make the test model and gallery"; exit 1; }

# one tmux server per start (reusing a socket races with the old server's shutdown); all of
# them are listed so the end of the script can stop every one
TM="tmux -L irra-test-$$-0 -f /dev/null"
trap 'for s in $(cat "$TMP/servers" 2>/dev/null); do tmux -L "$s" kill-server 2>/dev/null; done; rm -rf "$TMP"' EXIT
export XDG_STATE_HOME="$TMP/state"

start() { # start [extra options]: the browser in a fresh 100x40 pane
    $TM kill-server 2>/dev/null
    sock="irra-test-$$-$(date +%s%N)"
    echo "$sock" >>"$TMP/servers"
    TM="tmux -L $sock -f /dev/null"
    $TM new-session -d -x 100 -y 40 "LANG=C.UTF-8 $IRRA browse $MODEL_ARGS --cell-size 10x20 --export-dir $TMP $*; echo EXITED \$?; sleep 60"
    wait_for 'irra [|] ' || return 1
}
screen() { $TM capture-pane -p -t 0; }
keys() { $TM send-keys -t 0 "$@"; }
wait_for() { # wait_for REGEX [seconds]
    i=0; while [ $i -lt $((${2:-10} * 10)) ]; do
        screen | grep -Eq -- "$1" && return 0; sleep 0.1; i=$((i + 1)); done
    screen | sed 's/^/  | /' | head -45; echo "  never saw: $1"; return 1
}
search() { keys "$1" Enter; wait_for '#1 -?[0-9]\.[0-9]{3}'; }

starts_and_ranks_with_scores() {
    start --graphics blocks || return 1
    search "a person in a red shirt" || return 1
    screen | grep -q "gallery 24 | [0-9]* ms | blocks" || fail "status bar"
    # ranks 1..12 on screen with cosine scores, best first
    screen | grep -oE '#[0-9]+ -?[0-9]\.[0-9]{3}' | sort -t'#' -k2 -n | awk '
        { split($0, a, " "); s = a[2] + 0; if (NR > 1 && s > prev + 1e-6) bad = 1; prev = s; n++ }
        END { exit !(n >= 12 && !bad) }' || fail "scores not ranked"
    screen | grep -q '▀' || fail "no half-block crops"
}
moves_and_opens_detail() {
    start --graphics blocks || return 1
    search "a person in a blue shirt" || return 1
    keys Tab l j k Enter
    wait_for 'rank 2 +cosine' || return 1
    screen | grep -q 'captions:' || fail "no captions heading"
    screen | grep -q 'a person in a .* shirt and .* trousers' || fail "no caption text"
    screen | grep -q 'identity [0-9]' || fail "no identity"
}
typing_searches_without_enter() {
    start --graphics none || return 1
    keys "a person in green"
    wait_for '#1 -?[0-9]\.[0-9]{3}' || return 1
    screen | grep -q 'rank 1' || fail "text-only tile missing"
}
toggles_heatmaps() {
    start --graphics blocks || return 1
    search "a person in a red shirt" || return 1
    keys Tab a
    wait_for 'similarity: query vs patches low' || return 1
    screen | grep -qE '#1 -?[0-9.]+ \*' || fail "tile not marked"
    keys m w
    wait_for "relation: word 'person'" || return 1
    # the chosen word is highlighted (reverse video) in the query line
    $TM capture-pane -p -e -t 0 | head -1 | grep -q "$(printf '\033')\[4;7mperson" || fail "word not highlighted"
}
failure_mode_ranks_captions() {
    start --graphics blocks || return 1
    keys Tab f
    wait_for 'R@1 [0-9.]+ mAP [0-9.]+' || return 1
    wait_for 'caption 1/24, identity [0-9]+: first correct #[0-9]+' || return 1
    first=$(screen | sed -n 's/.*first correct #\([0-9]*\).*/\1/p' | head -1)
    keys n
    wait_for 'caption 2/24' || return 1
    second=$(screen | sed -n 's/.*first correct #\([0-9]*\).*/\1/p' | head -1)
    [ "$first" -ge "$second" ] || fail "not worst first: $first then $second"
    e=$(printf '\033')
    $TM capture-pane -p -e -t 0 | grep -q "${e}\[32m" || fail "no green frame"
    $TM capture-pane -p -e -t 0 | grep -q "${e}\[31m" || fail "no red frame"
}
resizes() {
    start --graphics blocks || return 1
    search "a person" || return 1
    $TM resize-window -t 0 -x 70 -y 30
    sleep 0.5
    screen | sed -n 30p | grep -q 'irra |' || fail "status bar not on the new last row"
    screen | grep -q '#1 ' || fail "results gone after resize"
    keys C-l
    sleep 0.3
    screen | grep -q '#1 ' || fail "results gone after Ctrl-L"
}
help_overlay() {
    start || return 1
    keys Tab '?'
    wait_for 'irra browse: keys' || return 1
    screen | grep -q 'Ctrl-L' || fail "help lacks Ctrl-L"
    keys x
    sleep 0.3
    screen | grep -q 'irra browse: keys' && fail "help did not close"
    return 0
}
exports_json_and_copies() {
    start --graphics none || return 1
    search "a person in a red shirt" || return 1
    keys Tab e y
    wait_for 'copied to the clipboard' || return 1
    f=$(ls "$TMP"/irra-results-*.json 2>/dev/null | head -1)
    [ -n "$f" ] || fail "no export"
    /usr/bin/python3 -c "
import json,sys; d=json.load(open(sys.argv[1]))
assert d['query']=='a person in a red shirt' and d['gallery_size']==24
r=d['results']; assert r[0]['rank']==1 and all(a['score']>=b['score'] for a,b in zip(r,r[1:]))
" "$f" || fail "bad export $f"
}
quits_cleanly_and_keeps_history() {
    start || return 1
    search "a person in a yellow shirt" || return 1
    keys Tab q
    wait_for 'EXITED 0' || return 1
    [ "$(screen | grep -c .)" -eq 1 ] || fail "screen not restored"
    grep -qx "a person in a yellow shirt" "$XDG_STATE_HOME/irra/history" || fail "no history"
    # recalled with Up in the next session
    start || return 1
    keys Up
    wait_for '^> a person in a yellow shirt' || return 1
}
signals_restore_terminal() {
    for sig in INT TERM HUP; do
        start || return 1
        pid=$(pgrep -n -f "^$IRRA browse")
        [ -n "$pid" ] || fail "no pid"
        kill -$sig "$pid"
        wait_for 'EXITED 0' || fail "SIG$sig"
        [ "$(screen | grep -c .)" -eq 1 ] || fail "screen not restored after SIG$sig"
    done
}
mouse_click_selects() {
    start --graphics none --query person || return 1
    wait_for '#3 ' || return 1
    # an X10 mouse report (tmux-256color's kmous): press then release at column 25, row 5 (tile 3)
    keys -l "$(printf '\033[M :&')"; keys -l "$(printf '\033[M#:&')"
    sleep 0.3
    keys Enter
    wait_for 'rank 3 +cosine' || return 1
}
default_command_is_browse() {
    out=$(IRRA_ASSETS="$TMP/none" $IRRA </dev/null 2>&1); rc=$?
    [ $rc -eq 2 ] || fail "exit $rc"
    echo "$out" | grep -q "browse:" || fail "not the browser: $out"
}

t starts_and_ranks_with_scores
t moves_and_opens_detail
t typing_searches_without_enter
t toggles_heatmaps
t failure_mode_ranks_captions
t resizes
t help_overlay
t exports_json_and_copies
t quits_cleanly_and_keeps_history
t signals_restore_terminal
t mouse_click_selects
t default_command_is_browse
