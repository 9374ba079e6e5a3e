#!/bin/sh
# The assets `make run` opens when no trained model has shipped yet: an UNTRAINED random-weight
# model of IRRA's architecture (narrow: width 128, 2+2 layers, one cross-modal block; CLIP's full
# vocabulary; 384x128 input) and a gallery of synthetic persons (irra synth, test split). The
# browser, heatmaps and failure mode all work on it, but its rankings mean nothing until irra's
# trainer writes a trained assets/irra-synth.safetensors. Generated, never committed.
# usage: sh mk/demo_assets.sh BUILD_DIR
set -e
build=${1:-build}
model=assets/irra-synth.safetensors gallery=assets/gallery.db
# up to date when the model can search the gallery (a changed fingerprint rule makes it refuse)
[ -f "$model" ] && [ -f "$gallery" ] &&
    "$build/irra" search --model "$model" --gallery "$gallery" -k 1 "a person" >/dev/null 2>&1 && exit 0
rm -f "$gallery"
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
echo "irra: no trained model ships yet; making an untrained demo model and gallery" >&2
[ -f "$model" ] || /usr/bin/python3 - "$tmp/model.pth" <<'PY'
import sys
sys.path.insert(0, "tests/ref")
import irra_ref, torch
c = dict(v_width=128, v_layers=2, t_width=128, t_layers=2, embed=128, patch=16, stride=16,
         img_h=384, img_w=128, context=77, vocab=49408, cmt_depth=1, num_classes=100, mlm=True)
torch.manual_seed(1)
model = irra_ref.IRRA(c).eval()
torch.save({"model": irra_ref.perturb_and_round(model, torch.Generator().manual_seed(1))}, sys.argv[1])
PY
[ -f "$model" ] || "$build/irra" import "$tmp/model.pth" --image-size 384x128 --stride 16 --dtype f16 \
    --vocab assets/bpe_simple_vocab_16e6.txt.gz -o "$model"
# the dataset stays in the build folder, so the gallery's paths lead to the originals
"$build/irra" synth --force -o "$build/demo-synth" --ids 240 --test-ids 40 --val-ids 20 --seed 7
"$build/irra" gallery build --model "$model" --dataset "cuhk-pedes:$build/demo-synth" \
    --split test -q -o "$tmp/gallery.db"
mv "$tmp/gallery.db" "$gallery"
