/* irra export: a model file back to the official checkpoint layout (best.pth + configs.yaml). */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/model_opts.h"
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
    CLI_MODEL_LOAD_USAGE;

enum { OPT_DATASET = 0x2000, OPT_ROOT };

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
    irra_model_free(m);
    if (rc) return cli_error("%s", e.msg);
    return 0;
}
