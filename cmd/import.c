/* irra import: an official checkpoint (.pth) to our self-contained safetensors model file. */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/model_opts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: irra import MODEL -o OUT.safetensors [--vocab F] [--dtype f32|f16]\n"
    "                   [--image-size HxW] [--stride S]\n\n"
    "Converts an official IRRA checkpoint (best.pth, or a plain state-dict .pth) or another\n"
    "model file into irra's safetensors model file: the weights, the configuration (image size,\n"
    "stride) and, with --vocab, the tokenizer vocabulary, in one file that loads without copying.\n"
    "The image size and stride come from configs.yaml beside the checkpoint when present.\n\n"
    "options:\n"
    "  -o, --output F     the file to write\n"
    "  --dtype T          f32 (default; used in place from the mapped file) or f16 (half size)\n"
    CLI_MODEL_LOAD_USAGE;

static int write_model(const irra_model *m, const char *out, irra_dtype dtype, irra_err *e)
{
    const irra_config *c = irra_model_config(m);
    const irra_tensors *ts = irra_model_tensors(m);
    char h[16], w[16], s[16];
    snprintf(h, sizeof h, "%d", c->img_h);
    snprintf(w, sizeof w, "%d", c->img_w);
    snprintf(s, sizeof s, "%d", c->stride);
    const char *key[5] = {"irra.format", "irra.img_h", "irra.img_w", "irra.stride", NULL};
    const char *val[5] = {"1", h, w, s, NULL};
    int nmeta = 4;
    const irra_bpe *bpe = irra_model_bpe(m);
    if (bpe) {
        size_t len;
        key[nmeta] = "irra.bpe_merges";
        val[nmeta++] = irra_bpe_merges_text(bpe, &len);
    }
    return irra_safetensors_write(out, ts->t, ts->n, dtype, key, val, nmeta, e);
}

int cmd_import(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'}, {"dtype", required_argument, 0, 'd'},
        CLI_MODEL_LONGOPTS, {0, 0, 0, 0}};
    cli_model_opts mo = {0};
    const char *out = NULL;
    irra_dtype dtype = IRRA_F32;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        if (c == CLI_OPT_MODEL)
            return cli_error("import: the model is the argument, not --model (irra import MODEL -o OUT)");
        int r = cli_model_opt(&mo, c, optarg);
        if (r < 0) return CLI_EXIT_ERROR;
        if (r) continue;
        if (c == 'o') out = optarg;
        else if (c == 'd' && !strcmp(optarg, "f32")) dtype = IRRA_F32;
        else if (c == 'd' && !strcmp(optarg, "f16")) dtype = IRRA_F16;
        else if (c == 'd') return cli_error("import: --dtype wants f32 or f16, got '%s'", optarg);
        else return cli_bad_option("import", "irra import --help", "o:", argv);
    }
    if (optind != argc - 1) return cli_error("import: give exactly one model file (irra import --help)");
    if (!out) return cli_error("import: -o OUT.safetensors is required");
    mo.model = argv[optind];
    irra_model *m = cli_model_load(&mo);
    if (!m) return CLI_EXIT_ERROR;
    irra_err e = {{0}};
    int rc = write_model(m, out, dtype, &e);
    irra_model_free(m);
    if (rc) return cli_error("%s", e.msg);
    return 0;
}
