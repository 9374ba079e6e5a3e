#include "train/fmnist.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

/* Large enough for the 60,000-image training set with room to spare; a header claiming more is
 * not Fashion-MNIST and is refused before any allocation. */
#define MAX_IMAGES 1000000

static uint32_t be32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Reads exactly n bytes, or fails naming the file. */
static int read_exact(gzFile f, void *buf, size_t n, const char *path, irra_err *e)
{
    uint8_t *p = buf;
    while (n > 0) {
        unsigned chunk = n > (1u << 30) ? 1u << 30 : (unsigned)n;
        int got = gzread(f, p, chunk);
        if (got <= 0) return irra_fail(e, "%s: truncated or not gzip", path);
        p += got;
        n -= (size_t)got;
    }
    return 0;
}

static int at_eof(gzFile f)
{
    uint8_t extra;
    return gzread(f, &extra, 1) == 0;
}

/* Opens an IDX file, checks its magic (type 0x08 = unsigned byte, `dims` dimensions) and returns
 * the dimension sizes in dim[]. */
static gzFile open_idx(const char *path, int dims, uint32_t *dim, irra_err *e)
{
    gzFile f = gzopen(path, "rb");
    if (!f) {
        irra_fail(e, "%s: cannot open", path);
        return NULL;
    }
    uint8_t head[16];
    if (read_exact(f, head, 4 + 4 * (size_t)dims, path, e) < 0) {
        gzclose(f);
        return NULL;
    }
    if (head[0] || head[1] || head[2] != 0x08 || head[3] != dims) {
        irra_fail(e, "%s: not an IDX file of %d-dimensional unsigned bytes", path, dims);
        gzclose(f);
        return NULL;
    }
    for (int d = 0; d < dims; d++) dim[d] = be32(head + 4 + 4 * d);
    return f;
}

static int load_labels(syn_fmnist *fm, const char *path, irra_err *e)
{
    uint32_t dim[1];
    gzFile f = open_idx(path, 1, dim, e);
    if (!f) return -1;
    int rc = -1;
    if (dim[0] != (uint32_t)fm->n) {
        irra_fail(e, "%s: %u labels for %d images", path, dim[0], fm->n);
    } else if (!(fm->labels = malloc((size_t)fm->n))) {
        irra_fail(e, "%s: out of memory", path);
    } else if (read_exact(f, fm->labels, (size_t)fm->n, path, e) == 0) {
        if (!at_eof(f)) irra_fail(e, "%s: bytes after the last label", path);
        else rc = 0;
        for (int i = 0; rc == 0 && i < fm->n; i++)
            if (fm->labels[i] >= SYN_FMNIST_CLASSES)
                rc = irra_fail(e, "%s: label %d of item %d is not a class", path, fm->labels[i], i);
    }
    gzclose(f);
    return rc;
}

static int load_images(syn_fmnist *fm, const char *path, irra_err *e)
{
    uint32_t dim[3];
    gzFile f = open_idx(path, 3, dim, e);
    if (!f) return -1;
    int rc = -1;
    size_t side = SYN_FMNIST_SIDE;
    if (dim[1] != side || dim[2] != side) {
        irra_fail(e, "%s: images are %ux%u, not 28x28", path, dim[1], dim[2]);
    } else if (dim[0] == 0 || dim[0] > MAX_IMAGES) {
        irra_fail(e, "%s: %u images (expected 1 to %d)", path, dim[0], MAX_IMAGES);
    } else if (!(fm->pixels = malloc((size_t)dim[0] * side * side))) {
        irra_fail(e, "%s: out of memory", path);
    } else {
        fm->n = (int)dim[0];
        if (read_exact(f, fm->pixels, (size_t)fm->n * side * side, path, e) == 0) {
            if (at_eof(f)) rc = 0;
            else irra_fail(e, "%s: bytes after the last image", path);
        }
    }
    gzclose(f);
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
