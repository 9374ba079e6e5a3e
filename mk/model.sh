#!/bin/sh
# make model: the shipped model, reproduced from this repo and Debian packages alone:
#   1. irra synth with a fixed seed (into BUILD/model/synth);
#   2. irra train from scratch on it (BUILD/model/run); interrupted (Ctrl-C, a reboot), the next
#      `make model` resumes the run where it stopped;
#   3. the best epoch as an f16 irra model file in ASSETS/irra-synth.safetensors, the gallery
#      of the synthetic test split (identities never seen in training) in ASSETS/gallery.db,
#      and its R@1/5/10, mAP and mINP.
# The size, data and schedule are variables, so that the search of README "The shipped model"
# can be rerun: MODEL_IDS (identities, 1000), MODEL_EPOCHS (30), MODEL_ARGS (irra train's model
# and recipe flags, "--preset tiny"). The values that made the shipped model are the defaults.
# usage: sh mk/model.sh BUILD_DIR
set -e
build=${1:-build}
irra=$build/irra
assets=${ASSETS:-assets}
dir=$build/model
ids=${MODEL_IDS:-1000}
epochs=${MODEL_EPOCHS:-30}
args=${MODEL_ARGS:---preset tiny}
mkdir -p "$dir"
if [ ! -f "$dir/synth.done" ]; then
    "$irra" synth --force -o "$dir/synth" --ids "$ids" --images-per-id 4 --seed 1
    touch "$dir/synth.done"
fi
if [ -f "$dir/run/run.json" ]; then
    "$irra" train --resume "$dir/run"
else
    # shellcheck disable=SC2086 # MODEL_ARGS is a list of flags
    "$irra" train --dataset "cuhk-pedes:$dir/synth" -o "$dir/run" $args --num-epoch "$epochs"
fi
"$irra" import "$dir/run/best.safetensors" --dtype f16 -o "$assets/irra-synth.safetensors"
rm -f "$dir/gallery.db"
"$irra" gallery build --model "$assets/irra-synth.safetensors" --dataset "cuhk-pedes:$dir/synth" \
    --split test -q -o "$dir/gallery.db"
mv "$dir/gallery.db" "$assets/gallery.db"
"$irra" eval --model "$assets/irra-synth.safetensors" --gallery "$assets/gallery.db"
du -ch "$assets"/* | tail -1 | sed 's/^/assets: /'
