/* The safetensors format: an 8-byte little-endian header length N, N bytes of JSON
 * {"name": {"dtype", "shape", "data_offsets": [begin, end]}, "__metadata__": {str: str}}, then
 * the data, with offsets relative to its start. We follow the reference implementation's rules:
 * tensors tile the data exactly (no overlap, no hole, nothing after). */
#include "model/tensors_io.h"

#include <json-c/json.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the reference implementation's limit on the header */
#define MAX_HEADER (100u << 20)

static int dtype_from_name(const char *s)
{
    for (int d = IRRA_F32; d <= IRRA_U8; d++)
        if (!strcmp(s, irra_dtype_name((irra_dtype)d))) return d;
    return -1;
}

static int get_uint(struct json_object *o, int64_t *out)
{
    if (!json_object_is_type(o, json_type_int)) return -1;
    errno = 0;
    int64_t v = json_object_get_int64(o);
    if (v < 0 || errno || v == INT64_MAX) return -1;
    *out = v;
    return 0;
}

static int read_meta(irra_tensors *ts, struct json_object *m, irra_err *e)
{
    if (!json_object_is_type(m, json_type_object))
        return irra_fail(e, "%s: __metadata__ is not an object", ts->path);
    int n = json_object_object_length(m);
    ts->meta_key = calloc((size_t)n + 1, sizeof(char *));
    ts->meta_val = calloc((size_t)n + 1, sizeof(char *));
    if (!ts->meta_key || !ts->meta_val) return irra_fail(e, "%s: out of memory", ts->path);
    json_object_object_foreach(m, k, v) {
        if (!json_object_is_type(v, json_type_string))
            return irra_fail(e, "%s: __metadata__ value '%s' is not a string", ts->path, k);
        ts->meta_key[ts->nmeta] = strdup(k);
        ts->meta_val[ts->nmeta] = strdup(json_object_get_string(v));
        if (!ts->meta_key[ts->nmeta++] || !ts->meta_val[ts->nmeta - 1])
            return irra_fail(e, "%s: out of memory", ts->path);
    }
    return 0;
}

/* One header entry; *begin, *end are its data offsets (checked against data_len). */
static int read_entry(irra_tensors *ts, const char *name, struct json_object *o,
                      const uint8_t *data, uint64_t data_len, int64_t *begin, int64_t *end,
                      irra_err *e)
{
    irra_tensor *t = &ts->t[ts->n];
    if (!(t->name = strdup(name))) return irra_fail(e, "%s: out of memory", ts->path);
    ts->n++;
    struct json_object *dt, *shape, *offs;
    if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, "dtype", &dt) ||
        !json_object_object_get_ex(o, "shape", &shape) ||
        !json_object_object_get_ex(o, "data_offsets", &offs) ||
        !json_object_is_type(dt, json_type_string) || !json_object_is_type(shape, json_type_array) ||
        !json_object_is_type(offs, json_type_array) || json_object_array_length(offs) != 2)
        return irra_fail(e, "%s: tensor '%s': header entry needs dtype, shape, data_offsets",
                         ts->path, name);
    int d = dtype_from_name(json_object_get_string(dt));
    if (d < 0)
        return irra_fail(e, "%s: tensor '%s': unsupported dtype '%s'", ts->path, name,
                         json_object_get_string(dt));
    t->dtype = (irra_dtype)d;
    size_t nd = json_object_array_length(shape);
    if (nd > IRRA_MAX_DIMS)
        return irra_fail(e, "%s: tensor '%s': more than %d dimensions", ts->path, name,
                         IRRA_MAX_DIMS);
    t->ndim = (int)nd;
    for (size_t k = 0; k < nd; k++)
        if (get_uint(json_object_array_get_idx(shape, k), &t->shape[k]))
            return irra_fail(e, "%s: tensor '%s': bad shape", ts->path, name);
    if (get_uint(json_object_array_get_idx(offs, 0), begin) ||
        get_uint(json_object_array_get_idx(offs, 1), end) || *begin > *end ||
        (uint64_t)*end > data_len)
        return irra_fail(e, "%s: tensor '%s': data_offsets out of range", ts->path, name);
    int64_t numel = irra_shape_numel(t->shape, t->ndim), bytes;
    if (numel < 0 || __builtin_mul_overflow(numel, (int64_t)irra_dtype_size(t->dtype), &bytes) ||
        bytes != *end - *begin)
        return irra_fail(e, "%s: tensor '%s': shape and dtype need %s bytes, data_offsets give %lld",
                         ts->path, name, numel < 0 ? "too many" : "a different number of",
                         (long long)(*end - *begin));
    irra_set_contiguous_strides(t);
    t->data = data + *begin;
    return 0;
}

