/* Image decoding through stb_image and IRRA's evaluation transform (ToTensor + Normalize).
 * The reference opens images with PIL and convert('RGB'); stb_image with 3 requested channels
 * does the same conversions (grey replicated, alpha dropped, palette expanded), so 8-bit PNG and
 * BMP decode to the same bytes (tests/test_image.sh). Known differences: JPEG by up to a few
 * levels (libjpeg's IDCT and chroma upsampling are not stb's); 16-bit grey PNG (PIL clips the
 * 16-bit value at 255, stb keeps the high byte); truncated files (IRRA sets
 * LOAD_TRUNCATED_IMAGES and PIL pads them with grey, stb refuses them: an error here). */
#include "model/image.h"
#include "model/image_formats.h"

#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* stb_image's implementation is compiled here, from Debian's stb_image.h, rather than linked
 * from libstb: Debian builds libstb with assert() on, and some corrupt JPEGs reach an assert,
 * which aborted the whole process (a gallery build, the browser). Here an assert is a clean
 * error for that one image: it longjmps back to decode(), which frees whatever stb had
 * allocated for the image. The state of a decode lives in thread-local storage, so two
 * threads decode at once. Compiled in, the decoder is also seen by ASan, valgrind and the
 * fuzzers (tests/fuzz/). */
typedef union blk {
    struct {
        union blk *prev, *next;
    } l;
    max_align_t align; /* keeps the block after the header aligned as malloc's */
} blk;

static _Thread_local struct {
    jmp_buf jb;
    const char *why; /* the assert that failed */
    blk live;        /* list head of stb's allocations for this decode */
} dec;

/* Every block zeroed: stb reads some buffers it has not written on corrupt input (the JPEG
 * decoder's coefficient and line buffers on a truncated scan: valgrind's "conditional jump
 * depends on uninitialised value"), so what it reads is defined and the same each run. */
static void *stb_alloc(size_t n)
{
    if (n > SIZE_MAX - sizeof(blk)) return NULL;
    blk *b = calloc(1, sizeof(blk) + n);
    if (!b) return NULL;
    b->l.prev = &dec.live;
    b->l.next = dec.live.l.next;
    dec.live.l.next->l.prev = b;
    dec.live.l.next = b;
    return b + 1;
}

static void stb_release(void *p)
{
    if (!p) return;
    blk *b = (blk *)p - 1;
    b->l.prev->l.next = b->l.next;
    b->l.next->l.prev = b->l.prev;
    free(b);
}

static void *stb_resize(void *p, size_t old, size_t n)
{
    if (!p) return stb_alloc(n);
    void *q = stb_alloc(n);
    if (!q) return NULL;
    memcpy(q, p, old < n ? old : n);
    stb_release(p);
    return q;
}

static _Noreturn void stb_assert_failed(const char *expr)
{
    dec.why = expr;
    longjmp(dec.jb, 1);
}

#define STBI_ASSERT(x) ((x) ? (void)0 : stb_assert_failed(#x))
#define STBI_MALLOC(n) stb_alloc(n)
#define STBI_REALLOC_SIZED(p, old, n) stb_resize(p, old, n)
#define STBI_FREE(p) stb_release(p)
#define STB_IMAGE_STATIC
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_STDIO
#define STBI_FAILURE_USERMSG
/* stb's own warnings, for the rest of this file: "declared static but never defined" comes at
 * the end of the translation unit (2.27 declares stbi_set_unpremultiply_on_load_thread and
 * defines it under another name). */
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wunused-function"
#pragma clang diagnostic ignored "-Wimplicit-fallthrough"
#pragma clang diagnostic ignored "-Wunused-but-set-variable"
#else
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wimplicit-fallthrough"
#pragma GCC diagnostic ignored "-Wmisleading-indentation"
#pragma GCC diagnostic ignored "-Wunused-but-set-variable"
#endif
#include <stb_image.h>

/* CLIP's normalisation (spec 4.6), as torchvision holds it: float32. */
static const float clip_mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
static const float clip_std[3] = {0.26862954f, 0.26130258f, 0.27577711f};

/* Bounds on what we agree to decode: a side of 16384 px and 2^28 pixels (768 MiB of RGB). A
 * person crop is a few hundred pixels; anything near these limits is a hostile or broken file. */
#define MAX_SIDE 16384
#define MAX_PIXELS (1L << 28)
#define MAX_FILE_BYTES (1L << 30)

static int check_size(const char *name, int w, int h, irra_err *e)
{
    if (w <= 0 || h <= 0)
        return irra_fail(e, "%s: image has no pixels (%d x %d)", name, w, h);
    if (w > MAX_SIDE || h > MAX_SIDE || (long)w * h > MAX_PIXELS)
        return irra_fail(e, "%s: image is %d x %d, above the limit of %d px a side and %ld pixels",
                         name, w, h, MAX_SIDE, MAX_PIXELS);
    return 0;
}

