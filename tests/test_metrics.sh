# Retrieval metrics (gallery/metrics.h) against an independent numpy transcription of IRRA's
# rank() (utils/metrics.py, spec section 5): a full argsort of every row, the match matrix, CMC
# from its first 10 columns, AP from the cumulative sum over the whole ranking, INP from the last
# match. The tie rule (score descending, then gallery index ascending) is numpy's stable argsort
# of -score. Queries without any match get AP = INP = 0 (the official code would crash).
. tests/lib.sh
TOOL="$build/tests/tool_metrics"
PY=/usr/bin/python3

# ref.py make OUT NQ NG NIDS SEED [ties|nomatch|nan] | check IN OUT
cat >"$TMP/ref.py" <<'EOF'
import sys
import numpy as np

def rank(sim, qpid, gpid):
    nq, ng = sim.shape
    idx = np.argsort(-sim, axis=1, kind='stable')
    matches = (gpid[idx] == qpid[:, None]) & (qpid[:, None] >= 0)
    cmc = matches[:, :10].cumsum(1)
    cmc[cmc > 1] = 1
    cmc = cmc.mean(0) * 100
    cmc = np.concatenate([cmc, np.repeat(cmc[-1:], 10 - cmc.size)])  # a gallery under 10
    num_rel = matches.sum(1)
    tmp = matches.cumsum(1)
    ap = (tmp / np.arange(1, ng + 1) * matches).sum(1) / np.maximum(num_rel, 1)
    inp = np.zeros(nq)
    first = np.zeros(nq, int)
    last = np.zeros(nq, int)
    for q in range(nq):
        nz = matches[q].nonzero()[0]
        if nz.size:
            inp[q] = tmp[q][nz[-1]] / (nz[-1] + 1.0)
            first[q], last[q] = nz[0] + 1, nz[-1] + 1
    top = np.full((nq, 10), -1)
    top[:, :min(10, ng)] = idx[:, :10]
    return (cmc[0], cmc[4], cmc[9], ap.mean() * 100, inp.mean() * 100, int((num_rel == 0).sum()),
            first, last, num_rel, ap, top)

def read(path):
    b = open(path, 'rb').read()
    nq, ng = np.frombuffer(b[:8], np.int32)
    o = 8
    sim = np.frombuffer(b[o:o + 4 * nq * ng], np.float32).reshape(nq, ng); o += 4 * nq * ng
    qpid = np.frombuffer(b[o:o + 4 * nq], np.int32); o += 4 * nq
    gpid = np.frombuffer(b[o:o + 4 * ng], np.int32)
    return sim, qpid, gpid

if sys.argv[1] == 'make':
    out, nq, ng, nids, seed = sys.argv[2], *map(int, sys.argv[3:7])
    mode = sys.argv[7] if len(sys.argv) > 7 else ''
    rng = np.random.default_rng(seed)
    gpid = rng.integers(0, nids, ng).astype(np.int32)
    qpid = rng.choice(gpid, nq).astype(np.int32)       # every query has a match...
    sim = rng.standard_normal((nq, ng)).astype(np.float32)
    sim[gpid[None, :] == qpid[:, None]] += 1.5           # ...ranked well, but not always first
    if mode == 'ties':
        sim = np.round(sim * 2) / 2                      # a handful of levels: ties everywhere
    if mode == 'nomatch':
        qpid[::7] = nids + 3                             # identities absent from the gallery
        qpid[3] = -1                                     # unknown identity
    if mode == 'nan':
        sim[5, 17] = np.nan
    with open(out, 'wb') as f:
        f.write(np.array([nq, ng], np.int32).tobytes() + sim.astype(np.float32).tobytes() +
                qpid.tobytes() + gpid.tobytes())
else:
    sim, qpid, gpid = read(sys.argv[2])
    r1, r5, r10, mAP, mINP, none, first, last, num_rel, ap, top = rank(sim, qpid, gpid)
    lines = open(sys.argv[3]).read().split('\n')
    got = lines[0].split()
    bad = []
    for name, g, w in zip(['R1', 'R5', 'R10', 'mAP', 'mINP'], map(float, got[:5]), [r1, r5, r10, mAP, mINP]):
        if abs(g - w) > 1e-4:
            bad.append(f'{name} {g} want {w}')
    if int(got[5]) != none:
        bad.append(f'no_match {got[5]} want {none}')
    for q in range(sim.shape[0]):
        v = lines[q + 1].split()
        want = [first[q], last[q], num_rel[q]]
        if list(map(int, v[:3])) != want or abs(float(v[3]) - ap[q]) > 1e-6 or \
           list(map(int, v[4:])) != list(top[q]):
            bad.append(f'query {q}: {" ".join(v)}; want {want} {ap[q]:.6f} {list(top[q])}')
    if bad:
        print('\n'.join(bad[:10]))
        sys.exit(1)
    print(f'R1 {r1:.3f} R5 {r5:.3f} R10 {r10:.3f} mAP {mAP:.3f} mINP {mINP:.3f} none {none}')
