/* The model options every command that encodes takes: --model M, --vocab F (official
 * checkpoints carry no vocabulary), --image-size HxW and --stride S. */
#ifndef GAL_MODEL_ARGS_H
#define GAL_MODEL_ARGS_H

#include "model/irra.h"

#include <getopt.h>

enum { GAL_OPT_MODEL = 0x1000, GAL_OPT_VOCAB, GAL_OPT_IMAGE_SIZE, GAL_OPT_STRIDE };

#define GAL_MODEL_LONGOPTS                                                                        \
    {"model", required_argument, NULL, GAL_OPT_MODEL},                                            \
        {"vocab", required_argument, NULL, GAL_OPT_VOCAB},                                        \
        {"image-size", required_argument, NULL, GAL_OPT_IMAGE_SIZE},                              \
        {"stride", required_argument, NULL, GAL_OPT_STRIDE}

#define GAL_MODEL_USAGE                                                                           \
    "  --model M          the model: an official .pth checkpoint or an irra .safetensors file\n"  \
    "  --vocab F          BPE merges file (bpe_simple_vocab_16e6.txt.gz) for a model without one\n" \
    "  --image-size HxW   input size when neither the model file nor configs.yaml gives it\n"     \
    "  --stride S         patch stride, likewise\n"

typedef struct {
    const char *model;
    irra_open_opts opts;
} gal_model_args;

/* Takes one getopt result: 1 if it was a model option, 0 if not, -1 after printing an error
 * about its value. */
int gal_model_arg(gal_model_args *a, int opt, const char *arg);

/* Opens the model (need_text: a tokenizer is required; without --vocab and without one in the
 * model file the shipped merges file is used). Prints the error and returns NULL on failure. */
irra_model *gal_model_load(const gal_model_args *a, int need_text);

#endif
