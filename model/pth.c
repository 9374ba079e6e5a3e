/* The torch.save zip container (spec 7.1, 7.3) as a tensor set: data.pkl gives names, storage
 * keys, offsets, sizes and strides; data/<key> holds the bytes, which we point into. */
#include "model/pickle.h"
#include "model/tensors_io.h"
#include "model/zip.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* data.pkl of a real checkpoint is ~100 KB; value counts are bounded in pickle.c */
#define MAX_PICKLE_BYTES (1u << 30)
/* IRRA has 367 tensors; a pickle can name one tensor millions of times in a few bytes each */
#define MAX_TENSORS 65536

/* The state dict: root['model'], root['state_dict'], or the root itself. */
static int state_dict(const irra_pickle *pk, const char *path, irra_err *e)
{
    if (pk->v[pk->root].kind != IRRA_PK_DICT)
        return irra_fail(e, "%s: checkpoint does not hold a dict", path);
    static const char *const keys[] = {"model", "state_dict"};
    for (int i = 0; i < 2; i++) {
        int d = irra_pickle_dict_get(pk, pk->root, keys[i]);
        if (d >= 0 && pk->v[d].kind == IRRA_PK_DICT) return d;
    }
    return pk->root;
}

/* Checks that every element the tensor can address lies in its storage entry, and points
 * t->data at element [0,...,0]. */
static int place(irra_tensor *t, const irra_pk_tensor *pt, const irra_pk_storage *s,
                 const irra_zip *z, const char *path, irra_err *e)
{
    char entry[300];
    snprintf(entry, sizeof entry, "data/%s", s->key);
    const irra_zip_entry *ze = irra_zip_find(z, entry);
    if (!ze) return irra_fail(e, "%s: tensor '%s': storage entry '%s' missing", path, t->name, entry);
    const uint8_t *bytes_at = irra_zip_data(z, ze, e);
    if (!bytes_at) return -1;
    uint64_t bytes;
    if (__builtin_mul_overflow((uint64_t)s->numel, (uint64_t)s->elsize, &bytes) || bytes > ze->size)
        return irra_fail(e, "%s: tensor '%s': storage '%s' claims %lld elements of %zu bytes but "
                         "holds %llu bytes", path, t->name, s->key, (long long)s->numel, s->elsize,
                         (unsigned long long)ze->size);
    int64_t numel = irra_shape_numel(pt->shape, pt->ndim);
    if (numel < 0) return irra_fail(e, "%s: tensor '%s': shape overflows", path, t->name);
    t->data = bytes_at;
    if (numel == 0) return 0;
    /* the last addressable element: offset + sum (size_k - 1) * stride_k */
    int64_t last = pt->offset;
    for (int k = 0; k < pt->ndim; k++) {
        int64_t span;
        if (__builtin_mul_overflow(pt->shape[k] - 1, pt->stride[k], &span) ||
            __builtin_add_overflow(last, span, &last))
            return irra_fail(e, "%s: tensor '%s': strides overflow", path, t->name);
    }
    if (last >= s->numel)
        return irra_fail(e, "%s: tensor '%s' reaches element %lld of a %lld-element storage",
                         path, t->name, (long long)last, (long long)s->numel);
    t->data = bytes_at + (size_t)pt->offset * s->elsize;
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(**(char *const *const *)a, **(char *const *const *)b);
}

/* Refuses duplicate names (a valid pickle never repeats a key; a hostile one could). */
static int check_unique(const irra_tensors *ts, irra_err *e)
{
    char **names = malloc((size_t)ts->n * sizeof *names), ***ptrs = NULL;
    ptrs = malloc((size_t)ts->n * sizeof *ptrs);
    if (!names || !ptrs) {
        free(names), free(ptrs);
        return irra_fail(e, "%s: out of memory", ts->path);
    }
    for (int i = 0; i < ts->n; i++) names[i] = ts->t[i].name, ptrs[i] = &names[i];
    qsort(ptrs, (size_t)ts->n, sizeof *ptrs, by_name);
    int rc = 0;
    for (int i = 1; i < ts->n && !rc; i++)
        if (!strcmp(*ptrs[i], *ptrs[i - 1]))
            rc = irra_fail(e, "%s: tensor '%s' appears twice", ts->path, *ptrs[i]);
    free(names), free(ptrs);
    return rc;
}