typedef struct {
    int64_t begin, end;
    int i;
} span;

static int by_begin(const void *a, const void *b)
{
    const span *x = a, *y = b;
    return x->begin != y->begin ? (x->begin > y->begin) - (x->begin < y->begin)
                                : (x->end > y->end) - (x->end < y->end);
}

/* The entries must tile [0, data_len) exactly. */
static int check_tiling(const irra_tensors *ts, span *sp, uint64_t data_len, irra_err *e)
{
    qsort(sp, (size_t)ts->n, sizeof *sp, by_begin);
    int64_t at = 0;
    for (int i = 0; i < ts->n; i++) {
        if (sp[i].begin != at)
            return irra_fail(e, "%s: tensor '%s': data_offsets %s", ts->path, ts->t[sp[i].i].name,
                             sp[i].begin < at ? "overlap another tensor" : "leave a gap in the data");
        at = sp[i].end;
    }
    if ((uint64_t)at != data_len)
        return irra_fail(e, "%s: %llu bytes of data after the last tensor", ts->path,
                         (unsigned long long)(data_len - (uint64_t)at));
    return 0;
}

static int read_header(irra_tensors *ts, struct json_object *h, const uint8_t *data,
                       uint64_t data_len, irra_err *e)
{
    if (!json_object_is_type(h, json_type_object))
        return irra_fail(e, "%s: safetensors header is not a JSON object", ts->path);
    int n = json_object_object_length(h);
    ts->t = calloc((size_t)n + 1, sizeof *ts->t);
    span *sp = calloc((size_t)n + 1, sizeof *sp);
    if (!ts->t || !sp) {
        free(sp);
        return irra_fail(e, "%s: out of memory", ts->path);
    }
    int rc = 0;
    json_object_object_foreach(h, k, v) {
        if (!strcmp(k, "__metadata__")) rc = read_meta(ts, v, e);
        else {
            sp[ts->n].i = ts->n;
            rc = read_entry(ts, k, v, data, data_len, &sp[ts->n].begin, &sp[ts->n].end, e);
        }
        if (rc) break;
    }
    if (!rc) rc = check_tiling(ts, sp, data_len, e);
    free(sp);
    return rc;
}

int irra_safetensors_read(irra_tensors *ts, irra_err *e)
{
    const uint8_t *b = ts->map;
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--) hlen = hlen << 8 | b[i];
    if (hlen > ts->map_len - 8)
        return irra_fail(e, "%s: not a torch checkpoint or safetensors file (header length %llu "
                         "exceeds the file)", ts->path, (unsigned long long)hlen);
    if (hlen > MAX_HEADER || hlen < 2 || b[8] != '{')
        return irra_fail(e, "%s: not a torch checkpoint or safetensors file", ts->path);
    struct json_tokener *tok = json_tokener_new_ex(8);
    if (!tok) return irra_fail(e, "%s: out of memory", ts->path);
    struct json_object *h = json_tokener_parse_ex(tok, (const char *)b + 8, (int)hlen);
    size_t end = json_tokener_get_parse_end(tok);
    enum json_tokener_error jerr = json_tokener_get_error(tok);
    int rc;
    if (!h || jerr != json_tokener_success) {
        rc = irra_fail(e, "%s: safetensors header: bad JSON (%s)", ts->path,
                       jerr == json_tokener_continue ? "unexpected end of header"
                                                     : json_tokener_error_desc(jerr));
    } else {
        size_t i = end; /* the reference writer pads the header with spaces */
        while (i < hlen && strchr(" \t\r\n", b[8 + i]) && b[8 + i]) i++;
        rc = i < hlen ? irra_fail(e, "%s: safetensors header: text after the JSON object", ts->path)
                      : read_header(ts, h, b + 8 + hlen, ts->map_len - 8 - hlen, e);
    }
    json_object_put(h);
    json_tokener_free(tok);
    return rc;
}
