/* Writing a safetensors file (format in safetensors.c). The data are laid out by element size,
 * largest first, so that with the 8-byte-aligned data start every tensor is aligned to its
 * element size; the header lists tensors in the caller's order. */
#include "model/atomic_file.h"
#include "model/tensors_io.h"

#include <json-c/json.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int is_float(irra_dtype d) { return d == IRRA_F32 || d == IRRA_F16 || d == IRRA_BF16; }

static irra_dtype out_dtype(const irra_tensor *t, irra_dtype want)
{
    return is_float(t->dtype) ? want : t->dtype;
}

static int to_file(void *f, const void *p, size_t n)
{
    return fwrite(p, 1, n, f) == n ? 0 : -1;
}

/* Data order: a stable sort by output element size, largest first. */
static int *data_order(const irra_tensor *t, int n, irra_dtype want)
{
    int *ord = malloc(((size_t)n + 1) * sizeof *ord), k = 0;
    if (!ord) return NULL;
    for (size_t sz = 8; sz >= 1; sz /= 2)
        for (int i = 0; i < n; i++)
            if (irra_dtype_size(out_dtype(&t[i], want)) == sz) ord[k++] = i;
    return ord;
}

static struct json_object *header(const irra_tensor *t, int n, irra_dtype want, const int *ord,
                                  const char *const *mk, const char *const *mv, int nmeta)
{
    struct json_object *h = json_object_new_object(), *meta = NULL;
    int64_t *begin = malloc(((size_t)n + 1) * sizeof *begin), at = 0;
    if (!h || !begin) goto fail;
    for (int k = 0; k < n; k++) {
        int i = ord[k];
        begin[i] = at;
        at += irra_tensor_numel(&t[i]) * (int64_t)irra_dtype_size(out_dtype(&t[i], want));
    }
    if (nmeta) {
        if (!(meta = json_object_new_object())) goto fail;
        json_object_object_add(h, "__metadata__", meta);
        for (int i = 0; i < nmeta; i++)
            json_object_object_add(meta, mk[i], json_object_new_string(mv[i]));
    }
    for (int i = 0; i < n; i++) {
        irra_dtype d = out_dtype(&t[i], want);
        struct json_object *o = json_object_new_object(), *shape = json_object_new_array(),
                           *offs = json_object_new_array();
        if (!o || !shape || !offs) goto fail;
        for (int k = 0; k < t[i].ndim; k++)
            json_object_array_add(shape, json_object_new_int64(t[i].shape[k]));
        int64_t end = begin[i] + irra_tensor_numel(&t[i]) * (int64_t)irra_dtype_size(d);
        json_object_array_add(offs, json_object_new_int64(begin[i]));
        json_object_array_add(offs, json_object_new_int64(end));
        json_object_object_add(o, "dtype", json_object_new_string(irra_dtype_name(d)));
        json_object_object_add(o, "shape", shape);
        json_object_object_add(o, "data_offsets", offs);
        json_object_object_add(h, t[i].name, o);
    }
    free(begin);
    return h;
fail:
    free(begin);
    json_object_put(h);
    return NULL;
}

static int check_input(const char *path, const irra_tensor *t, int n, irra_dtype dtype,
                       irra_err *e)
{
    if (dtype != IRRA_F32 && dtype != IRRA_F16)
        return irra_fail(e, "%s: safetensors output dtype must be F32 or F16", path);
    for (int i = 0; i < n; i++) {
        if (t[i].ndim < 0 || t[i].ndim > IRRA_MAX_DIMS || irra_tensor_numel(&t[i]) < 0)
            return irra_fail(e, "%s: tensor '%s' has a bad shape", path, t[i].name);
        if (!strcmp(t[i].name, "__metadata__"))
            return irra_fail(e, "%s: a tensor may not be called __metadata__", path);
        for (int j = 0; j < i; j++)
            if (!strcmp(t[i].name, t[j].name))
                return irra_fail(e, "%s: tensor '%s' given twice", path, t[i].name);
    }
    return 0;
}

/* Writes header and data to f. */
static int write_all(FILE *f, const irra_tensor *t, int n, irra_dtype dtype,
                     const char *const *mk, const char *const *mv, int nmeta)
{
    int rc = -1, *ord = data_order(t, n, dtype);
    struct json_object *h = ord ? header(t, n, dtype, ord, mk, mv, nmeta) : NULL;
    if (h) {
        size_t len;
        const char *js = json_object_to_json_string_length(
            h, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
        size_t pad = (8 - len % 8) % 8;
        uint8_t hl[8];
        for (int i = 0; i < 8; i++) hl[i] = (uint8_t)((len + pad) >> (8 * i));
        rc = js && fwrite(hl, 1, 8, f) == 8 && fwrite(js, 1, len, f) == len &&
                     fwrite("        ", 1, pad, f) == pad ? 0 : -1;
        for (int k = 0; k < n && !rc; k++)
            rc = irra_tensor_stream(&t[ord[k]], out_dtype(&t[ord[k]], dtype), to_file, f);
    }
    json_object_put(h);
    free(ord);
    return rc;
}

int irra_safetensors_write(const char *path, const irra_tensor *t, int n, irra_dtype dtype,
                           const char *const *meta_key, const char *const *meta_val, int nmeta,
                           irra_err *e)
{
    if (check_input(path, t, n, dtype, e)) return -1;
    irra_atomic a;
    if (irra_atomic_open(&a, path, e)) return -1;
    errno = 0;
    int failed = write_all(a.f, t, n, dtype, meta_key, meta_val, nmeta) ? (errno ? errno : -1) : 0;
    return irra_atomic_commit(&a, failed, e);
}
