/* A set of named tensors read from a model file: an official PyTorch checkpoint (.pth, the torch
 * zip container) or our safetensors file. The file is mapped read-only and tensors point into the
 * mapping; nothing is copied at open. Every addressable element of every tensor was checked to
 * lie inside the file when the set was opened.
 *
 * Alignment: a checkpoint's storages start 64-byte aligned, and files written by
 * irra_safetensors_write place every tensor on a multiple of its element size, so their data can
 * be read in place as float / uint16_t arrays. Other safetensors writers give no such promise:
 * check ((uintptr_t)t->data % irra_dtype_size(t->dtype)) before casting, or use
 * irra_tensor_to_f32, which never assumes alignment. */
#ifndef IRRA_TENSORS_H
#define IRRA_TENSORS_H

#include "model/err.h"

#include <stddef.h>
#include <stdint.h>

typedef enum { IRRA_F32, IRRA_F16, IRRA_BF16, IRRA_I64, IRRA_I32, IRRA_U8 } irra_dtype;

#define IRRA_MAX_DIMS 8

typedef struct {
    char *name;
    irra_dtype dtype;
    int ndim;
    int64_t shape[IRRA_MAX_DIMS];
    int64_t stride[IRRA_MAX_DIMS]; /* in elements, PyTorch semantics */
    const void *data;              /* element [0, ..., 0] */
} irra_tensor;

typedef struct {
    irra_tensor *t; /* in file order: the state dict's order, or the safetensors header's */
    int n;
    char **meta_key, **meta_val; /* safetensors __metadata__; none for .pth */
    int nmeta;
    void *map;
    size_t map_len;
    char *path;
} irra_tensors;

size_t irra_dtype_size(irra_dtype d);
const char *irra_dtype_name(irra_dtype d); /* safetensors spelling: "F32", "F16", "BF16", ... */

/* Opens path by its content (zip magic: torch checkpoint; else safetensors). For a checkpoint,
 * the state dict is the 'model' (or 'state_dict') entry of a top-level dict, or the top-level
 * dict itself; a 'module.' prefix on every key is stripped; optimizer/scheduler entries are
 * skipped. Errors name the file and what is wrong. */
irra_tensors *irra_tensors_open(const char *path, irra_err *e);
void irra_tensors_free(irra_tensors *ts);

const irra_tensor *irra_tensors_find(const irra_tensors *ts, const char *name);
const char *irra_tensors_meta(const irra_tensors *ts, const char *key); /* NULL if absent */

int64_t irra_tensor_numel(const irra_tensor *t);
int irra_tensor_is_contiguous(const irra_tensor *t);
/* 1 when two indices of t address the same element: a stride-0 view (torch's expand) or
 * strides that interleave. Such a view of a few bytes can stand for gigabytes once dense. */
int irra_tensor_overlaps(const irra_tensor *t);
/* Writes t's elements to dst (numel floats) as fp32 in row-major order, honouring strides.
 * F32/F16/BF16 convert exactly; integer dtypes convert by value. */
void irra_tensor_to_f32(const irra_tensor *t, float *dst);

/* IEEE binary16 <-> binary32; to half rounds to nearest even, overflowing to infinity. */
float irra_f16_to_f32(uint16_t h);
uint16_t irra_f32_to_f16(float f);
static inline float irra_bf16_to_f32(uint16_t h)
{
    union { uint32_t u; float f; } x = {(uint32_t)h << 16};
    return x.f;
}

/* Writes a safetensors file: tensors in the given order (made contiguous), each converted to
 * `dtype` when it is floating point (F32 or F16; F16 rounds to nearest even like numpy and
 * torch), integers kept as they are, and the metadata strings under __metadata__. The header is
 * padded with spaces to a multiple of 8 bytes and data are ordered by element size (largest
 * first), so every tensor is aligned to its element size. Written to "<path>.tmp.XXXXXX" and
 * renamed over path, so a failure never leaves a partial file or damages an existing one. */
int irra_safetensors_write(const char *path, const irra_tensor *t, int n, irra_dtype dtype,
                           const char *const *meta_key, const char *const *meta_val, int nmeta,
                           irra_err *e);

/* Writes a torch.save checkpoint (the zip container of spec 7.3, as torch.save(obj, path) lays
 * it out: entries under "<file stem>/", storages 64-byte aligned) holding
 * {"model": OrderedDict(name -> tensor)}, one contiguous storage per tensor. dtype[i] is tensor
 * i's storage type: F32 or F16 for a floating-point tensor (converted as irra_safetensors_write
 * does), its own type for an integer one; dtype NULL keeps every tensor's own. The pickle needs
 * no global that torch.load(..., weights_only=True) refuses. Written atomically, like
 * irra_safetensors_write. */
int irra_pth_write(const char *path, const irra_tensor *t, int n, const irra_dtype *dtype,
                   irra_err *e);

#endif
