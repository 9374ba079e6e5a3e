#!/bin/sh
# Gallery build throughput against the image encoder's own throughput on the same images count
# and batch size: decoding, thumbnails and SQLite must not be the bottleneck (target: within
# 10%). Uses a random-weight model of ViT-B/16 shape at 384x128 (tests/ref/irra_ref.py "full")
# unless MODEL=path HW=HxW STRIDE=S are given. Usage: sh tests/bench_build.sh [BUILD] [N]
build=${1:-build}; n=${2:-160}
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if [ -z "$MODEL" ]; then
    /usr/bin/python3 -c "
import sys; sys.path.insert(0, 'tests/ref'); import irra_ref, torch
torch.set_num_threads(4); irra_ref.generate(sys.argv[1], 'full', 1)" "$tmp/full" >/dev/null || exit 1
    MODEL=$tmp/full/model.pth HW=384x128 STRIDE=16
fi
/usr/bin/python3 tests/gallery_fixture.py images "$tmp/imgs" "$n" 1
/usr/bin/python3 tests/gallery_fixture.py images "$tmp/one" 1 2
enc=$("$build/tests/tool_encode_bench" "$MODEL" "$HW" "$STRIDE" "$n" 16) || exit 1
build_s() { # seconds for one build of folder $1
    t0=$(date +%s.%N)
    "$build/irra" gallery build --model "$MODEL" --image-size "$HW" --stride "$STRIDE" -q \
        --images "$1" -o "$tmp/$(basename "$1").db" || exit 1
    t1=$(date +%s.%N)
    python3 -c "import sys; print(float(sys.argv[2]) - float(sys.argv[1]))" "$t0" "$t1"
}
# the fixed cost (model load, gallery set-up) is a build of one image less that image's encoding
one=$(build_s "$tmp/one"); all=$(build_s "$tmp/imgs")
python3 -c "import sys; n,e,one,all=int(sys.argv[1]),float(sys.argv[2]),float(sys.argv[3]),float(sys.argv[4])
fixed = max(one - 1 / e, 0); b = n / (all - fixed)
print('image encoder alone: %.2f images/s; gallery build: %.2f images/s (%.1f%% of the encoder), '
      '%.2f images/s with the fixed %.1f s of model loading (%.1f%%)' % (e, b, 100 * b / e, n / all, fixed, 100 * n / all / e))" "$n" "$enc" "$one" "$all"
