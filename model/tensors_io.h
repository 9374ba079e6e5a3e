/* Shared by the format readers and writer (pth.c, safetensors.c) and tensors.c; not public. */
#ifndef IRRA_TENSORS_IO_H
#define IRRA_TENSORS_IO_H

#include "model/tensors.h"

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

#endif
