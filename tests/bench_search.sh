#!/bin/sh
# Search latency (top-10 over random 512-d features) of irra's exact search (fp32, and with the
# fp16 pre-pass that irra search uses) against numpy
# (matmul + argpartition) and torch (matmul + topk) in the same run, at 100k and 1M rows.
# Not part of tests/run.sh: `make bench` runs it. Usage: sh tests/bench_search.sh [BUILD]
build=${1:-build}
tool="$build/tests/tool_search_bench"
[ -x "$tool" ] || { echo "bench_search: build $tool first (make all)" >&2; exit 2; }
echo "search latency, top-10 of random 512-d features, median ms ($(nproc) cores)"
printf '%-8s %10s %10s %10s %10s\n' rows irra-fp32 irra-fp16 numpy torch
for n in 100000 1000000; do
    q=$([ $n -gt 100000 ] && echo 11 || echo 31)
    ours=$("$tool" $n 512 $q)
    ref=$(/usr/bin/python3 - $n $q <<'PY'
import sys, time
import numpy as np
n, nq = int(sys.argv[1]), int(sys.argv[2])
g = np.random.default_rng(1).random((n, 512), dtype=np.float32) - 0.5
def median_ms(f):
    ts = []
    for i in range(nq + 1):
        q = g[(i * 7919) % n].copy()
        t = time.perf_counter(); f(q); ts.append(time.perf_counter() - t)
    return np.median(ts[1:]) * 1e3
def np_topk(q):
    s = g @ q
    i = np.argpartition(-s, 10)[:10]
    return i[np.argsort(-s[i], kind="stable")]
out = ["%.3f" % median_ms(np_topk)]
try:
    import torch
    torch.set_num_threads(len(__import__("os").sched_getaffinity(0)))
    gt = torch.from_numpy(g)
    out.append("%.3f" % median_ms(lambda q: torch.topk(gt @ torch.from_numpy(q), 10)))
except ImportError:
    out.append("-")
print(" ".join(out))
PY
)
    printf '%-8s %10s %10s %10s %10s\n' $n $ours $ref
done
