/* Pillow's Image.resize((w, h), BILINEAR) for 8-bit RGB, bit for bit (libImaging/Resample.c,
 * ImagingResample with the default box (0, 0, src_w, src_h)). torchvision's Resize((384, 128))
 * on a PIL image is exactly this call, so the C pipeline sees the pixels IRRA was evaluated on.
 *
 * The resampler is separable: for each output pixel a window of input pixels weighted by the
 * triangle filter, whose support grows with the downscale factor (antialiasing). The weights are
 * normalised in double, then turned into 22-bit fixed point; each pass accumulates in integers
 * from a rounding offset of one half and clips to 0..255, the horizontal pass first (only over
 * the rows the vertical pass will read), the vertical pass second. A pass whose size does not
 * change is skipped, as Pillow does. */
#include "model/image.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* 8 bits of result, 2 bits of headroom, the rest fraction (Pillow's PRECISION_BITS). */
#define PRECISION_BITS (32 - 8 - 2)
#define MAX_SIDE 16384

typedef struct {
    int ksize;     /* coefficients per output pixel (room; the used count is in bounds) */
    int *bounds;   /* [out, 2]: first input index, number of inputs */
    int32_t *kk;   /* [out, ksize]: fixed-point weights */
} coeffs;

static double triangle(double x)
{
    if (x < 0.0) x = -x;
    return x < 1.0 ? 1.0 - x : 0.0;
}

/* Pillow's precompute_coeffs followed by normalize_coeffs_8bpc. The odd-looking casts are
 * Pillow's: (int)(v + 0.5) truncates toward zero, which matters when v is negative. */
static int precompute(int in_size, int out_size, coeffs *c)
{
    /* Pillow divides the box width (a float, exact for our sizes) by the output size. */
    double scale = (double)in_size / out_size, filterscale = scale;
    if (filterscale < 1.0) filterscale = 1.0;
    double support = 1.0 * filterscale;
    int ksize = (int)ceil(support) * 2 + 1;
    double *w = malloc((size_t)ksize * sizeof *w);
    c->ksize = ksize;
    c->bounds = malloc((size_t)out_size * 2 * sizeof *c->bounds);
    c->kk = malloc((size_t)out_size * ksize * sizeof *c->kk);
    if (!w || !c->bounds || !c->kk) {
        free(w);
        return -1;
    }
    for (int xx = 0; xx < out_size; xx++) {
        double center = (xx + 0.5) * scale, ww = 0.0, ss = 1.0 / filterscale;
        int xmin = (int)(center - support + 0.5);
        if (xmin < 0) xmin = 0;
        int xmax = (int)(center + support + 0.5);
        if (xmax > in_size) xmax = in_size;
        xmax -= xmin;
        for (int x = 0; x < xmax; x++) {
            w[x] = triangle((x + xmin - center + 0.5) * ss);
            ww += w[x];
        }
        int32_t *k = c->kk + (size_t)xx * ksize;
        for (int x = 0; x < ksize; x++) {
            double v = x < xmax ? (ww != 0.0 ? w[x] / ww : w[x]) : 0.0;
            k[x] = v < 0 ? (int32_t)(-0.5 + v * (1 << PRECISION_BITS))
                         : (int32_t)(0.5 + v * (1 << PRECISION_BITS));
        }
        c->bounds[xx * 2] = xmin;
        c->bounds[xx * 2 + 1] = xmax;
    }
    free(w);
    return 0;
}

static void coeffs_free(coeffs *c)
{
    free(c->bounds);
    free(c->kk);
}

/* Pillow's clip8: the accumulator's integer part, clamped. The weights of the triangle filter are
 * non-negative and sum to 1 (within rounding), so the sum stays far below 2^31; it is 64-bit
 * here only so no input size can make that an assumption. */
static uint8_t clip8(int64_t ss)
{
    if (ss < 0) return 0;
    ss >>= PRECISION_BITS;
    return ss > 255 ? 255 : (uint8_t)ss;
}

