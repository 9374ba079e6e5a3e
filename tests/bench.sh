#!/bin/sh
# make bench: irra against the PyTorch / numpy references, side by side in one run on the same
# machine, ratios printed. Long; never part of make check.
build=${1:-build}
# Debian's torch finds BLAS through the libblas.so.3 alternative (often the pthread build);
# give it the same OpenMP OpenBLAS irra links, so both sides run the same kernels.
blas=/usr/lib/$(cc -print-multiarch)/openblas-openmp/libblas.so.3
[ -f "$blas" ] && export LD_PRELOAD="$blas"
# This workplace pins OPENBLAS_CORETYPE (and OPENBLAS_L2_SIZE) for old OpenBLAS builds; a benchmark
# runs both sides on the kernels OpenBLAS picks for this CPU, and says which.
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
echo "machine: $(nproc) cores, $(sed -n 's/^model name\t: //p' /proc/cpuinfo | head -1)"
echo "irra: $($build/irra --version | tr '\n' ' ')"
status=0
for b in tests/bench_*.py; do
    echo "== $b"; /usr/bin/python3 "$b" "$build" || status=1
done
for b in tests/bench_*.sh; do
    echo "== $b"; sh "$b" "$build" || status=1
done
exit $status
