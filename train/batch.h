/* A training batch from JSON, the `irra grad` format and one line of `irra train --replay`:
 *   {"images": ["a.png", ...], "pids": [0, 0, 3, ...], "caption_ids": [[ctx ids], ...],
 *    "mlm_ids": [[...]], "mlm_labels": [[...]], "loss_names": "sdm+id+mlm"}
 * Image paths are relative to base_dir (the JSON file's folder) unless absolute; images are
 * decoded and preprocessed as at evaluation. mlm_ids and mlm_labels may be omitted when the
 * losses have no mlm; loss_names defaults to sdm+id+mlm. */
#ifndef IRRA_TRAIN_BATCH_H
#define IRRA_TRAIN_BATCH_H

#include "model/irra.h"
#include "train/trainer.h"

typedef struct {
    irra_train_batch b;   /* points into the arrays below */
    irra_loss_cfg losses;
    float *pixels;
    int *pids;
    int32_t *ids;         /* caption_ids, mlm_ids, mlm_labels: [3, B, ctx] */
    char **images;        /* the paths as resolved */
} irra_batch_file;

/* Parses one batch (buf[n], named `name` in messages) for model configuration c. Errors name
 * the field: "BATCH.json: caption_ids: row 2 has 76 ids, expected 77". */
int irra_batch_parse(irra_batch_file *bf, const char *buf, size_t n, const char *name,
                     const char *base_dir, const irra_config *c, irra_err *e);
/* Reads path and parses it, images relative to path's folder. */
int irra_batch_read(irra_batch_file *bf, const char *path, const irra_config *c, irra_err *e);
void irra_batch_free(irra_batch_file *bf);

#endif
