/* A tensor's elements, converted, to a byte sink: what the file writers share
 * (safetensors_write.c, pth_write.c). */
#include "model/tensors_io.h"

#include <stdlib.h>
#include <string.h>

#define CHUNK 65536

static int is_float(irra_dtype d) { return d == IRRA_F32 || d == IRRA_F16 || d == IRRA_BF16; }

/* n elements `stride` apart from src, converted from `from` to `to`, to the sink. */
static int stream_run(const uint8_t *src, irra_dtype from, irra_dtype to, int64_t n,
                      int64_t stride, float *fbuf, uint16_t *hbuf, irra_sink sink, void *ctx)
{
    size_t es = irra_dtype_size(from);
    if (from == to && stride == 1) return sink(ctx, src, (size_t)n * es);
    for (int64_t at = 0; at < n; at += CHUNK) {
        int64_t m = n - at < CHUNK ? n - at : CHUNK;
        const uint8_t *p = src + at * stride * (int64_t)es;
        if (!is_float(from)) { /* integers keep their type; gather them */
            for (int64_t i = 0; i < m; i++) memcpy((uint8_t *)fbuf + i * es, p + i * stride * es, es);
            if (sink(ctx, fbuf, (size_t)m * es)) return -1;
            continue;
        }
        irra_convert_to_f32(p, from, m, stride, fbuf);
        if (to == IRRA_F32) {
            if (sink(ctx, fbuf, (size_t)m * 4)) return -1;
        } else {
            for (int64_t i = 0; i < m; i++) hbuf[i] = irra_f32_to_f16(fbuf[i]);
            if (sink(ctx, hbuf, (size_t)m * 2)) return -1;
        }
    }
    return 0;
}

int irra_tensor_stream(const irra_tensor *t, irra_dtype to, irra_sink sink, void *ctx)
{
    if (irra_tensor_numel(t) == 0) return 0;
    /* fbuf also gathers integers of up to 8 bytes */
    float *fbuf = malloc(CHUNK * sizeof *fbuf * 2);
    uint16_t *hbuf = malloc(CHUNK * sizeof *hbuf);
    int rc = fbuf && hbuf ? 0 : -1;
    if (!rc && irra_tensor_is_contiguous(t)) {
        rc = stream_run(t->data, t->dtype, to, irra_tensor_numel(t), 1, fbuf, hbuf, sink, ctx);
    } else if (!rc) {
        int64_t len, stride, rows = irra_tensor_rows(t, &len, &stride);
        for (int64_t r = 0; r < rows && !rc; r++)
            rc = stream_run(irra_tensor_row(t, r), t->dtype, to, len, stride, fbuf, hbuf, sink,
                            ctx);
    }
    free(fbuf), free(hbuf);
    return rc;
}
