/* Opening a tensor file by its content, lookups, and element access honouring strides. */
#include "model/tensors_io.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

static const struct {
    const char *name;
    size_t size;
} dtypes[] = {
    [IRRA_F32] = {"F32", 4}, [IRRA_F16] = {"F16", 2}, [IRRA_BF16] = {"BF16", 2},
    [IRRA_I64] = {"I64", 8}, [IRRA_I32] = {"I32", 4}, [IRRA_U8] = {"U8", 1},
};

size_t irra_dtype_size(irra_dtype d) { return dtypes[d].size; }
const char *irra_dtype_name(irra_dtype d) { return dtypes[d].name; }

static int map_file(irra_tensors *ts, irra_err *e)
{
    int fd = open(ts->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return irra_fail(e, "%s: %s", ts->path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
        close(fd);
        return irra_fail(e, "%s: not a regular file", ts->path);
    }
    if (st.st_size < 8) {
        close(fd);
        return irra_fail(e, "%s: file too short (%lld bytes) for a model file", ts->path,
                         (long long)st.st_size);
    }
    ts->map_len = (size_t)st.st_size;
    ts->map = mmap(NULL, ts->map_len, PROT_READ, MAP_PRIVATE, fd, 0);
    close(fd);
    if (ts->map == MAP_FAILED) {
        ts->map = NULL;
        return irra_fail(e, "%s: mmap: %s", ts->path, strerror(errno));
    }
    return 0;
}

irra_tensors *irra_tensors_open(const char *path, irra_err *e)
{
    irra_tensors *ts = calloc(1, sizeof *ts);
    if (!ts || !(ts->path = strdup(path))) {
        free(ts);
        irra_fail(e, "%s: out of memory", path);
        return NULL;
    }
    int rc = map_file(ts, e);
    if (!rc) {
        const uint8_t *b = ts->map;
        if (!memcmp(b, "PK\x03\x04", 4) || !memcmp(b, "PK\x05\x06", 4)) rc = irra_pth_read(ts, e);
        else if (b[0] == 0x80 && b[1] <= 5)
            rc = irra_fail(e, "%s: legacy (pre-1.6, non-zip) torch.save format; re-save it with "
                           "a newer torch", path);
        else rc = irra_safetensors_read(ts, e);
    }
    if (rc) {
        irra_tensors_free(ts);
        return NULL;
    }
    return ts;
}

void irra_tensors_free(irra_tensors *ts)
{
    if (!ts) return;
    for (int i = 0; i < ts->n; i++) free(ts->t[i].name);
    for (int i = 0; i < ts->nmeta; i++) {
        free(ts->meta_key[i]);
        free(ts->meta_val[i]);
    }
    free(ts->t);
    free(ts->meta_key);
    free(ts->meta_val);
    if (ts->map) munmap(ts->map, ts->map_len);
    free(ts->path);
    free(ts);
}

const irra_tensor *irra_tensors_find(const irra_tensors *ts, const char *name)
{
    for (int i = 0; i < ts->n; i++)
        if (!strcmp(ts->t[i].name, name)) return &ts->t[i];
    return NULL;
}

const char *irra_tensors_meta(const irra_tensors *ts, const char *key)
{
    for (int i = 0; i < ts->nmeta; i++)
        if (!strcmp(ts->meta_key[i], key)) return ts->meta_val[i];
    return NULL;
}

int64_t irra_shape_numel(const int64_t *shape, int ndim)
{
    int64_t n = 1;
    for (int k = 0; k < ndim; k++)
        if (shape[k] < 0 || __builtin_mul_overflow(n, shape[k], &n)) return -1;
    return n;
}

int64_t irra_tensor_numel(const irra_tensor *t) { return irra_shape_numel(t->shape, t->ndim); }

void irra_set_contiguous_strides(irra_tensor *t)
{
    int64_t s = 1;
    for (int k = t->ndim - 1; k >= 0; k--) {
        t->stride[k] = s;
        s *= t->shape[k];
    }
}

int irra_tensor_is_contiguous(const irra_tensor *t)
{
    int64_t s = 1;
    for (int k = t->ndim - 1; k >= 0; k--) {
        if (t->shape[k] == 0) return 1;
        if (t->shape[k] != 1 && t->stride[k] != s) return 0;
        s *= t->shape[k];
    }
    return 1;
}

int64_t irra_tensor_rows(const irra_tensor *t, int64_t *len, int64_t *stride)
{
    if (t->ndim == 0) {
        *len = 1, *stride = 1;
        return 1;
    }
    *len = t->shape[t->ndim - 1];
    *stride = t->stride[t->ndim - 1];
    return irra_shape_numel(t->shape, t->ndim - 1);
}

const uint8_t *irra_tensor_row(const irra_tensor *t, int64_t r)
{
    int64_t off = 0;
    for (int k = t->ndim - 2; k >= 0; k--) {
        off += r % t->shape[k] * t->stride[k];
        r /= t->shape[k];
    }
    return (const uint8_t *)t->data + off * (int64_t)irra_dtype_size(t->dtype);
}

float irra_f16_to_f32(uint16_t h)
{
    uint32_t sign = (uint32_t)(h & 0x8000) << 16, em = h & 0x7fff, bits;
    if (em >= 0x7c00) { /* inf, nan */
        bits = sign | 0x7f800000u | (em & 0x3ff) << 13;
    } else if (em >= 0x0400) { /* normal: rebias the exponent from 15 to 127 */
        bits = sign | (em + ((127 - 15) << 10)) << 13;
    } else { /* zero or subnormal: em * 2^-24, exact in fp32 */
        float f = (float)em * 0x1p-24f;
        memcpy(&bits, &f, 4);
        bits |= sign;
    }
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t irra_f32_to_f16(float f)
{
    uint32_t x;
    memcpy(&x, &f, 4);
    uint16_t sign = (uint16_t)(x >> 16 & 0x8000);
    uint32_t ax = x & 0x7fffffffu;
    if (ax > 0x7f800000u) return sign | 0x7e00 | (uint16_t)(ax >> 13 & 0x3ff); /* quiet nan */
    if (ax >= 0x477ff000u) return sign | 0x7c00; /* >= 65520 (or inf) rounds to inf */
    if (ax < 0x38800000u) { /* below 2^-14: a subnormal half, in units of 2^-24 */
        float a;
        memcpy(&a, &ax, 4);
        return sign | (uint16_t)lrintf(a * 0x1p24f); /* exact scaling, round half to even */
    }
    /* rebias 127 -> 15 and round to nearest even on the 13 dropped bits */
    ax += 0xc8000fffu + (ax >> 13 & 1);
    return sign | (uint16_t)(ax >> 13);
}

void irra_convert_to_f32(const uint8_t *src, irra_dtype d, int64_t n, int64_t stride, float *dst)
{
    size_t es = irra_dtype_size(d), step = (size_t)stride * es;
    /* memcpy loads: safetensors data need not be aligned */
    for (int64_t i = 0; i < n; i++, src += step) {
        switch (d) {
        case IRRA_F32: memcpy(&dst[i], src, 4); break;
        case IRRA_F16: {
            uint16_t h;
            memcpy(&h, src, 2);
            dst[i] = irra_f16_to_f32(h);
            break;
        }
        case IRRA_BF16: {
            uint16_t h;
            memcpy(&h, src, 2);
            dst[i] = irra_bf16_to_f32(h);
            break;
        }
        case IRRA_I64: {
            int64_t v;
            memcpy(&v, src, 8);
            dst[i] = (float)v;
            break;
        }
        case IRRA_I32: {
            int32_t v;
            memcpy(&v, src, 4);
            dst[i] = (float)v;
            break;
        }
        case IRRA_U8: dst[i] = *src; break;
        }
    }
}

void irra_tensor_to_f32(const irra_tensor *t, float *dst)
{
    int64_t len, stride, rows = irra_tensor_rows(t, &len, &stride);
    if (t->dtype == IRRA_F32 && irra_tensor_is_contiguous(t)) {
        memcpy(dst, t->data, (size_t)(rows * len) * 4);
        return;
    }
    for (int64_t r = 0; r < rows; r++)
        irra_convert_to_f32(irra_tensor_row(t, r), t->dtype, len, stride, dst + r * len);
}