EOF

# case NAME NQ NG NIDS SEED [MODE]: our metrics and per-query results equal the reference.
case_vs_numpy() {
    $PY "$TMP/ref.py" make "$TMP/$1.bin" "$2" "$3" "$4" "$5" $6 || { fail "cannot make $1"; return 1; }
    "$TOOL" eval "$TMP/$1.bin" >"$TMP/$1.out" || { fail "tool failed on $1"; return 1; }
    $PY "$TMP/ref.py" check "$TMP/$1.bin" "$TMP/$1.out" || { fail "$1 differs"; return 1; }
}

numpy_is_installed() {
    $PY -c 'import numpy' || fail "/usr/bin/python3 lacks numpy (python3-numpy)"
}
hand_computed_example() {
    # One query of identity 1; gallery scores .9 .8 .7 .6 .5 with identities 0 1 0 1 1: the
    # correct images rank 2, 4, 5. AP = (1/2 + 2/4 + 3/5)/3 = 0.5333..., INP = 3/5, R1 = 0,
    # R5 = R10 = 100.
    $PY - "$TMP/hand.bin" <<'EOF' || return 1
import sys, numpy as np
open(sys.argv[1], 'wb').write(np.array([1, 5], np.int32).tobytes() +
    np.array([.9, .8, .7, .6, .5], np.float32).tobytes() + np.array([1], np.int32).tobytes() +
    np.array([0, 1, 0, 1, 1], np.int32).tobytes())
EOF
    out=$("$TOOL" eval "$TMP/hand.bin") || { fail "tool"; return 1; }
    echo "$out" | head -1 | grep -q '^0.000000000 100.000000000 100.000000000 53.333333333 60.000000000 0$' ||
        { fail "summary: $out"; return 1; }
    echo "$out" | sed -n 2p | grep -q '^2 5 3 0.533333333333 0 1 2 3 4 -1 -1 -1 -1 -1$' ||
        { fail "per query: $out"; return 1; }
}
random_scores_match_irra_rank() {
    case_vs_numpy rand 50 200 20 1 && case_vs_numpy rand2 64 300 7 2 && case_vs_numpy one 1 1 1 3
}
exact_ties_rank_by_gallery_index() {
    case_vs_numpy ties 50 200 20 4 ties && case_vs_numpy ties2 40 150 3 5 ties
}
gallery_smaller_than_ten() {
    case_vs_numpy small 30 6 3 6 && case_vs_numpy small_ties 30 6 2 7 ties
}
queries_without_match_count_as_zero() {
    case_vs_numpy nomatch 50 200 20 8 nomatch || return 1
    [ "$(head -1 "$TMP/nomatch.out" | cut -d' ' -f6)" = 9 ] || fail "no_match is not 8 + 1"
}
nan_score_is_an_error_naming_the_query() {
    $PY "$TMP/ref.py" make "$TMP/nan.bin" 10 30 4 9 nan || return 1
    out=$("$TOOL" eval "$TMP/nan.bin" 2>&1); rc=$?
    [ $rc -eq 2 ] || { fail "exit $rc"; return 1; }
    echo "$out" | grep -q "query 5" || fail "message: $out"
}
results_do_not_depend_on_thread_count() {
    $PY "$TMP/ref.py" make "$TMP/thr.bin" 200 500 30 10 ties || return 1
    OMP_NUM_THREADS=1 "$TOOL" eval "$TMP/thr.bin" >"$TMP/thr1.out" || return 1
    OMP_NUM_THREADS=3 "$TOOL" eval "$TMP/thr.bin" >"$TMP/thr3.out" || return 1
    cmp -s "$TMP/thr1.out" "$TMP/thr3.out" || fail "1 and 3 threads differ"
}

t numpy_is_installed
t hand_computed_example
t random_scores_match_irra_rank
t exact_ties_rank_by_gallery_index
t gallery_smaller_than_ten
t queries_without_match_count_as_zero
t nan_score_is_an_error_naming_the_query
t results_do_not_depend_on_thread_count
