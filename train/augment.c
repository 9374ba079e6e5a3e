/* Spec 4.5. The geometric steps (flip, zero pad, crop) only move bytes, so they run on the
 * 8-bit image and ToTensor + Normalize run once on the result through the evaluation
 * transform's own code (irra_image_preprocess at the target size): a padded pixel is 0, which
 * normalises to -mean/std exactly as torchvision's padded zeros do. */
#include "train/augment.h"

#include "model/image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* CLIP's mean (spec 4.6) as torchvision's RandomErasing(value=mean) holds it: float32. */
static const float erase_value[3] = {0.48145466f, 0.4578275f, 0.40821073f};

void irra_aug_draw(int img_aug, int h, int w, syn_rng *r, irra_aug *a)
{
    memset(a, 0, sizeof *a);
    a->flip = syn_unif(r) < 0.5;
    a->crop_i = a->crop_j = IRRA_AUG_PAD;
    if (!img_aug) return;
    a->crop_i = syn_below(r, 2 * IRRA_AUG_PAD + 1);
    a->crop_j = syn_below(r, 2 * IRRA_AUG_PAD + 1);
    if (syn_unif(r) >= 0.5) return;
    /* torchvision RandomErasing.get_params: 10 tries, ratio log-uniform (vision PR #3344),
     * Python's round (half to even: rint), accepted only strictly inside; none: unchanged. */
    double area = (double)h * w, lo = log(0.3), hi = log(3.3);
    for (int t = 0; t < 10; t++) {
        double ea = area * syn_range(r, 0.02, 0.4), ar = exp(syn_range(r, lo, hi));
        int eh = (int)rint(sqrt(ea * ar)), ew = (int)rint(sqrt(ea / ar));
        if (!(eh < h && ew < w)) continue;
        a->erase = 1;
        a->er_h = eh;
        a->er_w = ew;
        a->er_i = syn_below(r, h - eh + 1);
        a->er_j = syn_below(r, w - ew + 1);
        return;
    }
}

int irra_aug_apply(const uint8_t *rgb, int h, int w, const irra_aug *a, uint8_t *scratch, float *out,
                   irra_err *e)
{
    if (a->crop_i < 0 || a->crop_i > 2 * IRRA_AUG_PAD || a->crop_j < 0 || a->crop_j > 2 * IRRA_AUG_PAD)
        return irra_fail(e, "augment: crop offset %d,%d outside 0..%d", a->crop_i, a->crop_j,
                         2 * IRRA_AUG_PAD);
    if (a->erase && (a->er_h < 0 || a->er_w < 0 || a->er_i < 0 || a->er_j < 0 ||
                     a->er_i + a->er_h > h || a->er_j + a->er_w > w))
        return irra_fail(e, "augment: erase box %dx%d at %d,%d outside %dx%d", a->er_h, a->er_w,
                         a->er_i, a->er_j, h, w);
    uint8_t *tmp = scratch ? scratch : malloc((size_t)h * w * 3);
    if (!tmp) return irra_fail(e, "augment: out of memory for %d x %d", w, h);
    int di = a->crop_i - IRRA_AUG_PAD, dj = a->crop_j - IRRA_AUG_PAD;
    for (int y = 0; y < h; y++) {
        int sy = y + di;
        uint8_t *d = tmp + (size_t)y * w * 3;
        if (sy < 0 || sy >= h) {
            memset(d, 0, (size_t)w * 3);
            continue;
        }
        const uint8_t *row = rgb + (size_t)sy * w * 3;
        for (int x = 0; x < w; x++) {
            int sx = x + dj;
            if (sx < 0 || sx >= w) {
                d[x * 3] = d[x * 3 + 1] = d[x * 3 + 2] = 0;
                continue;
            }
            const uint8_t *s = row + (size_t)(a->flip ? w - 1 - sx : sx) * 3;
            d[x * 3] = s[0];
            d[x * 3 + 1] = s[1];
            d[x * 3 + 2] = s[2];
        }
    }
    irra_image img = {w, h, tmp};
    int rc = irra_image_preprocess(&img, h, w, out, e);
    if (!scratch) free(tmp);
    if (rc < 0 || !a->erase) return rc;
    for (int c = 0; c < 3; c++)
        for (int y = a->er_i; y < a->er_i + a->er_h; y++) {
            float *p = out + ((size_t)c * h + y) * w + a->er_j;
            for (int x = 0; x < a->er_w; x++) p[x] = erase_value[c];
        }
    return 0;
}
