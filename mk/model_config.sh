# The shipped model's data and architecture, for mk/model.sh and mk/ablation.sh (sourced, with
# $build and $irra set). README "The shipped model" says how they were chosen.
#   MODEL_IDS   identities of the synthetic dataset (train, then 100 val and 100 test)
#   MODEL_ARGS  irra train's model and recipe flags
MODEL_IDS=${MODEL_IDS:-2000}
MODEL_ARGS=${MODEL_ARGS:---preset tiny --text-length 56 --clean-captions --warmup-epochs 1}
MODEL_DATA=$build/model/synth

# irra synth with a fixed seed, once (it is deterministic: the same files every time)
model_data() {
    [ -f "$MODEL_DATA.done" ] && return 0
    mkdir -p "$build/model"
    "$irra" synth --force -o "$MODEL_DATA" --ids "$MODEL_IDS" --val-ids 100 --test-ids 100 \
        --images-per-id 4 --size 192x64 --seed 1
    touch "$MODEL_DATA.done"
}