/* in: [rows, in_w, 3] starting at row y0; out: [rows, out_w, 3]. */
static void horizontal(const uint8_t *in, int in_w, int y0, int rows, const coeffs *c, int out_w,
                       uint8_t *out)
{
    for (int yy = 0; yy < rows; yy++) {
        const uint8_t *row = in + ((size_t)(yy + y0) * in_w) * 3;
        for (int xx = 0; xx < out_w; xx++) {
            int xmin = c->bounds[xx * 2], xmax = c->bounds[xx * 2 + 1];
            const int32_t *k = c->kk + (size_t)xx * c->ksize;
            int64_t s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
            for (int x = 0; x < xmax; x++) {
                const uint8_t *p = row + (size_t)(x + xmin) * 3;
                s0 += p[0] * (int64_t)k[x];
                s1 += p[1] * (int64_t)k[x];
                s2 += p[2] * (int64_t)k[x];
            }
            uint8_t *o = out + ((size_t)yy * out_w + xx) * 3;
            o[0] = clip8(s0);
            o[1] = clip8(s1);
            o[2] = clip8(s2);
        }
    }
}

/* in: [*, w, 3]; out: [out_h, w, 3]; bounds index rows of in. */
static void vertical(const uint8_t *in, int w, const coeffs *c, int out_h, uint8_t *out)
{
    for (int yy = 0; yy < out_h; yy++) {
        int ymin = c->bounds[yy * 2], ymax = c->bounds[yy * 2 + 1];
        const int32_t *k = c->kk + (size_t)yy * c->ksize;
        for (int xx = 0; xx < w; xx++) {
            int64_t s0 = 1 << (PRECISION_BITS - 1), s1 = s0, s2 = s0;
            for (int y = 0; y < ymax; y++) {
                const uint8_t *p = in + ((size_t)(y + ymin) * w + xx) * 3;
                s0 += p[0] * (int64_t)k[y];
                s1 += p[1] * (int64_t)k[y];
                s2 += p[2] * (int64_t)k[y];
            }
            uint8_t *o = out + ((size_t)yy * w + xx) * 3;
            o[0] = clip8(s0);
            o[1] = clip8(s1);
            o[2] = clip8(s2);
        }
    }
}

int irra_image_resize(const irra_image *src, int w, int h, uint8_t *dst, irra_err *e)
{
    if (!src || !src->rgb || src->w <= 0 || src->h <= 0 || src->w > MAX_SIDE ||
        src->h > MAX_SIDE)
        return irra_fail(e, "resize: bad source image (%d x %d)", src ? src->w : 0,
                         src ? src->h : 0);
    if (w <= 0 || h <= 0 || w > MAX_SIDE || h > MAX_SIDE)
        return irra_fail(e, "resize: bad target size %d x %d", w, h);
    int need_h = w != src->w, need_v = h != src->h;
    if (!need_h && !need_v) {
        memcpy(dst, src->rgb, (size_t)w * h * 3);
        return 0;
    }
    coeffs cv = {0}, ch = {0};
    uint8_t *tmp = NULL;
    int rc = -1;
    if (precompute(src->h, h, &cv)) goto oom;
    if (!need_h) {
        vertical(src->rgb, w, &cv, h, dst);
        rc = 0;
        goto done;
    }
    /* The horizontal pass covers only the source rows the vertical window reaches. */
    int y_first = cv.bounds[0], y_last = cv.bounds[h * 2 - 2] + cv.bounds[h * 2 - 1];
    if (precompute(src->w, w, &ch)) goto oom;
    if (!need_v) {
        horizontal(src->rgb, src->w, 0, h, &ch, w, dst);
        rc = 0;
        goto done;
    }
    tmp = malloc((size_t)w * (y_last - y_first) * 3);
    if (!tmp) goto oom;
    horizontal(src->rgb, src->w, y_first, y_last - y_first, &ch, w, tmp);
    for (int i = 0; i < h; i++) cv.bounds[i * 2] -= y_first;
    vertical(tmp, w, &cv, h, dst);
    rc = 0;
    goto done;
oom:
    rc = irra_fail(e, "resize: out of memory (%d x %d to %d x %d)", src->w, src->h, w, h);
done:
    free(tmp);
    coeffs_free(&cv);
    coeffs_free(&ch);
    return rc;
}
