/* irra grad: one batch through IRRA's training forward and backward; the loss parts and, with
 * -o, every parameter's gradient under its official name. The numerical core of `irra train`,
 * exposed so that it can be checked against PyTorch (tests/check_grad.py). */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/model_opts.h"
#include "train/batch.h"
#include "train/losses.h"
#include "train/params.h"
#include "train/trainer.h"

#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char usage[] =
    "usage: irra grad --model M --batch BATCH.json [-o GRADS.safetensors] [--json]\n"
    "                 [--vocab F] [--image-size HxW] [--stride S]\n\n"
    "Runs one batch through IRRA's training forward and backward and prints the loss parts as\n"
    "the official code names them (loss, sdm_loss, id_loss, mlm_loss, itc_loss, img_acc,\n"
    "txt_acc, mlm_acc). With -o, writes the gradient of every trainable parameter as fp32 under\n"
    "its official state_dict name. BATCH.json (man irra-grad) holds image paths relative to it,\n"
    "pids, caption_ids, mlm_ids, mlm_labels and loss_names (default sdm+id+mlm).\n\n"
    "options:\n"
    "  --batch F          the batch file\n"
    "  -o, --output F     write the gradients to this safetensors file\n"
    "  --json             print one JSON object instead of a table\n"
    CLI_MODEL_USAGE;

typedef struct {
    const char *name;
    double v;
    int on;
} part;

static void print_parts(const part *p, int n, const irra_losses *l, double secs, size_t act,
                        int B, int json)
{
    if (!json) {
        for (int i = 0; i < n; i++)
            if (p[i].on) printf("%-12s %.6f\n", p[i].name, p[i].v);
        printf("%-12s %d (text passes %d, MLM positions %d)\n", "batch", B, l->text_passes,
               l->mlm_rows);
        printf("%-12s %.3f s, activations %.1f MB (%.2f MB a sample)\n", "step", secs, act / 1e6,
               act / 1e6 / B);
        return;
    }
    json_object *o = json_object_new_object();
    for (int i = 0; i < n; i++)
        if (p[i].on) json_object_object_add(o, p[i].name, json_object_new_double(p[i].v));
    json_c_set_serialization_double_format("%.10g", JSON_C_OPTION_THREAD);
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
}

static void report(const irra_loss_cfg *lc, const irra_losses *l, double secs, size_t act, int B,
                   int json)
{
    part p[] = {
        {"loss", l->loss, 1},
        {"temperature", 1.0 / IRRA_LOGIT_SCALE, 1},
        {"itc_loss", l->itc_loss, lc->itc},
        {"sdm_loss", l->sdm_loss, lc->sdm},
        {"id_loss", l->id_loss, lc->id},
        {"img_acc", l->img_acc, lc->id},
        {"txt_acc", l->txt_acc, lc->id},
        {"mlm_loss", l->mlm_loss, lc->mlm},
        {"mlm_acc", l->mlm_acc, lc->mlm},
    };
    print_parts(p, (int)(sizeof p / sizeof *p), l, secs, act, B, json);
}

static int write_grads(const char *path, const irra_param_buf *g, const irra_loss_cfg *lc,
                       const irra_losses *l, irra_err *e)
{
    char names[32], loss[32];
    irra_loss_names_format(lc, names, sizeof names);
    snprintf(loss, sizeof loss, "%.9g", l->loss);
    const char *key[] = {"irra.kind", "irra.loss_names", "irra.loss"};
    const char *val[] = {"gradients", names, loss};
    return irra_safetensors_write(path, g->ts.t, g->ts.n, IRRA_F32, key, val, 3, e);
}

/* Everything after the options: model, buffers, batch, step, output. */
static int run(irra_model *m, const char *batch, const char *out, int json)
{
    irra_err e = {{0}};
    irra_param_layout L;
    irra_param_buf p = {0}, g = {0};
    irra_trainer *t = NULL;
    irra_batch_file bf = {0};
    int rc = CLI_EXIT_ERROR;
    if (irra_param_layout_make(&L, irra_model_config(m), &e) < 0) return cli_error("grad: %s", e.msg);
    if (irra_param_buf_init(&p, &L, "parameters", &e) < 0 ||
        irra_param_buf_load(&p, irra_model_tensors(m), &e) < 0 ||
        irra_param_buf_init(&g, &L, "gradients", &e) < 0 || !(t = irra_trainer_new(&p, &g, &e)) ||
        irra_batch_read(&bf, batch, &L.cfg, &e) < 0) {
        cli_error("grad: %s", e.msg);
        goto out;
    }
    struct timespec t0, t1;
    irra_losses l;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    if (irra_train_step(t, &bf.b, &bf.losses, &l, &e) < 0) {
        cli_error("grad: %s: %s", batch, e.msg);
        goto out;
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double secs = (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (out && write_grads(out, &g, &bf.losses, &l, &e) < 0) {
        cli_error("grad: %s", e.msg);
        goto out;
    }
    report(&bf.losses, &l, secs, irra_trainer_act_bytes(t), bf.b.B, json);
    rc = 0;
out:
    irra_batch_free(&bf);
    irra_trainer_free(t);
    irra_param_buf_free(&g), irra_param_buf_free(&p);
    irra_param_layout_free(&L);
    return rc;
}

int cmd_grad(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    static const struct option longopts[] = {
        {"batch", required_argument, 0, 'b'}, {"output", required_argument, 0, 'o'},
        {"json", no_argument, 0, 'j'}, CLI_MODEL_LONGOPTS, {0, 0, 0, 0}};
    cli_model_opts mo = {0};
    const char *batch = NULL, *out = NULL;
    int json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:", longopts, NULL)) != -1) {
        int r = cli_model_opt(&mo, c, optarg);
        if (r < 0) return CLI_EXIT_ERROR;
        if (r) continue;
        if (c == 'b') batch = optarg;
        else if (c == 'o') out = optarg;
        else if (c == 'j') json = 1;
        else return cli_bad_option("grad", "irra grad --help", "o:", argv);
    }
    if (optind < argc) return cli_error("grad: unexpected '%s' (irra grad --help)", argv[optind]);
    if (!batch) return cli_error("grad: --batch BATCH.json is required");
    irra_model *m = cli_model_load(&mo);
    if (!m) return CLI_EXIT_ERROR;
    int rc = run(m, batch, out, json);
    irra_model_free(m);
    return rc;
}
