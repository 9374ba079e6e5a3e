/* IRRA's training image transform (spec 4.5, datasets/build.py build_transforms with
 * torchvision 0.10 semantics), split into drawing the random parameters of one sample and
 * applying them, so each half can be checked on its own (tests/test_augment.py applies given
 * parameters with torchvision and compares).
 *   --img_aug: Resize, RandomHorizontalFlip(0.5), Pad(10), RandomCrop, ToTensor, Normalize,
 *              RandomErasing(p=0.5, scale=(0.02, 0.4), ratio=(0.3, 3.3), value=mean)
 *   without:   Resize, RandomHorizontalFlip(0.5), ToTensor, Normalize (the official
 *              non-augmented path still flips) */
#ifndef IRRA_TRAIN_AUGMENT_H
#define IRRA_TRAIN_AUGMENT_H

#include "model/err.h"
#include "train/synth_rng.h"

#include <stdint.h>

#define IRRA_AUG_PAD 10 /* Pad(10): zeros on all four sides, then a crop back to H x W */

typedef struct {
    int flip;       /* mirror left-right (first, on the resized image) */
    int crop_i, crop_j; /* top-left of the H x W crop in the padded image, 0..2*IRRA_AUG_PAD;
                           IRRA_AUG_PAD, IRRA_AUG_PAD is the identity */
    int erase;      /* erase the box below with the mean (after normalisation) */
    int er_i, er_j, er_h, er_w; /* top, left, height, width of the box */
} irra_aug;

/* The parameters of one sample for an H x W image: img_aug 0 draws only the flip (and leaves the
 * crop at the identity, no erasing). Draws, in order: flip, crop i, crop j, erase coin, then up
 * to 10 (area, log-ratio) tries and the box position. */
void irra_aug_draw(int img_aug, int h, int w, syn_rng *r, irra_aug *a);

/* Applies a to rgb[h][w][3] (already resized to h x w) into out[3][h][w], normalised:
 * flip, pad + crop, ToTensor, Normalize, erase (each channel c gets mean_c, the quirk).
 * scratch: h * w * 3 bytes of work space, or NULL to allocate it here. Fails only on out of
 * memory or parameters outside the image. */
int irra_aug_apply(const uint8_t *rgb, int h, int w, const irra_aug *a, uint8_t *scratch, float *out,
                   irra_err *e);

#endif
