#!/bin/sh
# irra train's optimizer against PyTorch: tests/check_optim.py builds a small official-layout
# model and three batches (aliasing sdm+id+mlm, clean sdm+id+mlm, itc alone), replays them for 4
# epochs (2 of warmup) with irra train --replay, and runs the official recipe in float64:
# torch.optim.Adam / AdamW over solver/build.py's per-name groups and LRSchedulerWithWarmup
# stepped per epoch. Every tensor's final weights within 1e-2 of the reference's largest update.
. tests/lib.sh
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "ok optim_skipped_no_torch"; exit 0
fi
variant() {
    /usr/bin/python3 tests/check_optim.py "$build" "$TMP/$1" "$1" >"$TMP/$1.log" 2>&1
    rc=$?
    cat "$TMP/$1.log"
    return $rc
}
summary() { grep '^  summary' "$TMP/$1.log"; }

adam_groups_and_schedule_match_torch_adam() { variant adam; }
adamw_matches_torch_adamw() { variant adamw; }
warmup_ignores_target_lr_as_official() { variant adam_target; }

t adam_groups_and_schedule_match_torch_adam; summary adam
t adamw_matches_torch_adamw; summary adamw
t warmup_ignores_target_lr_as_official; summary adam_target
