#include "gallery/thumb.h"

#include "gallery/store.h"

/* stb_image_write's implementation is compiled here (public: the tests write PNGs with it)
 * rather than linked from Debian's libstb, whose decoder aborts on corrupt files
 * (model/image.c compiles its own). */
#define STB_IMAGE_WRITE_IMPLEMENTATION
/* Its JPEG bit writer shifts set bits past bit 31 of an int (stbiw__jpg_writeBits), undefined in
 * C11 but harmless: only bits 16-23 are ever read back. The Makefile builds this file with
 * -fno-sanitize=shift-base under the sanitizers (make asan, make fuzz). */
#include <stb_image_write.h>
#include <stdlib.h>
#include <string.h>

void gal_thumb_size(int w, int h, int *tw, int *th)
{
    if (w >= 1 && h >= 1 && w <= GAL_THUMB_W && h <= GAL_THUMB_H) {
        *tw = w, *th = h;
        return;
    }
    /* Compare GAL_THUMB_W / w with GAL_THUMB_H / h without rounding. */
    if ((long)GAL_THUMB_W * h <= (long)GAL_THUMB_H * w) {
        *tw = GAL_THUMB_W;
        *th = (int)(((long)h * GAL_THUMB_W + w / 2) / w);
    } else {
        *th = GAL_THUMB_H;
        *tw = (int)(((long)w * GAL_THUMB_H + h / 2) / h);
    }
    if (*tw < 1) *tw = 1;
    if (*th < 1) *th = 1;
}

typedef struct {
    uint8_t *p;
    size_t n, cap;
    int oom;
} membuf;

static void append(void *ctx, void *data, int size)
{
    membuf *b = ctx;
    if (b->oom || size <= 0) return;
    if (b->n + (size_t)size > b->cap) {
        size_t cap = (b->cap ? 2 * b->cap : 16384) + (size_t)size;
        uint8_t *p = realloc(b->p, cap);
        if (!p) {
            b->oom = 1;
            return;
        }
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->n, data, (size_t)size);
    b->n += (size_t)size;
}

int gal_thumbnail(const irra_image *img, uint8_t **jpeg, size_t *n, irra_err *e)
{
    int tw, th;
    gal_thumb_size(img->w, img->h, &tw, &th);
    uint8_t *px = malloc((size_t)tw * th * 3);
    if (!px) return irra_fail(e, "out of memory for a thumbnail");
    if (irra_image_resize(img, tw, th, px, e)) {
        free(px);
        return -1;
    }
    membuf b = {0};
    int ok = stbi_write_jpg_to_func(append, &b, tw, th, 3, px, 90);
    free(px);
    if (!ok || b.oom) {
        free(b.p);
        return irra_fail(e, "cannot compress a thumbnail");
    }
    *jpeg = b.p;
    *n = b.n;
    return 0;
}
