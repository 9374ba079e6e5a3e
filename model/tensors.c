/* Opening a tensor file by its content, lookups, and element access honouring strides. */
#include "model/safe_text.h"
#include "model/tensors_io.h"

#include "model/cpu.h"

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

/* Maps ts->path; returns the open file (the zip reader preads local headers) or -1. */
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
    if (ts->map == MAP_FAILED) {
        ts->map = NULL;
        close(fd);
        return irra_fail(e, "%s: mmap: %s", ts->path, strerror(errno));
    }
    return fd;
}

irra_tensors *irra_tensors_open(const char *path, irra_err *e)
{
    irra_tensors *ts = calloc(1, sizeof *ts);
    if (!ts || !(ts->path = strdup(path))) {
        free(ts);
        irra_fail(e, "%s: out of memory", path);
        return NULL;
    }
    int fd = map_file(ts, e), rc = fd < 0 ? -1 : 0;
    if (!rc) {
        const uint8_t *b = ts->map;
        if (!memcmp(b, "PK\x03\x04", 4) || !memcmp(b, "PK\x05\x06", 4)) rc = irra_pth_read(ts, fd, e);
        else if (b[0] == 0x80 && b[1] <= 5)
            rc = irra_fail(e, "%s: legacy (pre-1.6, non-zip) torch.save format; re-save it with "
                           "a newer torch", path);
        else rc = irra_safetensors_read(ts, e);
        close(fd);
    }
    if (rc) {
        /* messages quote names from the file: keep them one printable line */
        if (e) irra_safe_text(e->msg, sizeof e->msg, e->msg);
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

/* PyTorch's rule: empty tensors are contiguous, and size-1 dimensions may have any stride. */
int irra_tensor_is_contiguous(const irra_tensor *t)
{
    if (irra_tensor_numel(t) == 0) return 1;
    int64_t s = 1;
    for (int k = t->ndim - 1; k >= 0; k--) {
        if (t->shape[k] != 1 && t->stride[k] != s) return 0;
        s *= t->shape[k];
    }
    return 1;
}

int irra_tensor_overlaps(const irra_tensor *t)
{
    if (irra_tensor_numel(t) <= 1) return 0;
    /* by increasing stride, each dimension must step past everything the smaller ones reach */
    int dims[IRRA_MAX_DIMS], n = 0;
    for (int k = 0; k < t->ndim; k++)
        if (t->shape[k] > 1) dims[n++] = k;
    for (int i = 1; i < n; i++)
        for (int j = i; j > 0 && t->stride[dims[j]] < t->stride[dims[j - 1]]; j--) {
            int x = dims[j];
            dims[j] = dims[j - 1], dims[j - 1] = x;
        }
    int64_t reach = 0; /* the largest offset the dimensions so far address */
    for (int i = 0; i < n; i++) {
        int64_t s = t->stride[dims[i]], span;
        if (s <= reach || __builtin_mul_overflow(t->shape[dims[i]] - 1, s, &span) ||
            __builtin_add_overflow(reach, span, &reach))
            return 1;
    }
    return 0;
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

#if defined(__x86_64__)
#include <immintrin.h>
/* 8 halves per instruction where the CPU has F16C (every x86-64 since 2012): converting the
 * 169M fp16 weights of a checkpoint drops from about a second to a few hundred ms. */
__attribute__((target("avx,f16c"))) static int64_t f16_run_f16c(const uint8_t *src, int64_t n,
                                                                 float *dst)
{
    int64_t i = 0;
    for (; i + 8 <= n; i += 8)
        _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + 2 * i))));
    return i;
}
#endif

/* Contiguous fp16 run: the vector path where available, the scalar conversion for the rest. */
static void f16_run(const uint8_t *src, int64_t n, float *dst)
{
    int64_t i = 0;
#if defined(__x86_64__)
    if (irra_cpu_has_f16c()) i = f16_run_f16c(src, n, dst);
#endif
    for (; i < n; i++) {
        uint16_t h;
        memcpy(&h, src + 2 * i, 2);
        dst[i] = irra_f16_to_f32(h);
    }
}

#define CONVERT_LOOP(T, expr)                                                                  \
    for (int64_t i = 0; i < n; i++, src += step) {                                             \
        T x;                                                                                   \
        memcpy(&x, src, sizeof x); /* memcpy loads: safetensors data need not be aligned */    \
        dst[i] = (expr);                                                                       \
    }

void irra_convert_to_f32(const uint8_t *src, irra_dtype d, int64_t n, int64_t stride, float *dst)
{
    size_t step = (size_t)stride * irra_dtype_size(d);
    if (d == IRRA_F32 && stride == 1) {
        memcpy(dst, src, (size_t)n * 4);
        return;
    }
    if (d == IRRA_F16 && stride == 1) {
        f16_run(src, n, dst);
        return;
    }
    switch (d) {
    case IRRA_F32: CONVERT_LOOP(float, x) break;
    case IRRA_F16: CONVERT_LOOP(uint16_t, irra_f16_to_f32(x)) break;
    case IRRA_BF16: CONVERT_LOOP(uint16_t, irra_bf16_to_f32(x)) break;
    case IRRA_I64: CONVERT_LOOP(int64_t, (float)x) break;
    case IRRA_I32: CONVERT_LOOP(int32_t, (float)x) break;
    case IRRA_U8: CONVERT_LOOP(uint8_t, (float)x) break;
    }
}

void irra_tensor_to_f32(const irra_tensor *t, float *dst)
{
    int64_t len, stride, rows = irra_tensor_rows(t, &len, &stride);
    if (rows * len == 0) return;
    if (irra_tensor_is_contiguous(t)) {
        irra_convert_to_f32(t->data, t->dtype, rows * len, 1, dst);
        return;
    }
    for (int64_t r = 0; r < rows; r++)
        irra_convert_to_f32(irra_tensor_row(t, r), t->dtype, len, stride, dst + r * len);
}
