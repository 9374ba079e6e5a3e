/* WebP and TIFF, which stb_image does not read, through Debian's libwebp and libtiff: the
 * libraries Pillow decodes them with, so the RGB bytes are Pillow's convert('RGB') for 8-bit RGB
 * and grey files (tests/test_image.sh). Known difference: a TIFF with unassociated alpha comes
 * out premultiplied by libtiff's RGBA interface, where Pillow drops the alpha. Messages from
 * libtiff go to the caller's error, never to stderr. */
#include "model/image_formats.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <tiffio.h>
#include <webp/decode.h>

static int is_webp(const unsigned char *p, size_t n)
{
    return n >= 12 && !memcmp(p, "RIFF", 4) && !memcmp(p + 8, "WEBP", 4);
}

static int is_tiff(const unsigned char *p, size_t n)
{
    return n >= 4 && (!memcmp(p, "II*\0", 4) || !memcmp(p, "MM\0*", 4));
}

/* ---- libtiff over a memory buffer ---- */

typedef struct {
    const unsigned char *data;
    toff_t n, pos;
    char msg[256]; /* libtiff's first error */
} tiff_mem;

static tmsize_t mem_read(thandle_t h, void *buf, tmsize_t size)
{
    tiff_mem *m = h;
    if (size < 0) return -1;
    toff_t left = m->pos < m->n ? m->n - m->pos : 0;
    if ((toff_t)size > left) size = (tmsize_t)left;
    memcpy(buf, m->data + m->pos, (size_t)size);
    m->pos += (toff_t)size;
    return size;
}

static tmsize_t mem_write(thandle_t h, void *buf, tmsize_t size)
{
    (void)h, (void)buf, (void)size;
    return -1;
}

static toff_t mem_seek(thandle_t h, toff_t off, int whence)
{
    tiff_mem *m = h;
    toff_t base = whence == SEEK_CUR ? m->pos : whence == SEEK_END ? m->n : 0;
    if (off > UINT64_MAX - base) return (toff_t)-1;
    m->pos = base + off;
    return m->pos;
}

static int mem_close(thandle_t h) { return (void)h, 0; }
static toff_t mem_size(thandle_t h) { return ((tiff_mem *)h)->n; }
static int mem_map(thandle_t h, void **base, toff_t *size) { return (void)h, (void)base, (void)size, 0; }
static void mem_unmap(thandle_t h, void *base, toff_t size) { (void)h, (void)base, (void)size; }

static int on_tiff_error(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif, (void)module;
    tiff_mem *m = user;
    if (m && !m->msg[0]) vsnprintf(m->msg, sizeof m->msg, fmt, ap);
    return 1; /* handled: libtiff's default handler would print it */
}

static int on_tiff_warning(TIFF *tif, void *user, const char *module, const char *fmt, va_list ap)
{
    (void)tif, (void)user, (void)module, (void)fmt, (void)ap;
    return 1;
}

static TIFF *tiff_open(tiff_mem *m, const char *name)
{
    TIFFOpenOptions *o = TIFFOpenOptionsAlloc();
    if (!o) return NULL;
    TIFFOpenOptionsSetErrorHandlerExtR(o, on_tiff_error, m);
    TIFFOpenOptionsSetWarningHandlerExtR(o, on_tiff_warning, m);
    TIFFOpenOptionsSetMaxSingleMemAlloc(o, (tmsize_t)1 << 30);
    TIFF *t = TIFFClientOpenExt(name, "rm", m, mem_read, mem_write, mem_seek, mem_close,
                                mem_size, mem_map, mem_unmap, o);
    TIFFOpenOptionsFree(o);
    return t;
}

int irra_image_other_info(const void *data, size_t n, const char *name, int *w, int *h,
                          irra_err *e)
{
    const unsigned char *p = data;
    if (is_webp(p, n)) {
        if (!WebPGetInfo(p, n, w, h)) return irra_fail(e, "%s: not a readable WebP file", name);
        return 1;
    }
    if (!is_tiff(p, n)) return 0;
    tiff_mem m = {p, n, 0, ""};
    TIFF *t = tiff_open(&m, name);
    uint32_t tw = 0, th = 0;
    int ok = t && TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &tw) && TIFFGetField(t, TIFFTAG_IMAGELENGTH, &th);
    if (t) TIFFClose(t);
    if (!ok) return irra_fail(e, "%s: not a readable TIFF file (%s)", name, m.msg[0] ? m.msg : "no size");
    if (tw > 1u << 30 || th > 1u << 30) return irra_fail(e, "%s: TIFF of %u x %u", name, tw, th);
    *w = (int)tw;
    *h = (int)th;
    return 1;
}

static int decode_webp(const unsigned char *p, size_t n, const char *name, irra_image *img,
                       irra_err *e)
{
    int w, h;
    uint8_t *px = WebPDecodeRGB(p, n, &w, &h);
    if (!px) return irra_fail(e, "%s: cannot decode WebP image (animated or corrupt)", name);
    size_t bytes = (size_t)w * h * 3;
    img->rgb = malloc(bytes);
    if (img->rgb) memcpy(img->rgb, px, bytes); /* irra_image_free is a plain free() */
    WebPFree(px);
    if (!img->rgb) return irra_fail(e, "%s: out of memory for a %d x %d image", name, w, h);
    img->w = w;
    img->h = h;
    return 0;
}

static int decode_tiff(const unsigned char *p, size_t n, const char *name, irra_image *img,
                       irra_err *e)
{
    tiff_mem m = {p, n, 0, ""};
    TIFF *t = tiff_open(&m, name);
    uint32_t w = 0, h = 0, *raster = NULL;
    int rc = -1;
    if (!t || !TIFFGetField(t, TIFFTAG_IMAGEWIDTH, &w) || !TIFFGetField(t, TIFFTAG_IMAGELENGTH, &h)) {
        irra_fail(e, "%s: not a readable TIFF file (%s)", name, m.msg[0] ? m.msg : "no size");
        goto done;
    }
    /* the caller checked w and h against the image limits */
    raster = malloc((size_t)w * h * sizeof *raster);
    img->rgb = malloc((size_t)w * h * 3);
    if (!raster || !img->rgb) {
        irra_fail(e, "%s: out of memory for a %u x %u image", name, w, h);
        goto done;
    }
    if (!TIFFReadRGBAImageOriented(t, w, h, raster, ORIENTATION_TOPLEFT, 0)) {
        irra_fail(e, "%s: cannot decode TIFF image (%s)", name, m.msg[0] ? m.msg : "unsupported");
        goto done;
    }
    for (size_t i = 0; i < (size_t)w * h; i++) {
        img->rgb[3 * i] = (uint8_t)TIFFGetR(raster[i]);
        img->rgb[3 * i + 1] = (uint8_t)TIFFGetG(raster[i]);
        img->rgb[3 * i + 2] = (uint8_t)TIFFGetB(raster[i]);
    }
    img->w = (int)w;
    img->h = (int)h;
    rc = 0;
done:
    if (rc) {
        free(img->rgb);
        img->rgb = NULL;
    }
    free(raster);
    if (t) TIFFClose(t);
    return rc;
}

int irra_image_other_decode(const void *data, size_t n, const char *name, irra_image *img,
                            irra_err *e)
{
    img->w = img->h = 0;
    img->rgb = NULL;
    return is_webp(data, n) ? decode_webp(data, n, name, img, e) : decode_tiff(data, n, name, img, e);
}
