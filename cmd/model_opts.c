#include "cmd/model_opts.h"
#include "cmd/cli.h"

#include <stdio.h>

#define SHIPPED_MODEL "irra-synth.safetensors"

int cli_model_opt(cli_model_opts *o, int c, const char *arg)
{
    char tail;
    switch (c) {
    case 0x1001: o->model = arg; return 1;
    case 0x1002: o->vocab = arg; return 1;
    case 0x1003:
        if (sscanf(arg, "%dx%d%c", &o->img_h, &o->img_w, &tail) != 2 || o->img_h < 1 ||
            o->img_w < 1 || o->img_h > 8192 || o->img_w > 8192) {
            cli_error("--image-size wants HxW (e.g. 384x128), got '%s'", arg);
            return -1;
        }
        return 1;
    case 0x1004:
        if (sscanf(arg, "%d%c", &o->stride, &tail) != 1 || o->stride < 1 || o->stride > 1024) {
            cli_error("--stride wants a positive number, got '%s'", arg);
            return -1;
        }
        return 1;
    }
    return 0;
}

irra_model *cli_model_load(const cli_model_opts *o)
{
    char shipped[4096];
    const char *path = o->model;
    if (!path) {
        if (cli_asset_path(SHIPPED_MODEL, shipped, sizeof shipped) != 0) {
            cli_error("no --model given and no shipped model (" SHIPPED_MODEL ") found");
            return NULL;
        }
        path = shipped;
    }
    irra_open_opts opts = {o->img_h, o->img_w, o->stride, o->vocab};
    irra_err e = {{0}};
    irra_model *m = irra_model_open(path, &opts, &e);
    if (!m) cli_error("%s", e.msg);
    return m;
}
