#include "train/pos_resize.h"

#include <string.h>

/* One axis of PyTorch's upsample_bilinear2d (align_corners=False), in float as it computes
 * it: the source coordinate of output o, clamped at 0, its two neighbours and their weights. */
typedef struct {
    int i0, i1;
    float l0, l1;
} tap;

static tap axis_tap(int in, int out, int o)
{
    float scale = (float)in / (float)out;
    float s = scale * ((float)o + 0.5f) - 0.5f;
    if (s < 0) s = 0;
    tap t = {(int)s, 0, 0, 0};
    t.i1 = t.i0 + (t.i0 < in - 1);
    t.l1 = s - (float)t.i0;
    t.l0 = 1.f - t.l1;
    return t;
}

void irra_pos_embed_resize(const float *src, int gh0, int gw0, float *dst, int gh1, int gw1,
                           int width)
{
    memcpy(dst, src, (size_t)width * sizeof *dst); /* CLS */
    const float *g0 = src + width;
    float *g1 = dst + width;
    for (int y = 0; y < gh1; y++) {
        tap h = axis_tap(gh0, gh1, y);
        for (int x = 0; x < gw1; x++) {
            tap w = axis_tap(gw0, gw1, x);
            const float *a = g0 + ((size_t)h.i0 * gw0 + w.i0) * width;
            const float *b = g0 + ((size_t)h.i0 * gw0 + w.i1) * width;
            const float *c = g0 + ((size_t)h.i1 * gw0 + w.i0) * width;
            const float *d = g0 + ((size_t)h.i1 * gw0 + w.i1) * width;
            float *o = g1 + ((size_t)y * gw1 + x) * width;
            for (int k = 0; k < width; k++)
                o[k] = h.l0 * (w.l0 * a[k] + w.l1 * b[k]) + h.l1 * (w.l0 * c[k] + w.l1 * d[k]);
        }
    }
}