/* stb_image 2.27 (Debian's) trusts a DHT segment's 16 code counts: their sum may reach 4080,
 * and stbi__build_huffman writes that many sizes into a 257-byte table and the values into a
 * 256-byte one, over the rest of its decoder state (function pointers included). Fixed upstream
 * in 2.28 ("bad size list"); until Debian ships it, every DHT table of a JPEG is checked here
 * first: a table of over 256 codes is refused. Markers are walked from SOI (after any fill
 * bytes, as stb allows: found by fuzz_image), skipping entropy-coded data (0xFF 0x00 is a
 * stuffed byte, 0xFF 0xD0-0xD7 a restart marker). */
static int jpeg_tables_ok(const uint8_t *b, size_t n)
{
    /* stb reads a marker as 0xFF, any more 0xFF fill bytes, then the code: SOI may follow
     * fill bytes (FF FF D8) */
    size_t p = 0;
    while (p < n && b[p] == 0xff) p++;
    if (p == 0 || p >= n || b[p] != 0xd8) return 1; /* not a JPEG: stb decides */
    p++;
    while (p + 4 <= n) {
        if (b[p] != 0xff) { /* entropy-coded data, or garbage stb will refuse: find a marker */
            p++;
            continue;
        }
        uint8_t m = b[p + 1];
        if (m == 0x00 || m == 0xff || (m >= 0xd0 && m <= 0xd8) || m == 0x01) {
            p += m == 0xff ? 1 : 2;
            continue;
        }
        if (m == 0xd9) return 1; /* EOI */
        size_t len = (size_t)b[p + 2] << 8 | b[p + 3];
        if (m == 0xc4) {
            /* as stb reads it: tables while the segment's length lasts, bytes past the end of
             * the file read as 0 */
            for (size_t q = p + 4; q < p + 2 + len && q < n;) {
                size_t codes = 0;
                for (size_t i = q + 1; i <= q + 16 && i < n; i++) codes += b[i];
                if (codes > 256) return 0;
                q += 17 + codes;
            }
        }
        p += 2 + len;
    }
    return 1;
}

/* stb_image 2.27 reads a PNM header's width, height and maxval with `value*10 + digit` in an
 * int and no bound (signed overflow, undefined; UBSan reports it, found by fuzz_image). A PNM
 * (P5/P6, as stb reads them) whose header holds a number of more than 9 digits is refused
 * first: no image that size could be decoded anyway. Comments (#...) and whitespace are skipped
 * as stb skips them. */
static int pnm_header_ok(const uint8_t *b, size_t n)
{
    if (n < 2 || b[0] != 'P' || (b[1] != '5' && b[1] != '6')) return 1; /* not a PNM stb reads */
    size_t p = 2;
    for (int k = 0; k < 3; k++) {
        while (p < n && (b[p] == ' ' || (b[p] >= '\t' && b[p] <= '\r') || b[p] == '#')) {
            if (b[p] == '#')
                while (p < n && b[p] != '\n' && b[p] != '\r') p++;
            else
                p++;
        }
        size_t digits = 0;
        while (p < n && b[p] >= '0' && b[p] <= '9') p++, digits++;
        if (digits > 9) return 0;
        if (digits == 0) return 1; /* malformed: stb refuses it */
    }
    return 1;
}

/* Frees every block stb still holds (all of them after an assert, the pixels after a decode). */
static void release_all(void)
{
    while (dec.live.l.next != &dec.live) stb_release(dec.live.l.next + 1);
}

/* Takes stb's result out of the list as a plain malloc block (irra_image_free is a plain
 * free() whoever made the image): the pixels move down over the header in place. A copy into a
 * new block instead made glibc return and re-fault the pages of every large image: 1.7x the
 * decode time of a 3-Mpixel JPEG. */
static uint8_t *detach(void *px, size_t bytes)
{
    blk *b = (blk *)px - 1;
    b->l.prev->l.next = b->l.next;
    b->l.next->l.prev = b->l.prev;
    memmove(b, px, bytes);
    uint8_t *q = realloc(b, bytes ? bytes : 1);
    return q ? q : (uint8_t *)b;
}

/* One guarded stb call: the header (info) or the RGB pixels, copied into img. Returns 0, or -1
 * with the message in e. No locals change between setjmp and a longjmp back to it. */
static int decode(const void *data, int n, const char *name, int info, irra_image *img,
                  irra_err *e)
{
    dec.live.l.prev = dec.live.l.next = &dec.live;
    if (setjmp(dec.jb)) {
        release_all();
        return irra_fail(e, "%s: corrupt image (the decoder's check '%s' failed)", name, dec.why);
    }
    int w, h, comp, rc = 0;
    if (info) {
        if (!stbi_info_from_memory(data, n, &w, &h, &comp))
            rc = irra_fail(e, "%s: not an image format we can read (%s)", name,
                           stbi_failure_reason());
    } else {
        unsigned char *px = stbi_load_from_memory(data, n, &w, &h, &comp, 3);
        if (!px) rc = irra_fail(e, "%s: cannot decode image (%s)", name, stbi_failure_reason());
        else img->rgb = detach(px, (size_t)w * h * 3);
    }
    release_all();
    if (rc == 0 && (rc = check_size(name, w, h, e)) == 0) {
        img->w = w;
        img->h = h;
    }
    return rc;
}

