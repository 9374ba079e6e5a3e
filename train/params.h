/* A model's trainable parameters in one flat fp32 buffer, llm.c style, carved by an offset table
 * keyed by the official state_dict names in their registration order (spec 1.5). The gradients
 * (and, for the optimizer, Adam's moments) are more buffers of the same layout, so tensor i of
 * every buffer sits at the same offset. Each buffer is also viewed as an irra_tensors set, so
 * irra_weights_load binds the model's pointers into it and irra_safetensors_write saves it under
 * the official names. */
#ifndef IRRA_TRAIN_PARAMS_H
#define IRRA_TRAIN_PARAMS_H

#include "model/irra.h"
#include "model/tensors.h"
#include "model/weights.h"

typedef struct {
    irra_config cfg;
    int n;             /* tensors */
    char **name;       /* official names, "base_model." included */
    int *ndim;
    int64_t (*shape)[4];
    size_t *off;       /* in floats */
    size_t total;      /* floats in one buffer */
} irra_param_layout;

/* The layout a configuration implies: CLIP, then the classifier when cfg->num_classes > 0,
 * then the IRR branch when cfg->has_mlm. */
int irra_param_layout_make(irra_param_layout *L, const irra_config *cfg, irra_err *e);
void irra_param_layout_free(irra_param_layout *L);
/* Index of the tensor called name, or -1. */
int irra_param_find(const irra_param_layout *L, const char *name);

/* One buffer of a layout, with its tensor view and the model's pointers bound into it. */
typedef struct {
    const irra_param_layout *L;
    float *mem;       /* L->total floats, 64-byte aligned */
    irra_tensors ts;  /* F32 views of mem under the official names */
    irra_weights w;   /* the towers' and IRR branch's pointers into mem */
    float *cls_w, *cls_b; /* classifier [num_classes, E], [num_classes]; NULL when absent */
} irra_param_buf;

/* Allocates a zeroed buffer of layout L (which must outlive it) named what (for messages). */
int irra_param_buf_init(irra_param_buf *p, const irra_param_layout *L, const char *what,
                        irra_err *e);
void irra_param_buf_free(irra_param_buf *p);
void irra_param_buf_zero(irra_param_buf *p);

/* Copies every tensor of the layout from ts (a model file's tensors, with or without the
 * "base_model." prefix), converted to fp32. A tensor that is missing or of another shape is an
 * error naming it. */
int irra_param_buf_load(irra_param_buf *p, const irra_tensors *ts, irra_err *e);
/* The same for tensors stored as pfx + official name (a checkpoint's "optim.exp_avg." ...);
 * skip (optional, [n]): instead of failing, a tensor that is absent or of another shape is
 * left as it is and flagged 1 (the caller decides which may be: a classifier of another size). */
int irra_param_buf_load_named(irra_param_buf *p, const irra_tensors *ts, const char *pfx,
                              int *skip, irra_err *e);
/* The tensor of ts that those read for tensor i of L (NULL when absent); key receives its name. */
const irra_tensor *irra_param_source(const irra_param_layout *L, const irra_tensors *ts,
                                     const char *pfx, int i, char key[256]);

#endif
