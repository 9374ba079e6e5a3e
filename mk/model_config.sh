# The shipped model's data and architecture, for mk/model.sh and mk/ablation.sh (sourced, with
# $build and $irra set). README "The shipped model" says how they were chosen.
#   MODEL_IDS   identities of the synthetic dataset (train, then 100 val and 100 test)
#   MODEL_VOCAB the vocabulary, learned by irra vocab from the training captions of both stages
#   MODEL_ARGS  irra train's model and recipe flags (stage 1: from scratch)
#   MODEL_FT_ARGS  the recipe of stage 2: the best epoch of stage 1 fine-tuned on the same data
#               with one short, searcher-style caption added to each training image
#   MODEL_S3_ARGS  stage 3 (stage 2's recipe): stage 2's last epoch, as the f16 file it shipped
#               as, fine-tuned on the same images with four short captions beside the two long
#   MODEL_S4_ARGS  stage 4 (stage 2's recipe at twice the input size, 384x128): stage 3's last
#               epoch, as an f16 file, fine-tuned on stage 3's data rendered at 384x128 (the same
#               identities, attributes and captions), its positional embedding resized
#   MODEL_S5_ARGS  stage 5 (stage 4's, with the similar-identity sampler): stage 4's last epoch,
#               as an f16 file, fine-tuned on stage 4's data with a caption for each worn item
#               of every training image added (irra synth --item-captions)
#   MODEL_S6_ARGS  stage 6 (stage 5's, the ID loss weighted 4): stage 5's last epoch, as an f16
#               file, fine-tuned on stage 5's data with 1,800 item twins added (irra synth
#               --item-twins: training identities one small item away from another)
#   MODEL_S7_ARGS  stage 7 (stage 6's at half the rate, no warmup): stage 6's last epoch, as an
#               f16 file, trained 2 more epochs on stage 6's data
#   MODEL_S8_ARGS  stage 8 (stage 7's): stage 7's last epoch, as an f16 file, trained 2 epochs on
#               stage 6's data with 3,600 item twins instead of 1,800 (the first 1,800 the same)
MODEL_IDS=${MODEL_IDS:-2000}
MODEL_VOCAB=$build/model/vocab.txt
MODEL_ARGS=${MODEL_ARGS:---preset tiny --text-length 56 --clean-captions --warmup-epochs 1 --vocab $MODEL_VOCAB}
MODEL_DATA=$build/model/synth
MODEL_FT_ARGS=${MODEL_FT_ARGS:---optimizer adamw --lr 2e-4 --warmup-epochs 1 --clean-captions}
MODEL_FT_DATA=$build/model/synth-short
MODEL_S3_ARGS=${MODEL_S3_ARGS:-$MODEL_FT_ARGS}
MODEL_S3_DATA=$build/model/synth-short4
MODEL_S4_SIZE=384x128
MODEL_S4_ARGS=${MODEL_S4_ARGS:-$MODEL_FT_ARGS --img-size $MODEL_S4_SIZE}
MODEL_S4_DATA=$build/model/synth-short4-384
MODEL_S5_ARGS=${MODEL_S5_ARGS:-$MODEL_S4_ARGS --sampler similar}
MODEL_S5_DATA=$build/model/synth-items-384
MODEL_S6_ARGS=${MODEL_S6_ARGS:-$MODEL_S5_ARGS --id-loss-weight 4}
MODEL_S6_DATA=$build/model/synth-twins-384
MODEL_S6_TWINS=${MODEL_S6_TWINS:-1800}
MODEL_S7_ARGS=${MODEL_S7_ARGS:-$MODEL_S6_ARGS --warmup-epochs 0 --lr 1e-4}
MODEL_S8_ARGS=${MODEL_S8_ARGS:-$MODEL_S7_ARGS}
MODEL_S8_DATA=$build/model/synth-twins3600-384
MODEL_S8_TWINS=${MODEL_S8_TWINS:-3600}

# synth DIR [FLAGS]: irra synth with a fixed seed into DIR, once (it is deterministic: the same
# files every time; a --size in FLAGS replaces 192x64: irra synth takes the last); its variable
# is synth_dir, so that callers keep their $dir
synth() {
    synth_dir=$1; shift
    [ -f "$synth_dir.done" ] && return 0
    mkdir -p "$build/model"
    "$irra" synth --force -o "$synth_dir" --ids "$MODEL_IDS" --val-ids 100 --test-ids 100 \
        --images-per-id 4 --size 192x64 --seed 1 "$@"
    touch "$synth_dir.done"
}
model_data() { synth "$MODEL_DATA"; }
# The same dataset with irra synth --short-captions N: the same images, attributes, splits and
# first two captions, and N short captions for every training image (1 for stage 2, 4 for 3
# and, rendered at 384x128, for 4 and, with --item-captions, 5 and, with --item-twins, 6).
model_ft_data() { synth "$MODEL_FT_DATA" --short-captions 1; }
model_s3_data() { synth "$MODEL_S3_DATA" --short-captions 4; }
model_s4_data() { synth "$MODEL_S4_DATA" --short-captions 4 --size "$MODEL_S4_SIZE"; }
model_s5_data() { synth "$MODEL_S5_DATA" --short-captions 4 --item-captions --size "$MODEL_S4_SIZE"; }
# twins_data DIR N: stage 5's data with N item twins; its val and test images are stage 5's,
# renumbered, and the first twins of a larger N are those of a smaller one (stage 8's 3,600
# begin with stage 6's 1,800).
twins_data() { synth "$1" --short-captions 4 --item-captions --size "$MODEL_S4_SIZE" --item-twins "$2"; }
model_s6_data() { twins_data "$MODEL_S6_DATA" "$MODEL_S6_TWINS"; }
model_s8_data() { twins_data "$MODEL_S8_DATA" "$MODEL_S8_TWINS"; }

# irra vocab on the training split of the stage 2 data: the long captions and the short ones
# (the short ones say "person", which no long caption does). It needs model_ft_data.
model_vocab() {
    [ -f "$MODEL_VOCAB" ] && return 0
    "$irra" vocab --dataset "cuhk-pedes:$MODEL_FT_DATA" -o "$MODEL_VOCAB"
}
