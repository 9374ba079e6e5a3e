/* The official resize_pos_embed (spec 1.3), for fine-tuning a model at another input size:
 * the CLS row is kept and the patch-grid rows are resized as one image of `width` channels by
 * PyTorch's bilinear interpolation (F.interpolate, align_corners=False, no antialiasing). */
#ifndef IRRA_TRAIN_POS_RESIZE_H
#define IRRA_TRAIN_POS_RESIZE_H

/* src [1 + gh0 * gw0, width] -> dst [1 + gh1 * gw1, width]; grid rows in row-major order. */
void irra_pos_embed_resize(const float *src, int gh0, int gw0, float *dst, int gh1, int gw1,
                           int width);

#endif
