/* IRRA's training forward and backward (spec 2, 3, 4.9): one batch of images, captions and
 * masked captions through both towers, the IRR branch and the losses, with every parameter's
 * gradient added into a gradient buffer of the parameters' layout. */
#ifndef IRRA_TRAIN_TRAINER_H
#define IRRA_TRAIN_TRAINER_H

#include "model/err.h"
#include "train/params.h"

#include <stdint.h>

/* Which losses run (official loss_names, "+"-joined) and their weights. */
typedef struct {
    int sdm, id, mlm, itc;
    float id_weight, mlm_weight; /* --id_loss_weight, --mlm_loss_weight: 1 by default */
} irra_loss_cfg;

/* Parses "sdm+id+mlm" and the like (names: sdm, id, mlm, itc); weights set to 1. */
int irra_loss_names_parse(const char *s, irra_loss_cfg *lc, irra_err *e);
/* The names back, "+"-joined in the order sdm, itc, id, mlm. */
void irra_loss_names_format(const irra_loss_cfg *lc, char *buf, size_t n);

typedef struct {
    int B;
    const float *pixels;        /* [B, 3, img_h, img_w], normalised */
    const int *pids;            /* [B] classifier indices */
    const int32_t *caption_ids; /* [B, context]: what SDM, ID and ITC see */
    const int32_t *mlm_ids;     /* [B, context]: what the IRR branch sees */
    const int32_t *mlm_labels;  /* [B, context]: original id at masked positions, 0 elsewhere */
} irra_train_batch;

/* The official `ret` dict: losses (already weighted) and their total, and the accuracies. */
typedef struct {
    double loss, sdm_loss, id_loss, mlm_loss, itc_loss;
    double img_acc, txt_acc, mlm_acc;
    int text_passes; /* 1 when caption_ids == mlm_ids (spec 4.9), else 2 */
    int mlm_rows;    /* labelled positions the MLM head ran on */
} irra_losses;

typedef struct irra_trainer irra_trainer;

/* A trainer over the parameters p (read) adding gradients into g (same layout). Activation
 * memory is sized for the largest batch seen so far. */
irra_trainer *irra_trainer_new(const irra_param_buf *p, irra_param_buf *g, irra_err *e);
void irra_trainer_free(irra_trainer *t);

/* Checks a batch against the model: ids inside the vocabulary, labels inside the MLM head's,
 * pids inside the classifier's range, the losses' modules present. The message names the field
 * (caption_ids, mlm_ids, mlm_labels, pids, loss_names). */
int irra_train_batch_check(const irra_trainer *t, const irra_train_batch *b,
                           const irra_loss_cfg *lc, irra_err *e);

/* Forward and backward of one batch (checked first); gradients are added to g, so zero it
 * before a step that is not meant to accumulate. */
int irra_train_step(irra_trainer *t, const irra_train_batch *b, const irra_loss_cfg *lc,
                    irra_losses *out, irra_err *e);

/* Bytes of activation memory the last step used, the MLM head's rows included. */
size_t irra_trainer_act_bytes(const irra_trainer *t);

#endif