/* Collects the tensor values of dict d, stripping "module." when every key has it. */
static int collect(irra_tensors *ts, const irra_pickle *pk, int d, const irra_zip *z, irra_err *e)
{
    const irra_pk_val *dict = &pk->v[d];
    int npairs = dict->n / 2, strip = 1, count = 0;
    for (int i = 0; i < npairs; i++) {
        const irra_pk_val *k = &pk->v[dict->u.item[2 * i]], *v = &pk->v[dict->u.item[2 * i + 1]];
        if (v->kind != IRRA_PK_TENSOR) continue;
        if (k->kind != IRRA_PK_STR)
            return irra_fail(e, "%s: state dict has a tensor under a non-string key", ts->path);
        strip &= !strncmp(k->u.s, "module.", 7);
        count++;
    }
    if (!count) return irra_fail(e, "%s: no tensors in the checkpoint's state dict", ts->path);
    if (count > MAX_TENSORS)
        return irra_fail(e, "%s: %d tensors in the state dict (at most %d)", ts->path, count,
                         MAX_TENSORS);
    if (!(ts->t = calloc((size_t)count, sizeof *ts->t)))
        return irra_fail(e, "%s: out of memory", ts->path);
    for (int i = 0; i < npairs; i++) {
        const irra_pk_val *k = &pk->v[dict->u.item[2 * i]], *v = &pk->v[dict->u.item[2 * i + 1]];
        if (v->kind != IRRA_PK_TENSOR) continue;
        const irra_pk_tensor *pt = &pk->t[v->aux];
        const irra_pk_storage *s = &pk->st[pt->storage];
        irra_tensor *t = &ts->t[ts->n];
        if (!(t->name = strdup(k->u.s + (strip ? 7 : 0))))
            return irra_fail(e, "%s: out of memory", ts->path);
        ts->n++;
        if (s->dtype < 0)
            return irra_fail(e, "%s: tensor '%s' has unsupported storage type %s", ts->path,
                             t->name, s->cls);
        t->dtype = (irra_dtype)s->dtype;
        t->ndim = pt->ndim;
        memcpy(t->shape, pt->shape, sizeof t->shape);
        memcpy(t->stride, pt->stride, sizeof t->stride);
        if (place(t, pt, s, z, ts->path, e)) return -1;
    }
    return check_unique(ts, e);
}

/* torch >= 2.1 records the writer's byte order; older files are little-endian. Returns 1 when
 * the storages are little-endian (or unmarked), else 0 with a message. */
static int little_endian(const irra_zip *z, const char *path, irra_err *e)
{
    const irra_zip_entry *bo = irra_zip_find(z, "byteorder");
    if (!bo) return 1;
    const uint8_t *d = irra_zip_data(z, bo, e);
    if (!d) return 0;
    if (bo->size == 6 && !memcmp(d, "little", 6)) return 1;
    irra_fail(e, "%s: storages are not little-endian (byteorder '%.*s')", path,
              (int)(bo->size < 16 ? bo->size : 16), (const char *)d);
    return 0;
}

static int read_archive(irra_tensors *ts, const irra_zip *z, irra_err *e)
{
    const irra_zip_entry *pkl = irra_zip_find(z, "data.pkl");
    if (!pkl)
        return irra_fail(e, "%s: no %s/data.pkl in the zip archive (not a torch checkpoint)",
                         ts->path, z->prefix);
    if (!irra_zip_find(z, "version") && !irra_zip_find(z, ".data/version"))
        return irra_fail(e, "%s: no %s/version in the zip archive (not a torch checkpoint)",
                         ts->path, z->prefix);
    if (!little_endian(z, ts->path, e)) return -1;
    if (pkl->size > MAX_PICKLE_BYTES)
        return irra_fail(e, "%s: data.pkl is implausibly large", ts->path);
    const uint8_t *data = irra_zip_data(z, pkl, e);
    irra_pickle pk;
    if (!data || irra_pickle_load(&pk, data, pkl->size, ts->path, e)) return -1;
    int d = state_dict(&pk, ts->path, e);
    int rc = d < 0 ? -1 : collect(ts, &pk, d, z, e);
    irra_pickle_free(&pk);
    return rc;
}

int irra_pth_read(irra_tensors *ts, int fd, irra_err *e)
{
    irra_zip z;
    if (irra_zip_open(&z, ts->map, ts->map_len, fd, ts->path, e)) return -1;
    int rc = read_archive(ts, &z, e);
    irra_zip_free(&z);
    return rc;
}
