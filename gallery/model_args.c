#include "gallery/model_args.h"

#include "cmd/cli.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int gal_model_arg(gal_model_args *a, int opt, const char *arg)
{
    char end;
    switch (opt) {
    case GAL_OPT_MODEL: a->model = arg; return 1;
    case GAL_OPT_VOCAB: a->opts.vocab_path = arg; return 1;
    case GAL_OPT_IMAGE_SIZE:
        if (sscanf(arg, "%dx%d%c", &a->opts.img_h, &a->opts.img_w, &end) != 2 ||
            a->opts.img_h <= 0 || a->opts.img_w <= 0 || a->opts.img_h > 8192 ||
            a->opts.img_w > 8192) {
            cli_error("--image-size: '%s' is not HxW (e.g. 384x128)", arg);
            return -1;
        }
        return 1;
    case GAL_OPT_STRIDE:
        if (sscanf(arg, "%d%c", &a->opts.stride, &end) != 1 || a->opts.stride <= 0 ||
            a->opts.stride > 1024) {
            cli_error("--stride: '%s' is not a positive number", arg);
            return -1;
        }
        return 1;
    }
    return 0;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

irra_model *gal_model_load(const gal_model_args *a, int need_text)
{
    if (!a->model) {
        cli_error("no model: pass --model M (a .pth checkpoint or .safetensors file)");
        return NULL;
    }
    irra_open_opts o = a->opts;
    /* An official checkpoint has no vocabulary: use the shipped one unless told otherwise. */
    char vocab[4096];
    int shipped = need_text && !o.vocab_path &&
                  !cli_asset_path("bpe_simple_vocab_16e6.txt.gz", vocab, sizeof vocab);
    if (shipped && ends_with(a->model, ".pth")) o.vocab_path = vocab;
    irra_err e;
    irra_model *m = irra_model_open(a->model, &o, &e);
    if (!m) {
        cli_error("%s", e.msg);
        return NULL;
    }
    if (!need_text || irra_model_bpe(m)) return m;
    irra_model_free(m);
    if (!shipped) {
        cli_error("%s: the model carries no vocabulary; pass --vocab bpe_simple_vocab_16e6.txt.gz",
                  a->model);
        return NULL;
    }
    o.vocab_path = vocab;
    if (!(m = irra_model_open(a->model, &o, &e))) cli_error("%s", e.msg);
    return m;
}
