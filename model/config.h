/* The model configuration read from tensor shapes (spec 1.2) plus the image geometry, which no
 * state dict holds. */
#ifndef IRRA_CONFIG_H
#define IRRA_CONFIG_H

#include "model/err.h"
#include "model/irra.h"
#include "model/tensors.h"

/* Geometry precedence: nonzero fields of opts; then the safetensors metadata irra.img_h,
 * irra.img_w, irra.stride; then configs.yaml beside a .pth; then 384x128 stride 16. A visual
 * positional table that does not fit the patch grid is an error naming both sizes. */
int irra_config_infer(irra_config *c, const irra_tensors *ts, const irra_open_opts *opts,
                      irra_err *e);

/* Sets the input size and patch stride, and the patch grid and image token count they give
 * (the caller has checked that the patch fits). */
void irra_config_set_input(irra_config *c, int img_h, int img_w, int stride);

/* "base_model." for an IRRA checkpoint, "" for a bare CLIP state dict. */
const char *irra_clip_prefix(const irra_tensors *ts);

#endif
