/* One tensor file through irra_tensors_open, which tells safetensors from torch.save zips by
 * their content: fuzz_safetensors and fuzz_pth differ only in their seeds. */
#ifndef IRRA_FUZZ_TENSOR_FILE_H
#define IRRA_FUZZ_TENSOR_FILE_H

#include "model/tensors.h"
#include "tests/fuzz/fuzz.h"

/* Converts at most this many elements of a tensor: a small file may describe views far larger
 * than its data (stride 0), which the loader accepts and a model refuses by its configuration. */
#define FUZZ_MAX_ELEMS (1 << 20)

static void fuzz_tensor_file(const uint8_t *data, size_t n, const char *name)
{
    irra_err e;
    irra_tensors *ts = irra_tensors_open(fuzz_file(data, n, name), &e);
    if (!ts) return;
    static float buf[FUZZ_MAX_ELEMS];
    for (int i = 0; i < ts->n; i++) {
        const irra_tensor *t = &ts->t[i];
        int64_t k = irra_tensor_numel(t);
        irra_tensor_is_contiguous(t);
        if (irra_tensors_find(ts, t->name) == NULL) abort(); /* every listed name is found */
        if (k >= 0 && k <= FUZZ_MAX_ELEMS) irra_tensor_to_f32(t, buf); /* reads every element */
    }
    irra_tensors_meta(ts, "format");
    irra_tensors_free(ts);
}

#endif
