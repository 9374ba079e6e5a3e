/* The official trainer's configs.yaml (a yaml dump of its arguments, written beside best.pth):
 * the input size and patch stride, which a state dict does not record (spec 7.1). */
#ifndef IRRA_RUN_CONFIG_H
#define IRRA_RUN_CONFIG_H

#include "model/err.h"

/* Reads img_size ([H, W], a plain list or a !!python/tuple) and stride_size. Keys that are
 * absent leave their outputs untouched; a missing file, malformed YAML, a value of the wrong
 * form, a file over 256 KiB or nested over 32 levels is an error naming the file. */
int irra_read_run_config(const char *yaml_path, int *img_h, int *img_w, int *stride, irra_err *e);

#endif
