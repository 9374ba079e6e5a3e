/* Images: decoding (stb_image) and IRRA's evaluation preprocessing (Pillow-style bilinear resize
 * with antialiasing to H x W, scale to [0,1], CLIP mean/std normalisation, CHW float). */
#ifndef IRRA_IMAGE_H
#define IRRA_IMAGE_H

#include "model/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int w, h;     /* pixels */
    uint8_t *rgb; /* h * w * 3, row-major */
} irra_image;

/* Decodes any format stb_image reads, and WebP and TIFF (libwebp, libtiff), converted to RGB.
 * Errors name the file. */
int irra_image_load(const char *path, irra_image *img, irra_err *e);
int irra_image_load_mem(const void *data, size_t n, const char *name, irra_image *img, irra_err *e);
void irra_image_free(irra_image *img);

/* Pillow Image.resize((w, h), BILINEAR) on 8-bit RGB: separable triangle filter whose support
 * scales with the downscale factor, horizontal pass then vertical, 8-bit fixed point with
 * rounding and clipping after each pass. dst holds h * w * 3 bytes. */
int irra_image_resize(const irra_image *src, int w, int h, uint8_t *dst, irra_err *e);

/* IRRA's test transform: resize to h x w (skipped when the image is already h x w), then
 * (x/255 - mean_c)/std_c into out[3][h][w]. */
int irra_image_preprocess(const irra_image *src, int h, int w, float *out, irra_err *e);

/* Decodes an image file and preprocesses it into out[3][h][w] (the two calls above). */
int irra_image_load_input(const char *path, int h, int w, float *out, irra_err *e);

#endif
