/* The options every model-using command shares: --model, --vocab, --image-size, --stride, and
 * how a command opens its model: the shipped model when --model is absent, the shipped
 * vocabulary when the model file has none (an official .pth carries no vocabulary). */
#ifndef IRRA_MODEL_OPTS_H
#define IRRA_MODEL_OPTS_H

#include "model/irra.h"

#include <getopt.h>
#include <stddef.h>

#define CLI_SHIPPED_MODEL "irra-synth.safetensors"
#define CLI_SHIPPED_VOCAB "bpe_simple_vocab_16e6.txt.gz"

typedef struct {
    const char *model; /* NULL: the shipped model */
    irra_open_opts opts;
} cli_model_opts;

enum { CLI_OPT_MODEL = 0x1000, CLI_OPT_VOCAB, CLI_OPT_IMAGE_SIZE, CLI_OPT_STRIDE };

/* Entries for a getopt_long table; cli_model_opt handles their codes. */
#define CLI_MODEL_LONGOPTS                                                                   \
    {"model", required_argument, 0, CLI_OPT_MODEL},                                          \
        {"vocab", required_argument, 0, CLI_OPT_VOCAB},                                      \
        {"image-size", required_argument, 0, CLI_OPT_IMAGE_SIZE},                            \
        {"stride", required_argument, 0, CLI_OPT_STRIDE}

#define CLI_MODEL_USAGE                                                                           \
    "  --model M          an irra .safetensors file or an official IRRA .pth (default: shipped)\n" \
    CLI_MODEL_LOAD_USAGE
/* The options of how a model file is read, for a command whose model is its argument. */
#define CLI_MODEL_LOAD_USAGE                                                                      \
    "  --vocab F          BPE merges file (default: the model's own, else the shipped one)\n"    \
    "  --image-size HxW   input size when neither the model file nor configs.yaml gives it\n"    \
    "  --stride S         patch stride, likewise (default 384x128, 16)\n"

/* Handles one getopt_long result: 1 if it was a model option, 0 if not, -1 (after printing an
 * error) for a bad value. */
int cli_model_opt(cli_model_opts *o, int c, const char *arg);

/* The model file the options name: --model, else the shipped model's path in buf; NULL (after
 * printing an error) when there is neither. */
const char *cli_model_file(const cli_model_opts *o, char *buf, size_t n);

/* Opens the model the options name; prints the error and returns NULL on failure. */
irra_model *cli_model_load(const cli_model_opts *o);

#endif
