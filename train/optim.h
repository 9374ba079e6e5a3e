/* IRRA's optimizer (spec 4.2) and learning-rate schedule (spec 4.3). One parameter group per
 * tensor with the official name rules, applied in this order:
 *   lr = lr, wd = weight_decay;
 *   "cross" in the name: lr = lr * lr_factor;
 *   "bias" in the name: lr = lr * bias_lr_factor, wd = weight_decay_bias;
 *   "classifier" or "mlm_head" in the name: lr = lr * lr_factor.
 * Adam as torch.optim.Adam (L2 decay added to the gradient, eps 1e-3 as the official
 * solver/build.py hard-codes), or AdamW (decoupled decay, eps 1e-8, as the official AdamW
 * branch). Moments are fp32 buffers of the parameters' layout (the official fp16 moments are
 * a precision artefact of its pure-fp16 training, spec 4.2's caveat). */
#ifndef IRRA_TRAIN_OPTIM_H
#define IRRA_TRAIN_OPTIM_H

#include "train/params.h"

typedef struct {
    double lr, lr_factor, bias_lr_factor, weight_decay, weight_decay_bias;
    double alpha, beta; /* Adam's beta1, beta2 */
    int adamw;
    /* schedule: warmup then cosine, stepped once per epoch */
    int num_epoch, warmup_epochs;
    double warmup_factor, target_lr;
} irra_optim_args;

/* The official defaults (utils/options.py): lr 1e-5, lr_factor 5, bias_lr_factor 2, weight decay
 * 4e-5 and 0 for biases, betas 0.9 / 0.999, 60 epochs, 5 of linear warmup from 0.1, cosine to 0. */
void irra_optim_defaults(irra_optim_args *a);

/* A tensor's group: its base learning rate and weight decay by the rules above. */
void irra_optim_group(const irra_optim_args *a, const char *name, double *lr, double *wd);

/* The schedule's factor for 1-based epoch e (LRSchedulerWithWarmup, linear warmup, cosine):
 * k = e - 1 < warmup: warmup_factor (1 - k / warmup) + k / warmup; else
 * 0.5 (1 + cos(pi (k - warmup) / (num_epoch - warmup))). */
double irra_lr_factor(const irra_optim_args *a, int epoch);

/* The lr of a group of base lr `base` at 1-based epoch `epoch`: base * factor during the warmup
 * (the official warmup ignores target_lr), target_lr + (base - target_lr) * factor after it. */
double irra_optim_lr(const irra_optim_args *a, double base, int epoch);

typedef struct {
    irra_optim_args a;
    irra_param_buf m, v; /* first and second moments */
    long long step;      /* Adam steps taken (the official per-parameter count, all equal) */
    double *lr, *wd;     /* per tensor: base lr and weight decay */
} irra_optim;

int irra_optim_init(irra_optim *o, const irra_param_layout *L, const irra_optim_args *a,
                    irra_err *e);
void irra_optim_free(irra_optim *o);

/* One update of p from the gradients g at 1-based epoch `epoch` (its lr factor). */
void irra_optim_step(irra_optim *o, irra_param_buf *p, const irra_param_buf *g, int epoch);

#endif
