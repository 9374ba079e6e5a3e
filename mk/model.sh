#!/bin/sh
# make model: the shipped model, reproduced from this repo and Debian packages alone:
#   1. irra synth with a fixed seed (BUILD/model/synth; mk/model_config.sh), and the same data
#      with a short caption added to each training image (BUILD/model/synth-short); irra vocab
#      learns the vocabulary from their training captions (BUILD/model/vocab.txt);
#   2. irra train from scratch on the first (BUILD/model/run), then its best epoch fine-tuned by
#      irra train on the second (BUILD/model/finetune); interrupted (Ctrl-C, a reboot), the next
#      `make model` resumes the run where it stopped;
#   3. the last epoch of the fine-tuning (README says why not its best val epoch), as an f16
#      file, fine-tuned again on the same images with four short captions each
#      (BUILD/model/synth-short4, BUILD/model/stage3);
#   4. stage 3's last epoch, as an f16 file, fine-tuned at 384x128 on the same data rendered at
#      that size (BUILD/model/synth-short4-384, BUILD/model/stage4);
#   5. stage 4's last epoch, as an f16 file, fine-tuned on the same data with a caption for each
#      worn item added to every training image, batches of similar identities
#      (BUILD/model/synth-items-384, BUILD/model/stage5);
#   6. stage 5's last epoch, as an f16 file, fine-tuned with the ID loss weighted 4 on the same
#      data with 1,800 item twins added: training identities one small item (the top's type,
#      the shoes, the bag) away from another (BUILD/model/synth-twins-384, BUILD/model/stage6);
#   7. stage 6's last epoch, as an f16 file, trained 2 more epochs on the same data at half the
#      rate, without warmup (BUILD/model/stage7);
#   8. stage 7's last epoch, as an f16 file, trained 2 epochs with stage 7's recipe on stage 6's
#      data with 3,600 item twins instead of 1,800 (BUILD/model/synth-twins3600-384,
#      BUILD/model/stage8), and its last epoch as an f16 irra model file in
#      ASSETS/irra-synth.safetensors, the gallery of the synthetic test split at 384x128 (identities never seen in training, with thumbnails) in
#      ASSETS/gallery.db, the true attributes of its images in ASSETS/gallery-attributes.jsonl
#      (for tests/test_shipped.sh), and its R@1/5/10, mAP, mINP.
# MODEL_EPOCHS, MODEL_FT_EPOCHS and MODEL_S3_EPOCHS to MODEL_S8_EPOCHS (the schedules' lengths) and the
# variables of mk/model_config.sh can be set, so that the search of README "The shipped model" can be rerun;
# the defaults made the shipped model.
# usage: sh mk/model.sh BUILD_DIR
set -e
build=${1:-build}
irra=$build/irra
assets=${ASSETS:-assets}
. mk/model_config.sh
epochs=${MODEL_EPOCHS:-40}
ft_epochs=${MODEL_FT_EPOCHS:-10}
s3_epochs=${MODEL_S3_EPOCHS:-5}
s4_epochs=${MODEL_S4_EPOCHS:-4}
s5_epochs=${MODEL_S5_EPOCHS:-4}
s6_epochs=${MODEL_S6_EPOCHS:-4}
s7_epochs=${MODEL_S7_EPOCHS:-2}
s8_epochs=${MODEL_S8_EPOCHS:-2}
run=$build/model/run
ft=$build/model/finetune
model_data
model_ft_data
model_s3_data
model_s4_data
model_s5_data
model_s6_data
model_s8_data
model_vocab
# train_or_resume DIR FLAGS...: irra train -o DIR FLAGS, or the run already in DIR resumed
train_or_resume() {
    dir=$1; shift
    if [ -f "$dir/run.json" ]; then
        "$irra" train --resume "$dir"
    else
        "$irra" train -o "$dir" "$@"
    fi
}
# stage N DATA EPOCHS FLAGS: stage N-1's last epoch, as an f16 file, fine-tuned on DATA with
# FLAGS, a list of flags in one word (BUILD/model/stageN), and its last epoch as
# BUILD/model/stageN-f16.safetensors
stage() {
    n=$1; data=$2; ep=$3; flags=$4
    # shellcheck disable=SC2086 # FLAGS is split into its flags
    train_or_resume "$build/model/stage$n" --dataset "cuhk-pedes:$data" \
        --init "$build/model/stage$((n - 1))-f16.safetensors" $flags --num-epoch "$ep"
    [ -f "$build/model/stage$n-f16.safetensors" ] ||
        "$irra" import "$build/model/stage$n/last.safetensors" --dtype f16 \
            -o "$build/model/stage$n-f16.safetensors"
}
# shellcheck disable=SC2086 # MODEL_ARGS and MODEL_FT_ARGS are lists of flags
train_or_resume "$run" --dataset "cuhk-pedes:$MODEL_DATA" $MODEL_ARGS --num-epoch "$epochs"
# shellcheck disable=SC2086
train_or_resume "$ft" --dataset "cuhk-pedes:$MODEL_FT_DATA" --init "$run/best.safetensors" \
    $MODEL_FT_ARGS --num-epoch "$ft_epochs"
[ -f "$build/model/stage2-f16.safetensors" ] ||
    "$irra" import "$ft/last.safetensors" --dtype f16 -o "$build/model/stage2-f16.safetensors"
# one thread, as the shipped stage 3 ran (beside another run)
(export OMP_NUM_THREADS=1; stage 3 "$MODEL_S3_DATA" "$s3_epochs" "$MODEL_S3_ARGS --threads 1")
stage 4 "$MODEL_S4_DATA" "$s4_epochs" "$MODEL_S4_ARGS"
stage 5 "$MODEL_S5_DATA" "$s5_epochs" "$MODEL_S5_ARGS"
stage 6 "$MODEL_S6_DATA" "$s6_epochs" "$MODEL_S6_ARGS"
stage 7 "$MODEL_S6_DATA" "$s7_epochs" "$MODEL_S7_ARGS"
stage 8 "$MODEL_S8_DATA" "$s8_epochs" "$MODEL_S8_ARGS"
cp "$build/model/stage8-f16.safetensors" "$assets/irra-synth.safetensors"
rm -f "$build/model/gallery.db"
# the test split of stage 5's data: stage 6's to 8's images, under the names the other stages use
"$irra" gallery build --model "$assets/irra-synth.safetensors" --dataset "cuhk-pedes:$MODEL_S5_DATA" \
    --split test -q -o "$build/model/gallery.db"
mv "$build/model/gallery.db" "$assets/gallery.db"
grep '"file_path":"test/' "$MODEL_DATA/attributes.jsonl" >"$assets/gallery-attributes.jsonl"
"$irra" eval --model "$assets/irra-synth.safetensors" --gallery "$assets/gallery.db"
du -ch "$assets"/* | tail -1 | sed 's/^/assets: /'
