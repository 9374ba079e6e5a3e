/* Model fingerprint: FNV-1a (64-bit) over the compute configuration and, for every tensor in name
 * order, its name, shape and a fixed sample of its element values as fp32 (the values compute
 * uses, so a .pth and its fp32 conversion agree, while an fp16 conversion of an fp32 model, whose
 * features differ, does not): FP_RUNS evenly spaced runs of
 * FP_RUN consecutive elements, first and last included. Runs rather than scattered elements keep
 * the number of mapped pages touched small (a few thousand for a 440 MB model: ~10 ms), while a
 * retrained or different model differs in almost every sampled element. Names are sorted so a
 * file with the same tensors in another order agrees. */
#include "model/fingerprint.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FP_RUNS 8
#define FP_RUN 16

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ULL;
    return h;
}

static uint64_t fnv_i64(uint64_t h, int64_t v) { return fnv(h, &v, sizeof v); }

static int by_name(const void *a, const void *b)
{
    const irra_tensor *x = *(const irra_tensor *const *)a, *y = *(const irra_tensor *const *)b;
    return strcmp(x->name, y->name);
}

/* Byte offset of the element with row-major flat index i, honouring strides. */
static int64_t elem_offset(const irra_tensor *t, int64_t i)
{
    int64_t off = 0;
    for (int d = t->ndim - 1; d >= 0; d--) {
        int64_t n = t->shape[d] > 0 ? t->shape[d] : 1;
        off += (i % n) * t->stride[d];
        i /= n;
    }
    return off * (int64_t)irra_dtype_size(t->dtype);
}

/* Element i as compute sees it: floating types as fp32, integer types as their raw bytes. */
static uint64_t hash_elem(uint64_t h, const irra_tensor *t, int64_t i)
{
    const char *p = (const char *)t->data + elem_offset(t, i);
    uint16_t half;
    float f;
    switch (t->dtype) {
    case IRRA_F32: memcpy(&f, p, sizeof f); break;
    case IRRA_F16: memcpy(&half, p, sizeof half), f = irra_f16_to_f32(half); break;
    case IRRA_BF16: memcpy(&half, p, sizeof half), f = irra_bf16_to_f32(half); break;
    default: return fnv(h, p, irra_dtype_size(t->dtype));
    }
    return fnv(h, &f, sizeof f);
}

static uint64_t hash_tensor(uint64_t h, const irra_tensor *t)
{
    h = fnv(h, t->name, strlen(t->name) + 1);
    h = fnv_i64(h, t->ndim);
    for (int d = 0; d < t->ndim; d++) h = fnv_i64(h, t->shape[d]);
    int64_t n = irra_tensor_numel(t);
    if (n <= FP_RUNS * FP_RUN) {
        for (int64_t i = 0; i < n; i++) h = hash_elem(h, t, i);
        return h;
    }
    for (int r = 0; r < FP_RUNS; r++) {
        int64_t i0 = r * (n - FP_RUN) / (FP_RUNS - 1);
        for (int64_t i = i0; i < i0 + FP_RUN; i++) h = hash_elem(h, t, i);
    }
    return h;
}

void irra_model_fingerprint(const irra_model *m, char *out)
{
    const irra_config *c = irra_model_config(m);
    const irra_tensors *ts = irra_model_tensors(m);
    uint64_t h = 0xcbf29ce484222325ULL;
    /* The input geometry changes every feature, so it is part of the model as used. */
    h = fnv_i64(h, c->img_h);
    h = fnv_i64(h, c->img_w);
    h = fnv_i64(h, c->stride);
    const irra_tensor **order = ts && ts->n > 0 ? malloc((size_t)ts->n * sizeof *order) : NULL;
    if (order) {
        for (int i = 0; i < ts->n; i++) order[i] = &ts->t[i];
        qsort(order, (size_t)ts->n, sizeof *order, by_name);
        for (int i = 0; i < ts->n; i++) h = hash_tensor(h, order[i]);
        free(order);
    } else if (ts) {
        for (int i = 0; i < ts->n; i++) h = hash_tensor(h, &ts->t[i]);
    }
    snprintf(out, 17, "%016llx", (unsigned long long)h);
}
