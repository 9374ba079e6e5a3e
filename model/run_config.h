/* The official trainer's configs.yaml (a yaml dump of its arguments, written beside best.pth):
 * the input size and patch stride, which a state dict does not record (spec 7.1). */
#ifndef IRRA_RUN_CONFIG_H
#define IRRA_RUN_CONFIG_H

#include "model/err.h"

#include <stdio.h>

/* Reads img_size ([H, W], a plain list or a !!python/tuple) and stride_size. Keys that are
 * absent leave their outputs untouched; a missing file, malformed YAML, a value of the wrong
 * form, a file over 256 KiB or nested over 32 levels is an error naming the file. */
int irra_read_run_config(const char *yaml_path, int *img_h, int *img_w, int *stride, irra_err *e);

/* What configs.yaml records about a model; everything else is the official default. */
typedef struct {
    int img_h, img_w, stride; /* img_size, stride_size */
    int text_length;          /* the text context */
    int vocab_size;           /* mlm_head.fc rows (IRRA builds the head from args.vocab_size) */
    int cmt_depth, num_classes, mlm;
    const char *loss_names, *dataset_name, *root_dir, *output_dir, *name, *pretrain_choice;
} irra_run_config;

/* Writes c to f as the official train.py writes configs.yaml: every key of utils/options.py
 * (official defaults for the training hyperparameters), sorted, block style, img_size and
 * milestones as !!python/tuple, strings quoted. path names the file in messages. */
int irra_run_config_emit(FILE *f, const char *path, const irra_run_config *c, irra_err *e);

#endif
