/* The image formats stb_image lacks (WebP, TIFF), for model/image.c. */
#ifndef IRRA_IMAGE_FORMATS_H
#define IRRA_IMAGE_FORMATS_H

#include "model/image.h"

/* 1 with *w, *h when data is a WebP or TIFF file whose header reads; 0 when it is neither (stb's
 * turn); -1 with *e naming the file when it is one of them but broken. */
int irra_image_other_info(const void *data, size_t n, const char *name, int *w, int *h,
                          irra_err *e);

/* Decodes a file irra_image_other_info accepted (and whose size the caller checked) to RGB. */
int irra_image_other_decode(const void *data, size_t n, const char *name, irra_image *img,
                            irra_err *e);

#endif
