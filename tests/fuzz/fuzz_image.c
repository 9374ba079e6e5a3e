/* Image decoding and thumbnails (model/image.c with the stb_image compiled into it,
 * model/resize.c, gallery/thumb.c): every format stb reads, then IRRA's resize and
 * normalisation to a small input and the gallery's JPEG thumbnail of what decoded. Seeds: tiny
 * images from stb_image_write in every format it writes, a PPM, and tests/fuzz/seeds/image/
 * (Pillow's progressive and grey JPEGs). */
#define FUZZ_SEEDS make_seeds
#include "gallery/thumb.h"
#include "model/image.h"
#include "tests/fuzz/fuzz.h"

#include <stb_image_write.h>

typedef struct {
    uint8_t buf[8192];
    size_t n;
} sink;

static void put(void *ctx, void *data, int size)
{
    sink *s = ctx;
    if (s->n + (size_t)size <= sizeof s->buf) memcpy(s->buf + s->n, data, (size_t)size), s->n += (size_t)size;
}

static void make_seeds(const char *dir)
{
    enum { W = 9, H = 7 };
    uint8_t px[H][W][4];
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++)
            px[y][x][0] = (uint8_t)(x * 28), px[y][x][1] = (uint8_t)(y * 36), px[y][x][2] = (uint8_t)(x ^ y) * 16,
            px[y][x][3] = (uint8_t)(255 - x * 10);
    int k = 0;
    for (int comp = 1; comp <= 4; comp += 1) {
        sink s = {.n = 0};
        stbi_write_png_to_func(put, &s, W, H, comp, px, W * 4), fuzz_seed(dir, k++, s.buf, s.n);
        s.n = 0, stbi_write_bmp_to_func(put, &s, W, H, comp, px), fuzz_seed(dir, k++, s.buf, s.n);
        s.n = 0, stbi_write_tga_to_func(put, &s, W, H, comp, px), fuzz_seed(dir, k++, s.buf, s.n);
        s.n = 0, stbi_write_jpg_to_func(put, &s, W, H, comp, px, 80), fuzz_seed(dir, k++, s.buf, s.n);
    }
    static const char ppm[] = "P6\n3 2\n255\n\xff\0\0\0\xff\0\0\0\xff\xff\xff\0\x80\x80\x80\0\0\0";
    fuzz_seed(dir, k++, ppm, sizeof ppm - 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    irra_image img;
    irra_err e;
    if (irra_image_load_mem(data, n, "fuzz.img", &img, &e)) return 0;
    fuzz_touch(img.rgb, (size_t)img.w * img.h * 3);
    /* 94 bytes of TGA decode to 2048 x 9216 (0.6 s, within the decoder's limits); resized under
     * ASan that takes 10 s, libFuzzer's timeout. Resize and thumbnail paths do not depend on
     * the size past a few pixels, so large images stop at decoding. */
    if ((long)img.w * img.h > 1L << 20) {
        irra_image_free(&img);
        return 0;
    }
    static float in[3 * 24 * 8];
    irra_image_preprocess(&img, 24, 8, in, &e);
    uint8_t *jpeg;
    size_t nj;
    if (gal_thumbnail(&img, &jpeg, &nj, &e) == 0) free(jpeg);
    irra_image_free(&img);
    return 0;
}
