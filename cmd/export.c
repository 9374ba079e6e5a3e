/* irra export: a model file back to the official checkpoint layout (best.pth + configs.yaml). */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/model_opts.h"
#include "model/atomic_file.h"
#include "model/bpe.h"
#include "model/export.h"

#include <stdio.h>
#include <string.h>

static const char usage[] =
    "usage: irra export MODEL -o best.pth [--dataset-name N] [--root-dir D]\n"
    "                   [--image-size HxW] [--stride S]\n\n"
    "Writes MODEL (an irra .safetensors file or a .pth) as the official IRRA checkpoint: a\n"
    "torch.save archive holding {\"model\": state_dict} with the official names and the official\n"
    "fp16/fp32 split, plus configs.yaml beside it, so that torch.load(..., weights_only=True) and\n"
    "the official test.py --config_file DIR/configs.yaml load it. Both files are replaced\n"
    "atomically; configs.yaml in the output's folder is overwritten.\n\n"
    "options:\n"
    "  -o, --output F     the checkpoint to write (test.py loads DIR/best.pth)\n"
    "  --dataset-name N   configs.yaml dataset_name (default: from the classifier's size:\n"
    "                     11003 CUHK-PEDES, 3102 ICFG-PEDES, 3701 RSTPReid; else CUHK-PEDES)\n"
    "  --root-dir D       configs.yaml root_dir, where test.py finds the dataset (./data)\n"
    "A model with a vocabulary of its own (irra vocab) also gets its merges file beside the\n"
    "checkpoint, bpe_merges.txt.gz: the official code reads it from\n"
    "data/bpe_simple_vocab_16e6.txt.gz.\n"
    CLI_MODEL_LOAD_USAGE;

enum { OPT_DATASET = 0x2000, OPT_ROOT };

/* A vocabulary other than CLIP's goes beside the checkpoint, gzipped as the official code
 * wants it, under a name that never replaces a copy of CLIP's file. */
static int export_vocab(const irra_bpe *b, const char *pth, irra_err *e)
{
    if (!b || irra_bpe_vocab_size(b) == 49408) return 0;
    const char *slash = strrchr(pth, '/');
    int dir = slash ? (int)(slash - pth) + 1 : 0;
    char path[4096];
    if (snprintf(path, sizeof path, "%.*sbpe_merges.txt.gz", dir, pth) >= (int)sizeof path)
        return irra_fail(e, "%s: path too long", pth);
    size_t n;
    const char *text = irra_bpe_merges_text(b, &n);
    if (irra_atomic_write(path, text, n, 1, e)) return -1;
    char safe[4200];
    fprintf(stderr, "irra: export: the model's vocabulary is its own (%d ids): %s; the official code "
            "reads it as data/bpe_simple_vocab_16e6.txt.gz\n", irra_bpe_vocab_size(b),
            cli_safe(path, safe, sizeof safe));
    return 0;
}

int cmd_export(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    static const struct option longopts[] = {
        {"output", required_argument, 0, 'o'}, {"dataset-name", required_argument, 0, OPT_DATASET},
        {"root-dir", required_argument, 0, OPT_ROOT}, CLI_MODEL_LONGOPTS, {0, 0, 0, 0}};
    cli_model_opts mo = {0};
    irra_export_opts eo = {0};
    const char *out = NULL;
    int c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        if (c == CLI_OPT_MODEL)
            return cli_error("export: the model is the argument, not --model (irra export MODEL -o OUT)");
        int r = cli_model_opt(&mo, c, optarg);
        if (r < 0) return CLI_EXIT_ERROR;
        if (r) continue;
        if (c == 'o') out = optarg;
        else if (c == OPT_DATASET) eo.dataset_name = optarg;
        else if (c == OPT_ROOT) eo.root_dir = optarg;
        else return cli_bad_option("export", "irra export --help", "o:", argv);
    }
    if (optind != argc - 1) return cli_error("export: give exactly one model file (irra export --help)");
    if (!out || !*out) return cli_error("export: -o best.pth is required");
    mo.model = argv[optind];
    irra_model *m = cli_model_load(&mo);
    if (!m) return CLI_EXIT_ERROR;
    irra_err e = {{0}};
    int rc = irra_model_export(m, out, &eo, &e);
    if (!rc) rc = export_vocab(irra_model_bpe(m), out, &e);
    irra_model_free(m);
    if (rc) return cli_error("%s", e.msg);
    return 0;
}
