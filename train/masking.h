/* IRRA's masked-language targets (spec 3.3, ImageTextMLMDataset._build_random_masked_tokens_
 * and_labels): for a vocabulary of V ids the last three are <|mask|> = V-3, SOT = V-2 and
 * EOT = V-1 (49405, 49406, 49407 for CLIP). */
#ifndef IRRA_TRAIN_MASKING_H
#define IRRA_TRAIN_MASKING_H

#include "train/synth_rng.h"

#include <stdint.h>

#define IRRA_MLM_PROB 0.15 /* chance that an eligible position is labelled */

/* Masks one caption ids[ctx] (SOT..EOT then zeros) into mlm_ids[ctx] and labels[ctx]:
 *   - eligible positions: 0 < id < V-3 (padding, "!" = 0, <|mask|>, SOT, EOT never are);
 *   - each draws u in [0,1); when u < 0.15, label = the original id and, with u/0.15,
 *     below 0.8 the id becomes <|mask|>, below 0.9 a uniform id in 1..V-4, else it stays;
 *   - unlabelled positions get label 0; when none was labelled, position 1 (the first word,
 *     EOT for an empty caption) is labelled and masked.
 * mlm_ids may be ids (in place). Needs ctx >= 2 and V >= 5. Returns the labelled count. */
int irra_mask_caption(const int32_t *ids, int ctx, int vocab, syn_rng *r, int32_t *mlm_ids,
                      int32_t *labels);

#endif
