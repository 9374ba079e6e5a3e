#include "cmd/model_opts.h"
#include "cmd/cli.h"

#include <stdio.h>

int cli_model_opt(cli_model_opts *o, int c, const char *arg)
{
    char tail;
    irra_open_opts *p = &o->opts;
    switch (c) {
    case CLI_OPT_MODEL: o->model = arg; return 1;
    case CLI_OPT_VOCAB: p->vocab_path = arg; return 1;
    case CLI_OPT_IMAGE_SIZE:
        if (sscanf(arg, "%dx%d%c", &p->img_h, &p->img_w, &tail) != 2 || p->img_h < 1 ||
            p->img_w < 1 || p->img_h > 8192 || p->img_w > 8192) {
            cli_error("--image-size wants HxW (e.g. 384x128), got '%s'", arg);
            return -1;
        }
        return 1;
    case CLI_OPT_STRIDE:
        if (sscanf(arg, "%d%c", &p->stride, &tail) != 1 || p->stride < 1 || p->stride > 1024) {
            cli_error("--stride wants a positive number, got '%s'", arg);
            return -1;
        }
        return 1;
    }
    return 0;
}

const char *cli_model_file(const cli_model_opts *o, char *buf, size_t n)
{
    if (o->model) return o->model;
    if (cli_asset_path(CLI_SHIPPED_MODEL, buf, n) != 0) {
        cli_error("no --model given and no shipped model (" CLI_SHIPPED_MODEL ") found");
        return NULL;
    }
    return buf;
}

irra_model *cli_model_load(const cli_model_opts *o)
{
    char model[4096], vocab[4096];
    const char *path = cli_model_file(o, model, sizeof model);
    if (!path) return NULL;
    irra_open_opts opts = o->opts;
    if (cli_asset_path(CLI_SHIPPED_VOCAB, vocab, sizeof vocab) == 0) opts.fallback_vocab_path = vocab;
    irra_err e = {{0}};
    irra_model *m = irra_model_open(path, &opts, &e);
    if (!m) cli_error("%s", e.msg);
    return m;
}
