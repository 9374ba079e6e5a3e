/* The training loop of `irra train`: batches from a source (a dataset's loader or a replayed
 * file), forward and backward, the optimizer, checkpoints, evaluation and the log, resumable
 * at any step. */
#ifndef IRRA_TRAIN_RUN_H
#define IRRA_TRAIN_RUN_H

#include "train/checkpoint.h"
#include "train/evaluate.h"
#include "train/optim.h"
#include "train/trainer.h"

/* Where batches come from. batch() fills *out for (epoch, step) deterministically; the source
 * owns what it points to until the next call. */
typedef struct {
    int (*steps)(void *ctx, int epoch);
    int (*batch)(void *ctx, int epoch, int step, irra_train_batch *out, irra_err *e);
    long (*samples)(void *ctx); /* samples in one epoch */
    /* The losses of the batch last returned (a replayed batch names its own); NULL: the run's. */
    const irra_loss_cfg *(*losses)(void *ctx);
    void *ctx;
} irra_batch_source;

typedef struct {
    const char *dir;            /* the run directory */
    irra_loss_cfg lc;           /* the losses of a sampled batch (a replayed one names its own) */
    int checkpoint_every;       /* steps; 0: only at epoch ends */
    irra_evaluator *ev;         /* NULL: no evaluation (replay) */
    const char *args_json;      /* the training arguments, for the files' metadata */
    const irra_bpe *bpe;        /* embedded in the model files */
    int quiet;
} irra_run_opts;

/* Runs from st (epoch, step) to the end of o->a.num_epoch. Returns 0 when done, 1 when stopped
 * by SIGINT / SIGTERM (after saving a checkpoint), -1 on an error. */
int irra_run(irra_param_buf *p, irra_param_buf *g, irra_optim *o, irra_run_state *st,
             irra_batch_source *src, const irra_run_opts *ro, irra_err *e);

/* Subnormals flushed to zero (model/cpu.h) in this thread and every OpenMP thread. */
void irra_run_flush_denormals(void);

/* File names inside a run directory. */
#define IRRA_RUN_CHECKPOINT "checkpoint.safetensors"
#define IRRA_RUN_BEST "best.safetensors"
#define IRRA_RUN_LAST "last.safetensors"
#define IRRA_RUN_LOG "log.jsonl"
#define IRRA_RUN_CURVES "curves.png"
#define IRRA_RUN_INFO "run.json"

#endif
