#include "train/fmnist.h"

#include <libdeflate.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Large enough for the 60,000-image training set with room to spare; a header claiming more is
 * not Fashion-MNIST and is refused before any allocation. */
#define MAX_IMAGES 1000000

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads a whole gzip file and inflates it with libdeflate, three times zlib's speed: the 26 MB
 * training set was most of synth's start-up. The gzip trailer's size field sizes the output;
 * it is untrusted, so it is checked against max (the largest file we accept) before the
 * allocation, and the stream must end exactly at the end of the file. Returns the bytes
 * (free them) and their count in *n, or NULL with e set. */
static uint8_t *read_gz(const char *path, size_t max, size_t *n, irra_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        irra_fail(e, "%s: cannot open", path);
        return NULL;
    }
    uint8_t *in = NULL, *out = NULL;
    long len = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (len < 18 || (size_t)len > max || fseek(f, 0, SEEK_SET)) {
        irra_fail(e, "%s: truncated or not gzip", path);
    } else if (!(in = malloc((size_t)len))) {
        irra_fail(e, "%s: out of memory", path);
    } else if (fread(in, 1, (size_t)len, f) != (size_t)len) {
        irra_fail(e, "%s: read error", path);
    } else {
        const uint8_t *t = in + len - 4;
        size_t size = (size_t)t[0] | (size_t)t[1] << 8 | (size_t)t[2] << 16 | (size_t)t[3] << 24;
        struct libdeflate_decompressor *z = libdeflate_alloc_decompressor();
        size_t used = 0;
        if (size > max) irra_fail(e, "%s: more than %zu bytes uncompressed", path, max);
        else if (!z || !(out = malloc(size ? size : 1))) irra_fail(e, "%s: out of memory", path);
        else if (libdeflate_gzip_decompress_ex(z, in, (size_t)len, out, size, &used, n) !=
                     LIBDEFLATE_SUCCESS || used != (size_t)len || *n != size) {
            irra_fail(e, "%s: truncated or not gzip", path);
            free(out);
            out = NULL;
        }
        if (z) libdeflate_free_decompressor(z);
    }
    free(in);
    fclose(f);
    return out;
}

/* Checks an IDX header (type 0x08 = unsigned byte, `dims` dimensions) at the start of the n
 * bytes of buf and returns the dimension sizes in dim[]. */
static int idx_header(const uint8_t *buf, size_t n, int dims, uint32_t *dim, const char *path,
                      irra_err *e)
{
    if (n < 4 + 4 * (size_t)dims) return irra_fail(e, "%s: truncated or not gzip", path);
    if (buf[0] || buf[1] || buf[2] != 0x08 || buf[3] != dims)
        return irra_fail(e, "%s: not an IDX file of %d-dimensional unsigned bytes", path, dims);
    for (int d = 0; d < dims; d++) dim[d] = be32(buf + 4 + 4 * d);
    return 0;
}

/* The IDX payload must be exactly `want` bytes after the header of `head` bytes. */
static int payload_size(size_t n, size_t head, size_t want, const char *what, const char *path,
                        irra_err *e)
{
    if (n - head < want) return irra_fail(e, "%s: truncated or not gzip", path);
    if (n - head > want) return irra_fail(e, "%s: bytes after the last %s", path, what);
    return 0;
}

static int load_labels(syn_fmnist *fm, const char *path, irra_err *e)
{
    uint32_t dim[1];
    size_t n;
    uint8_t *buf = read_gz(path, 8 + MAX_IMAGES, &n, e);
    if (!buf) return -1;
    int rc = idx_header(buf, n, 1, dim, path, e);
    if (!rc && dim[0] != (uint32_t)fm->n)
        rc = irra_fail(e, "%s: %u labels for %d images", path, dim[0], fm->n);
    if (!rc) rc = payload_size(n, 8, (size_t)fm->n, "label", path, e);
    for (int i = 0; rc == 0 && i < fm->n; i++)
        if (buf[8 + i] >= SYN_FMNIST_CLASSES)
            rc = irra_fail(e, "%s: label %d of item %d is not a class", path, buf[8 + i], i);
    if (!rc) {
        memmove(buf, buf + 8, (size_t)fm->n);
        fm->labels = buf;
    } else {
        free(buf);
    }
    return rc;
}

static int load_images(syn_fmnist *fm, const char *path, irra_err *e)
{
    enum { HEAD = 16, PX = SYN_FMNIST_SIDE * SYN_FMNIST_SIDE };
    uint32_t dim[3];
    size_t n;
    uint8_t *buf = read_gz(path, HEAD + (size_t)MAX_IMAGES * PX, &n, e);
    if (!buf) return -1;
    int rc = idx_header(buf, n, 3, dim, path, e);
    if (!rc && (dim[1] != SYN_FMNIST_SIDE || dim[2] != SYN_FMNIST_SIDE))
        rc = irra_fail(e, "%s: images are %ux%u, not 28x28", path, dim[1], dim[2]);
    if (!rc && (dim[0] == 0 || dim[0] > MAX_IMAGES))
        rc = irra_fail(e, "%s: %u images (expected 1 to %d)", path, dim[0], MAX_IMAGES);
    if (!rc) rc = payload_size(n, HEAD, (size_t)dim[0] * PX, "image", path, e);
    if (!rc) {
        memmove(buf, buf + HEAD, (size_t)dim[0] * PX);
        fm->pixels = buf;
        fm->n = (int)dim[0];
    } else {
        free(buf);
    }
    return rc;
}

static int index_classes(syn_fmnist *fm, irra_err *e)
{
    for (int i = 0; i < fm->n; i++) fm->count[fm->labels[i]]++;
    for (int c = 0; c < SYN_FMNIST_CLASSES; c++) {
        if (fm->count[c] == 0) return irra_fail(e, "fashion-mnist: no item of class %d", c);
        if (!(fm->by_class[c] = malloc(sizeof(int) * (size_t)fm->count[c])))
            return irra_fail(e, "fashion-mnist: out of memory");
        fm->count[c] = 0;
    }
    for (int i = 0; i < fm->n; i++) fm->by_class[fm->labels[i]][fm->count[fm->labels[i]]++] = i;
    return 0;
}

int syn_fmnist_load(syn_fmnist *fm, const char *dir, const char *prefix, irra_err *e)
{
    memset(fm, 0, sizeof *fm);
    char path[4096];
    snprintf(path, sizeof path, "%s/%s-images-idx3-ubyte.gz", dir, prefix);
    if (load_images(fm, path, e) < 0) goto fail;
    snprintf(path, sizeof path, "%s/%s-labels-idx1-ubyte.gz", dir, prefix);
    if (load_labels(fm, path, e) < 0 || index_classes(fm, e) < 0) goto fail;
    return 0;
fail:
    syn_fmnist_free(fm);
    return -1;
}

void syn_fmnist_free(syn_fmnist *fm)
{
    free(fm->pixels);
    free(fm->labels);
    for (int c = 0; c < SYN_FMNIST_CLASSES; c++) free(fm->by_class[c]);
    memset(fm, 0, sizeof *fm);
}
