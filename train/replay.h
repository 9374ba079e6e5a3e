/* `irra train --replay FILE`: the batches of an epoch are the lines of FILE (the `irra grad`
 * format), in order, instead of samples drawn from a dataset. */
#ifndef IRRA_TRAIN_REPLAY_H
#define IRRA_TRAIN_REPLAY_H

#include "train/batch.h"
#include "train/run.h"

typedef struct {
    char *text;            /* the whole file */
    size_t *off, *len;     /* its non-empty lines */
    int n;
    char *dir, *path;      /* image paths are relative to dir */
    const irra_config *cfg;
    irra_batch_file cur;   /* the batch last returned */
    irra_loss_cfg lc;      /* the losses it names, with the run's weights */
    irra_loss_cfg weights;
} irra_replay;

/* Reads path; the lines are parsed when used. An empty file is an error. */
int irra_replay_open(irra_replay *r, const char *path, const irra_config *c,
                     const irra_loss_cfg *weights, irra_err *e);
void irra_replay_free(irra_replay *r);
irra_batch_source irra_replay_source(irra_replay *r);

#endif
