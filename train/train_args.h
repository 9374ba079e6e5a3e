/* The arguments of `irra train`: every official hyperparameter under its official name in kebab
 * case, the model's size for a run from scratch, and the run's own options. Parsed from the
 * command line, and again from run.json when a run is resumed, so a resumed run is the same
 * run. */
#ifndef IRRA_TRAIN_ARGS_H
#define IRRA_TRAIN_ARGS_H

#include "train/loader.h"
#include "train/optim.h"
#include "train/trainer.h"

typedef struct {
    const char *dataset, *init, *resume, *out, *replay, *vocab, *preset, *val_split;
    const char *loss_names;
    irra_optim_args oa;
    int lr_given, optimizer_given;
    double id_loss_weight, mlm_loss_weight, temperature;
    irra_loader_opts lo;
    int dry_run, checkpoint_every, quiet;
    /* the model's size from scratch (0: the preset's) */
    int v_width, v_layers, t_width, t_layers, embed_dim, patch, img_h, img_w, stride, context,
        cmt_depth;
} irra_train_args;

/* Parses argv (argv[0] the command name) into a, the defaults first. Prints nothing; errors name
 * the option. Returns 1 when --help was asked for. */
int irra_train_args_parse(irra_train_args *a, int argc, char **argv, irra_err *e);

/* The usage text. */
extern const char irra_train_usage[];

/* The named sizes for a model from scratch: "tiny", "small", "vit-b16". Fills the size fields
 * that are 0; an unknown name is an error listing the known ones. */
int irra_train_preset(irra_train_args *a, const char *name, irra_err *e);

#endif
