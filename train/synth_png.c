/* stb_image_write builds the PNG (chunks, CRCs, row filters) but its own deflate spends 30 ms
 * on a 384x128 photo; STBIW_ZLIB_COMPRESS hands the deflate to zlib at its fastest level,
 * coding Huffman only (the up filter already removed what LZ77 would find), which makes the
 * file in about a millisecond. Compiling stb_image_write here (static, so no
 * symbol meets Debian's libstb) is the documented way to plug that in. */
#include "train/synth_png.h"

#include <stdlib.h>
#include <zlib.h>

static unsigned char *deflate_fast(unsigned char *data, int len, int *out_len, int quality);

#define STB_IMAGE_WRITE_STATIC
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STBIW_ZLIB_COMPRESS deflate_fast
#define STBI_WRITE_NO_STDIO
/* Left on for the whole file: GCC reports unused statics (and stb's declared-but-undefined
 * stbi_write_hdr_to_func) at its end. */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#pragma GCC diagnostic ignored "-Wsign-compare"
#include <stb_image_write.h>

#include <stdio.h>

static unsigned char *deflate_fast(unsigned char *data, int len, int *out_len, int quality)
{
    (void)quality;
    z_stream z = {0};
    if (len < 0 || deflateInit2(&z, 1, Z_DEFLATED, 15, 9, Z_HUFFMAN_ONLY) != Z_OK) return NULL;
    uLong cap = deflateBound(&z, (uLong)len);
    unsigned char *out = malloc(cap);
    if (!out) {
        deflateEnd(&z);
        return NULL;
    }
    z.next_in = data;
    z.avail_in = (uInt)len;
    z.next_out = out;
    z.avail_out = (uInt)cap;
    int rc = deflate(&z, Z_FINISH);
    *out_len = (int)z.total_out;
    deflateEnd(&z);
    if (rc != Z_STREAM_END) {
        free(out);
        return NULL;
    }
    return out;
}

/* The "up" filter alone compresses these smooth pictures about as well as trying all five per
 * row, for a fraction of the time. Set once at load: the setting is this file's own copy of
 * stb, and threads only read it. */
__attribute__((constructor)) static void use_up_filter(void) { stbi_write_force_png_filter = 2; }

static void to_file(void *ctx, void *data, int size)
{
    FILE *f = ctx;
    if (size > 0) fwrite(data, 1, (size_t)size, f);
}

int syn_write_png(const char *path, int w, int h, const uint8_t *rgb)
{
    FILE *f = fopen(path, "wb");
    if (!f) return -1;
    int ok = stbi_write_png_to_func(to_file, f, w, h, 3, rgb, w * 3);
    ok &= !ferror(f);
    ok &= fclose(f) == 0;
    return ok ? 0 : -1;
}