int irra_image_load_mem(const void *data, size_t n, const char *name, irra_image *img,
                        irra_err *e)
{
    img->w = img->h = 0;
    img->rgb = NULL;
    if (!name) name = "(memory)";
    if (n == 0) return irra_fail(e, "%s: empty file", name);
    if (n > INT_MAX) return irra_fail(e, "%s: file too large (%zu bytes)", name, n);
    int w, h;
    /* WebP and TIFF: libwebp and libtiff (model/image_formats.c), header first as below */
    int other = irra_image_other_info(data, n, name, &w, &h, e);
    if (other) return other < 0 || check_size(name, w, h, e) ? -1
                                                           : irra_image_other_decode(data, n, name, img, e);
    if (!jpeg_tables_ok(data, n))
        return irra_fail(e, "%s: corrupt JPEG (a Huffman table of over 256 codes)", name);
    if (!pnm_header_ok(data, n))
        return irra_fail(e, "%s: corrupt PNM (a header number of more than 9 digits)", name);
    /* The header first, so a hostile size is refused before stb allocates for it. */
    if (decode(data, (int)n, name, 1, img, e) || decode(data, (int)n, name, 0, img, e)) {
        irra_image_free(img);
        return -1;
    }
    return 0;
}

/* Reads a whole file; refuses directories, unreadable and oversized files. */
static int read_file(const char *path, unsigned char **buf, size_t *n, irra_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return irra_fail(e, "%s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode)) {
        fclose(f);
        return irra_fail(e, "%s: not a regular file", path);
    }
    long size = (long)st.st_size;
    if (size > MAX_FILE_BYTES) {
        fclose(f);
        return irra_fail(e, "%s: file too large for an image (%ld bytes)", path, size);
    }
    *buf = malloc(size ? (size_t)size : 1);
    if (!*buf) {
        fclose(f);
        return irra_fail(e, "%s: out of memory", path);
    }
    *n = fread(*buf, 1, (size_t)size, f);
    int bad = ferror(f) || *n != (size_t)size;
    fclose(f);
    if (bad) {
        free(*buf);
        return irra_fail(e, "%s: read error", path);
    }
    return 0;
}

int irra_image_load(const char *path, irra_image *img, irra_err *e)
{
    img->w = img->h = 0;
    img->rgb = NULL;
    unsigned char *buf = NULL;
    size_t n = 0;
    if (read_file(path, &buf, &n, e)) return -1;
    int rc = irra_image_load_mem(buf, n, path, img, e);
    free(buf);
    return rc;
}

void irra_image_free(irra_image *img)
{
    if (!img) return;
    free(img->rgb);
    img->rgb = NULL;
    img->w = img->h = 0;
}

/* ToTensor then Normalize in float32, in torchvision's order of operations: x/255 first, then
 * (x - mean)/std. With 256 possible inputs per channel a table gives the same bits for free. */
static void normalise(const uint8_t *rgb, int h, int w, float *out)
{
    float lut[3][256];
    for (int c = 0; c < 3; c++)
        for (int v = 0; v < 256; v++) {
            float x = (float)v / 255.0f;
            lut[c][v] = (x - clip_mean[c]) / clip_std[c];
        }
    size_t plane = (size_t)h * w;
    for (size_t i = 0; i < plane; i++)
        for (int c = 0; c < 3; c++) out[c * plane + i] = lut[c][rgb[i * 3 + c]];
}

int irra_image_preprocess(const irra_image *src, int h, int w, float *out, irra_err *e)
{
    if (!src || !src->rgb) return irra_fail(e, "preprocess: no image");
    if (check_size("preprocess target", w, h, e)) return -1;
    if (src->w == w && src->h == h) {
        normalise(src->rgb, h, w, out);
        return 0;
    }
    uint8_t *tmp = malloc((size_t)w * h * 3);
    if (!tmp) return irra_fail(e, "preprocess: out of memory for %d x %d", w, h);
    int rc = irra_image_resize(src, w, h, tmp, e);
    if (rc == 0) normalise(tmp, h, w, out);
    free(tmp);
    return rc;
}

int irra_image_load_input(const char *path, int h, int w, float *out, irra_err *e)
{
    irra_image img;
    if (irra_image_load(path, &img, e)) return -1;
    int rc = irra_image_preprocess(&img, h, w, out, e);
    irra_image_free(&img);
    return rc;
}
