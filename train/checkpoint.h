/* The files a training run writes (spec 4.9's "do better" than the official resume):
 *   irra model files (best / last): every parameter in fp32 under its official name, with the
 *   geometry, the vocabulary, the training arguments and the metrics in the metadata, so that
 *   every irra command opens them;
 *   the checkpoint: the same plus Adam's moments (tensors "optim.exp_avg.<name>" and
 *   "optim.exp_avg_sq.<name>") and where the run stands. Every random choice of a run is drawn
 *   from streams keyed by (seed, epoch, step), so this position is all the RNG state there is.
 * All are written to a temporary name, synced and renamed: a kill at any moment leaves the
 * previous file or the new one, never a torn one. */
#ifndef IRRA_TRAIN_CHECKPOINT_H
#define IRRA_TRAIN_CHECKPOINT_H

#include "model/bpe.h"
#include "train/optim.h"
#include "train/params.h"

#define IRRA_CHECKPOINT_FORMAT "1"

typedef struct {
    int epoch;             /* 1-based epoch to run next */
    int step;              /* next step within it */
    long long global_step; /* steps done */
    double best_r1;
    int best_epoch;        /* 0: none yet */
} irra_run_state;

/* Extra metadata strings for a file (training args, metrics); NULL-terminated pairs. */
typedef struct {
    const char *key[8], *val[8];
    int n;
} irra_meta;

/* An irra model file of p with geometry, vocabulary (bpe may be NULL) and extra metadata. */
int irra_model_save(const char *path, const irra_param_buf *p, const irra_bpe *bpe,
                    const irra_meta *extra, irra_err *e);

int irra_checkpoint_save(const char *path, const irra_param_buf *p, const irra_optim *o,
                         const irra_run_state *st, const irra_bpe *bpe, const irra_meta *extra,
                         irra_err *e);
/* Restores p, o's moments and step, and st from a checkpoint of the same layout. */
int irra_checkpoint_load(const char *path, irra_param_buf *p, irra_optim *o, irra_run_state *st,
                         irra_err *e);

#endif
