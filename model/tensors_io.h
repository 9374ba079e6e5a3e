/* Shared by the format readers and writers (pth.c, safetensors.c, *_write.c) and tensors.c; not
 * public. */
#ifndef IRRA_TENSORS_IO_H
#define IRRA_TENSORS_IO_H

#include "model/tensors.h"

#include <stdio.h>

/* Fill ts->t / ts->n (and the metadata) from the mapping ts->map[0..map_len); fd is the file. */
int irra_pth_read(irra_tensors *ts, int fd, irra_err *e);
int irra_safetensors_read(irra_tensors *ts, irra_err *e);

/* The product of shape[0..ndim), or -1 when it overflows int64. */
int64_t irra_shape_numel(const int64_t *shape, int ndim);
/* Row-major strides for t->shape. */
void irra_set_contiguous_strides(irra_tensor *t);
/* The tensor as rows along its last dimension: returns the row count, *len the row length and
 * *stride the element step inside a row (a scalar is one row of one element). */
int64_t irra_tensor_rows(const irra_tensor *t, int64_t *len, int64_t *stride);
const uint8_t *irra_tensor_row(const irra_tensor *t, int64_t r);
/* n elements of dtype d, `stride` elements apart, to fp32 (integers are converted by value). */
void irra_convert_to_f32(const uint8_t *src, irra_dtype d, int64_t n, int64_t stride, float *dst);

/* Receives n bytes; returns 0, or -1 (with errno set) when it cannot take them. */
typedef int (*irra_sink)(void *ctx, const void *p, size_t n);
/* Sends t's elements in row-major order (honouring strides) to sink: floating-point tensors
 * converted to `to` (F32, or F16 rounded to nearest even as torch's .half()), integer tensors as
 * they are (`to` is then ignored). -1 when the sink fails or memory runs out. */
int irra_tensor_stream(const irra_tensor *t, irra_dtype to, irra_sink sink, void *ctx);

/* irra_pth_write into f (seekable, at its start, not renamed or closed here); path names the
 * archive's folder (its stem) and the file in messages. */
int irra_pth_write_stream(FILE *f, const char *path, const irra_tensor *t, int n,
                          const irra_dtype *dtype, irra_err *e);

#endif
