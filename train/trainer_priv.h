/* Inside the trainer: the activations of each part, carved from one arena per batch size. */
#ifndef IRRA_TRAIN_TRAINER_PRIV_H
#define IRRA_TRAIN_TRAINER_PRIV_H

#include "train/block_train.h"
#include "train/trainer.h"

/* The image tower: rows are B images of T tokens, width W; output E wide. */
typedef struct {
    irra_stack st;
    float *col;                 /* [B G, 3 p p] patches, the conv's input */
    float *x0, *m0, *r0;        /* [B T, W] embedding + positions, ln_pre statistics */
    float *mpost, *rpost, *lnp; /* ln_post statistics and output [B T, W] */
    float *tokens, *dtokens;    /* [B T, E] after proj, and its gradient */
    float *dx, *dtmp;           /* [B T, W] gradients on the way down */
} irra_image_acts;

/* One text-tower pass: B captions of ctx positions, width d. */
typedef struct {
    irra_stack st;
    const int32_t *ids;         /* the batch's [B, ctx] */
    int *eot;                   /* [B] argmax positions */
    float *mf, *rf, *lnf;       /* ln_final statistics and output [B ctx, d] */
    float *tokens, *dtokens;    /* [B ctx, E] after text_projection, and its gradient */
    float *dx, *dtmp;           /* [B ctx, d] */
} irra_text_acts;

/* The IRR branch up to the cross-modal blocks' output (the head runs on labelled rows only,
 * with its buffers per step). */
typedef struct {
    irra_stack st;              /* cross-modal blocks over B sequences of ctx */
    int *qk;                    /* seqs of queries (ctx) and keys (T): [4 B] */
    float *qln, *mq, *rq;       /* ln_pre_t of the text tokens [B ctx, E] */
    float *kvln, *mk, *rk;      /* ln_pre_i of the image tokens [B T, E] */
    float *Q, *KV, *probs, *O;  /* [B ctx, E], [B T, 2E], [B, H, ctx, T], [B ctx, E] */
    float *dQ, *dKV, *dqln, *dkvln, *dx; /* gradients of the above, and of the blocks' rows */
} irra_irr_acts;

struct irra_trainer {
    const irra_param_buf *p;
    irra_param_buf *g;
    irra_config cfg;
    int B;                      /* batch size the buffers were carved for */
    float *mem;
    size_t mem_floats, mem_cap, head_floats; /* used by this B, allocated, MLM head's */
    irra_image_acts img;
    irra_text_acts txt[2];      /* caption pass, and the masked pass when it differs */
    irra_irr_acts irr;
    float *f, *gt, *df, *dg;    /* [B, E] global features and their gradients */
};

void irra_image_carve(irra_image_acts *a, const irra_config *c, int B, irra_arena *ar);
int irra_image_forward(irra_image_acts *a, const irra_weights *w, const irra_config *c,
                       const float *pixels, irra_err *e);
/* From a->dtokens; adds into the gradient weights gw. */
int irra_image_backward(irra_image_acts *a, const irra_weights *w, irra_weights *gw,
                        const irra_config *c, irra_err *e);

void irra_text_carve(irra_text_acts *a, const irra_config *c, int B, irra_arena *ar);
int irra_text_forward(irra_text_acts *a, const irra_weights *w, const irra_config *c,
                      const int32_t *ids, irra_err *e);
int irra_text_backward(irra_text_acts *a, const irra_weights *w, irra_weights *gw,
                       const irra_config *c, irra_err *e);

void irra_irr_carve(irra_irr_acts *a, const irra_config *c, int B, irra_arena *ar);
/* The IRR branch on text tokens tt [B ctx, E] and image tokens it [B T, E]: the MLM loss over
 * the labelled positions (times weight), whose gradients are added into dtt and dit. */
int irra_irr_step(irra_irr_acts *a, const irra_weights *w, irra_weights *gw,
                  const irra_config *c, const float *tt, const float *it, const int32_t *labels,
                  double weight, float *dtt, float *dit, double *loss, double *acc, int *rows,
                  size_t *head_floats, irra_err *e);

#endif
