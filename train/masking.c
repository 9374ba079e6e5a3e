/* Spec 3.3. One uniform per eligible position, as the reference's random.random(), and one
 * more for the replacement id when it is drawn; the stream is the caller's (keyed per sample). */
#include "train/masking.h"

int irra_mask_caption(const int32_t *ids, int ctx, int vocab, syn_rng *r, int32_t *mlm_ids,
                      int32_t *labels)
{
    int32_t mask = vocab - 3;
    int n = 0;
    for (int t = 0; t < ctx; t++) {
        int32_t id = ids[t];
        labels[t] = 0;
        mlm_ids[t] = id;
        if (id <= 0 || id >= mask) continue;
        double u = syn_unif(r);
        if (u >= IRRA_MLM_PROB) continue;
        u /= IRRA_MLM_PROB;
        if (u < 0.8) mlm_ids[t] = mask;
        else if (u < 0.9) mlm_ids[t] = 1 + syn_below(r, mask - 1); /* range(1, mask) */
        labels[t] = id;
        n++;
    }
    if (n == 0) {
        labels[1] = mlm_ids[1];
        mlm_ids[1] = mask;
        n = 1;
    }
    return n;
}
