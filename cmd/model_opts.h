/* The options every model-using command shares: --model, --vocab, --image-size, --stride. */
#ifndef IRRA_MODEL_OPTS_H
#define IRRA_MODEL_OPTS_H

#include "model/irra.h"

#include <getopt.h>

typedef struct {
    const char *model; /* NULL: the shipped model */
    const char *vocab;
    int img_h, img_w, stride;
} cli_model_opts;

/* Entries for a getopt_long table; the values are the option codes cli_model_opt handles. */
#define CLI_MODEL_LONGOPTS                                                            \
    {"model", required_argument, 0, 0x1001}, {"vocab", required_argument, 0, 0x1002}, \
        {"image-size", required_argument, 0, 0x1003}, {"stride", required_argument, 0, 0x1004}

#define CLI_MODEL_USAGE                                                                   \
    "  --model M          model: irra safetensors file or official IRRA .pth (default: shipped)\n" \
    "  --vocab F          BPE merges file (bpe_simple_vocab_16e6.txt.gz), for a .pth\n"           \
    "  --image-size HxW   input size when the model file does not say (default 384x128)\n"       \
    "  --stride S         patch stride when the model file does not say (default 16)\n"

/* Handles one getopt_long result: 1 if it was a model option, 0 if not, -1 (after printing an
 * error) for a bad value. */
int cli_model_opt(cli_model_opts *o, int c, const char *arg);

/* Opens the model the options name; prints the error and returns NULL on failure. */
irra_model *cli_model_load(const cli_model_opts *o);

#endif
