/* Thumbnails for the gallery: the image resized to fit GAL_THUMB_W x GAL_THUMB_H (aspect kept,
 * Pillow-style bilinear; never enlarged) and compressed as JPEG at quality 90. */
#ifndef GAL_THUMB_H_INCLUDED
#define GAL_THUMB_H_INCLUDED

#include "model/err.h"
#include "model/image.h"

#include <stddef.h>
#include <stdint.h>

/* The thumbnail size for a w x h image: the image's own when it fits the box (an enlarged
 * thumbnail holds more bytes, not more detail: the browser scales tiles itself), else the
 * largest that fits it; at least 1 x 1. */
void gal_thumb_size(int w, int h, int *tw, int *th);

/* *jpeg is malloc'd; the caller frees it. */
int gal_thumbnail(const irra_image *img, uint8_t **jpeg, size_t *n, irra_err *e);

#endif
