/* irra train: sets up a run (model, data, optimizer, run directory) and hands it to the loop in
 * train/run.c. A run directory's run.json keeps the command line, so --resume rebuilds the same
 * run and continues from its checkpoint. */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/model_opts.h"
#include "model/config.h"
#include "train/init.h"
#include "train/pos_resize.h"
#include "train/replay.h"
#include "train/run.h"
#include "train/train_args.h"

#include <errno.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#define RUN_FORMAT 1

typedef struct {
    irra_train_args a;
    irra_model *init;       /* --init */
    irra_bpe *bpe;          /* from scratch: the vocabulary */
    irra_config cfg;
    irra_param_layout L;
    irra_param_buf p, g;
    irra_optim o;
    irra_loader *loader;
    irra_replay replay;
    irra_evaluator ev;
    int have_ev;
    char *args_json;
} train_run;

/* ---- the run directory ------------------------------------------------------------------ */

static int is_empty_dir(const char *dir)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, IRRA_RUN_INFO);
    struct stat st;
    if (stat(path, &st) == 0) return 0;
    snprintf(path, sizeof path, "%s/%s", dir, IRRA_RUN_CHECKPOINT);
    return stat(path, &st) != 0;
}

/* The command line as a JSON array, for run.json and the files' metadata. */
static char *argv_json(int argc, char **argv)
{
    json_object *o = json_object_new_object(), *arr = json_object_new_array();
    for (int i = 1; i < argc; i++) json_object_array_add(arr, json_object_new_string(argv[i]));
    json_object_object_add(o, "format", json_object_new_int(RUN_FORMAT));
    json_object_object_add(o, "irra_version", json_object_new_string(IRRA_VERSION));
    json_object_object_add(o, "argv", arr);
    char *s = strdup(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
    json_object_put(o);
    return s;
}

static int write_info(const char *dir, const char *json, irra_err *e)
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/%s", dir, IRRA_RUN_INFO);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f || fprintf(f, "%s\n", json) < 0 || fclose(f) != 0 || rename(tmp, path) != 0)
        return irra_fail(e, "%s: %s", path, strerror(errno));
    return 0;
}

/* Reads RUN_DIR/run.json back into an argv (argv[0] "train"); refused when written by another
 * format of run directory. */
static int read_info(const char *dir, int *argc, char ***argv, irra_err *e)
{
    char path[4200];
    snprintf(path, sizeof path, "%s/%s", dir, IRRA_RUN_INFO);
    FILE *f = fopen(path, "rb");
    if (!f) return irra_fail(e, "%s: not a run directory (%s)", dir, strerror(errno));
    char buf[65536];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = 0;
    json_object *o = json_tokener_parse(buf), *fmt, *arr;
    if (!o || !json_object_object_get_ex(o, "format", &fmt) ||
        !json_object_object_get_ex(o, "argv", &arr) || json_object_get_type(arr) != json_type_array) {
        json_object_put(o);
        return irra_fail(e, "%s: not a readable run description", path);
    }
    int format = json_object_get_int(fmt);
    if (format != RUN_FORMAT) {
        json_object_put(o);
        return irra_fail(e, "%s: a run directory of format %d; this irra (%s) reads format %d",
                         path, format, IRRA_VERSION, RUN_FORMAT);
    }
    int k = (int)json_object_array_length(arr);
    char **v = calloc((size_t)k + 2, sizeof *v);
    v[0] = strdup("train");
    for (int i = 0; i < k; i++) v[i + 1] = strdup(json_object_get_string(json_object_array_get_idx(arr, (size_t)i)));
    json_object_put(o);
    *argc = k + 1, *argv = v;
    return 0;
}

/* ---- the model -------------------------------------------------------------------------- */

static int scratch_config(train_run *r, int num_classes, irra_err *e)
{
    irra_train_args *a = &r->a;
    if (irra_train_preset(a, a->preset ? a->preset : "tiny", e) < 0) return -1;
    irra_config *c = &r->cfg;
    memset(c, 0, sizeof *c);
    if (a->v_width % 64 || a->t_width % 64 || a->embed_dim % 64)
        return irra_fail(e, "train: widths must be multiples of 64 (heads = width / 64)");
    if (a->img_h < a->patch || a->img_w < a->patch)
        return irra_fail(e, "train: --img-size %dx%d is smaller than the patch %d", a->img_h, a->img_w, a->patch);
    c->embed_dim = a->embed_dim;
    c->v_width = a->v_width, c->v_layers = a->v_layers, c->v_heads = a->v_width / 64;
    c->patch = a->patch;
    irra_config_set_input(c, a->img_h, a->img_w, a->stride);
    c->t_width = a->t_width, c->t_layers = a->t_layers, c->t_heads = a->t_width / 64;
    c->context = a->context, c->vocab = irra_bpe_vocab_size(r->bpe);
    c->has_mlm = 1, c->cmt_layers = a->cmt_depth, c->cmt_heads = a->embed_dim / 64;
    c->mlm_vocab = c->vocab, c->num_classes = num_classes;
    return 0;
}

/* The --init model's configuration, at --img-size when that is given: the patch grid follows
 * the input, and make_params resizes the positional embedding to it (spec 1.3). */
static int init_config(const train_run *r, irra_config *c, irra_err *e)
{
    const irra_train_args *a = &r->a;
    *c = *irra_model_config(r->init);
    if (!a->img_h) return 0;
    if (a->img_h < c->patch || a->img_w < c->patch)
        return irra_fail(e, "train: --img-size %dx%d is smaller than the patch %d", a->img_h, a->img_w, c->patch);
    irra_config_set_input(c, a->img_h, a->img_w, c->stride);
    return 0;
}

/* The --init model's positional embedding (tensor i), resized from its grid to ours. */
static int resize_pos_embed(train_run *r, int i, irra_err *e)
{
    const irra_config *from = irra_model_config(r->init), *to = &r->cfg;
    char key[256];
    const irra_tensor *t = irra_param_source(&r->L, irra_model_tensors(r->init), "", i, key);
    if (!t || t->ndim != 2 || t->shape[0] != from->v_tokens || t->shape[1] != to->v_width)
        return irra_fail(e, "%s: no tensor %s of %d rows", r->a.init, key, from->v_tokens);
    float *src = malloc((size_t)irra_tensor_numel(t) * sizeof *src);
    if (!src) return irra_fail(e, "out of memory");
    irra_tensor_to_f32(t, src);
    irra_pos_embed_resize(src, from->grid_h, from->grid_w, r->p.mem + r->L.off[i], to->grid_h,
                          to->grid_w, to->v_width);
    free(src);
    if (!r->a.quiet)
        fprintf(stderr, "irra: %s: positional embedding resized from a %dx%d grid to %dx%d\n",
                r->a.init, from->grid_h, from->grid_w, to->grid_h, to->grid_w);
    return 0;
}

/* Parameters: from --init (a classifier of another size re-initialised, the positional
 * embedding resized to another input size) or from scratch. */
static int make_params(train_run *r, int num_classes, irra_err *e)
{
    irra_train_args *a = &r->a;
    if (a->init) {
        if (init_config(r, &r->cfg, e) < 0) return -1;
        if (num_classes > 0) r->cfg.num_classes = num_classes;
    } else if (scratch_config(r, num_classes, e) < 0) {
        return -1;
    }
    if (irra_param_layout_make(&r->L, &r->cfg, e) < 0 ||
        irra_param_buf_init(&r->p, &r->L, "parameters", e) < 0 ||
        irra_param_buf_init(&r->g, &r->L, "gradients", e) < 0)
        return -1;
    if (!a->init) {
        irra_init_all(&r->p, a->lo.seed);
        return 0;
    }
    int *skip = calloc((size_t)r->L.n, sizeof *skip);
    if (!skip) return irra_fail(e, "out of memory");
    int rc = irra_param_buf_load_named(&r->p, irra_model_tensors(r->init), "", skip, e);
    for (int i = 0; rc == 0 && i < r->L.n; i++) {
        if (!skip[i]) continue;
        if (!strcmp(r->L.name[i], "base_model.visual.positional_embedding") &&
            r->cfg.v_tokens != irra_model_config(r->init)->v_tokens) {
            rc = resize_pos_embed(r, i, e);
            continue;
        }
        if (strncmp(r->L.name[i], "classifier.", 11)) {
            rc = irra_fail(e, "%s: no tensor %s of the expected shape", a->init, r->L.name[i]);
            break;
        }
        irra_init_tensor(&r->p, i, a->lo.seed);
        if (!a->quiet && !strcmp(r->L.name[i], "classifier.weight"))
            fprintf(stderr, "irra: %s has no classifier for %d identities: classifier re-initialised\n",
                    a->init, r->cfg.num_classes);
    }
    free(skip);
    return rc;
}

/* ---- the batch source of a dataset ------------------------------------------------------ */

typedef struct {
    irra_loader *L;
    irra_loader_out out;
} data_src;

static int data_steps(void *ctx, int epoch)
{
    irra_err e;
    return irra_loader_steps(((data_src *)ctx)->L, (uint32_t)epoch, &e);
}

static int data_batch(void *ctx, int epoch, int step, irra_train_batch *b, irra_err *e)
{
    data_src *d = ctx;
    if (irra_loader_batch(d->L, (uint32_t)epoch, step, &d->out, e) < 0) return -1;
    *b = d->out.b;
    return 0;
}

static long data_samples(void *ctx) { return irra_loader_samples(((data_src *)ctx)->L); }

/* ---- the command ------------------------------------------------------------------------ */

static void dry_run(train_run *r, irra_batch_source *src)
{
    size_t total = 0;
    printf("%-60s %-16s %-9s %s\n", "parameter", "shape", "lr", "weight_decay");
    for (int i = 0; i < r->L.n; i++) {
        char shape[64] = "";
        size_t n = 1, k = 0;
        for (int d = 0; d < r->L.ndim[i]; d++) {
            n *= (size_t)r->L.shape[i][d];
            k += (size_t)snprintf(shape + k, sizeof shape - k, "%s%lld", d ? "x" : "", (long long)r->L.shape[i][d]);
        }
        total += n;
        printf("%-60s %-16s %-9.3g %.3g\n", r->L.name[i], shape, r->o.lr[i], r->o.wd[i]);
    }
    printf("parameters %zu (%.1f M), %d tensors; fp32 model %.1f MB, with Adam moments %.1f MB\n",
           total, total / 1e6, r->L.n, total * 4e-6, total * 12e-6);
    irra_train_batch b;
    irra_err e = {{0}};
    int steps = src->steps(src->ctx, 1);
    if (src->batch(src->ctx, 1, 0, &b, &e) < 0) {
        printf("time per epoch: unknown (%s)\n", e.msg);
        return;
    }
    irra_run_flush_denormals(); /* as irra_run does: the estimate is of the run's speed */
    irra_trainer *t = irra_trainer_new(&r->p, &r->g, &e);
    irra_losses l;
    irra_loss_cfg lc;
    irra_loss_names_parse(r->a.loss_names, &lc, &e);
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    int ok = t && irra_train_step(t, &b, &lc, &l, &e) == 0;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) * 1e-9;
    if (ok)
        printf("one step of %d: %.2f s (activations %.1f MB); epoch of %d steps: about %.0f s\n",
               b.B, s, irra_trainer_act_bytes(t) / 1e6, steps, s * steps);
    else
        printf("time per epoch: unknown (%s)\n", e.msg);
    irra_trainer_free(t);
}

static int setup(train_run *r, int argc, char **argv, irra_err *e)
{
    irra_train_args *a = &r->a;
    if (!a->dataset && !a->replay) return irra_fail(e, "train: give --dataset FORMAT:DIR or --replay FILE");
    if (a->dataset && a->replay) return irra_fail(e, "train: --dataset and --replay exclude each other");
    if (!a->out) return irra_fail(e, "train: -o RUN_DIR is required");
    if (a->replay && !a->init) return irra_fail(e, "train: --replay needs --init MODEL");
    /* From scratch the official fine-tuning recipe barely moves a random model (eps 1e-3 damps
     * Adam's small early gradients): AdamW at 1e-3 unless told otherwise (README, Training). */
    if (!a->init && !a->lr_given) a->oa.lr = 1e-3;
    if (!a->init && !a->optimizer_given) a->oa.adamw = 1;
    cli_model_opts mo = {.model = a->init, .opts = {.vocab_path = a->vocab}};
    if (a->init && !(r->init = cli_model_load(&mo))) return irra_fail(e, "train: cannot open --init");
    if (!a->init) {
        char vocab[4096];
        const char *vp = a->vocab;
        if (!vp && cli_asset_path(CLI_SHIPPED_VOCAB, vocab, sizeof vocab) == 0) vp = vocab;
        if (!vp) return irra_fail(e, "train: no --vocab and no shipped vocabulary");
        if (!(r->bpe = irra_bpe_load_file(vp, e))) return -1;
    }
    const irra_bpe *bpe = r->init ? irra_model_bpe(r->init) : r->bpe;
    int num_classes = 0;
    if (a->dataset) {
        /* the model's input size decides the loader's: from the init model, or the flags */
        irra_config probe;
        if (a->init) {
            if (init_config(r, &probe, e) < 0) return -1;
        } else if (scratch_config(r, 1, e) < 0) return -1;
        else probe = r->cfg;
        if (!bpe) return irra_fail(e, "train: the model has no vocabulary (give --vocab F)");
        if (!(r->loader = irra_loader_open(a->dataset, &probe, bpe, &a->lo, e))) return -1;
        num_classes = irra_loader_num_classes(r->loader);
    }
    if (make_params(r, num_classes, e) < 0) return -1;
    if (irra_optim_init(&r->o, &r->L, &a->oa, e) < 0) return -1;
    if (a->dataset && !a->dry_run) {
        if (irra_evaluator_open(&r->ev, a->dataset, a->val_split, r->cfg.img_h, r->cfg.img_w, e) < 0)
            return -1;
        r->have_ev = 1;
    }
    r->args_json = argv_json(argc, argv);
    return 0;
}

static void teardown(train_run *r)
{
    if (r->have_ev) irra_evaluator_free(&r->ev);
    irra_loader_free(r->loader);
    irra_replay_free(&r->replay);
    irra_optim_free(&r->o);
    irra_param_buf_free(&r->g), irra_param_buf_free(&r->p);
    irra_param_layout_free(&r->L);
    irra_model_free(r->init);
    irra_bpe_free(r->bpe);
    free(r->args_json);
}

static int train(train_run *r, int argc, char **argv, int resuming)
{
    irra_err e = {{0}};
    irra_train_args *a = &r->a;
    int rc = CLI_EXIT_ERROR;
    irra_loss_cfg lc;
    if (irra_loss_names_parse(a->loss_names, &lc, &e) < 0) return cli_error("train: --%s", e.msg);
    lc.id_weight = (float)a->id_loss_weight, lc.mlm_weight = (float)a->mlm_loss_weight;
    lc.logit_scale = 1.0 / a->temperature;
    if (!resuming && !a->dry_run) {
        if (mkdir(a->out, 0777) != 0 && errno != EEXIST)
            return cli_error("%s: %s", a->out, strerror(errno));
        if (!is_empty_dir(a->out))
            return cli_error("%s: holds another run (continue it with irra train --resume %s)", a->out, a->out);
    }
    if (setup(r, argc, argv, &e) < 0) {
        cli_error("%s", e.msg);
        goto out;
    }
    data_src ds = {.L = r->loader};
    irra_batch_source src = {data_steps, data_batch, data_samples, NULL, &ds};
    if (a->replay) {
        if (irra_replay_open(&r->replay, a->replay, &r->cfg, &lc, &e) < 0) {
            cli_error("%s", e.msg);
            goto out;
        }
        src = irra_replay_source(&r->replay);
    }
    if (a->dry_run) {
        dry_run(r, &src);
        irra_loader_out_free(&ds.out); /* the batch it timed */
        rc = 0;
        goto out;
    }
    irra_run_state st = {1, 0, 0, -1, 0};
    char ck[4200];
    snprintf(ck, sizeof ck, "%s/%s", a->out, IRRA_RUN_CHECKPOINT);
    struct stat sb;
    if (resuming && stat(ck, &sb) == 0 && irra_checkpoint_load(ck, &r->p, &r->o, &st, &e) < 0) {
        cli_error("%s", e.msg);
        goto out;
    }
    if (!resuming && write_info(a->out, r->args_json, &e) < 0) {
        cli_error("%s", e.msg);
        goto out;
    }
    if (resuming && st.epoch > r->o.a.num_epoch) { /* said even under the run's own -q */
        fprintf(stderr, "irra: %s has finished its %d epochs; nothing to resume (the result is "
                        "%s/%s)\n", a->out, r->o.a.num_epoch, a->out,
                r->have_ev ? IRRA_RUN_BEST : IRRA_RUN_LAST);
        rc = 0;
        goto out;
    }
    if (resuming && !a->quiet)
        fprintf(stderr, "irra: resuming %s at epoch %d, step %d\n", a->out, st.epoch, st.step);
    irra_run_opts ro = {a->out, lc, a->checkpoint_every, r->have_ev ? &r->ev : NULL,
                        r->args_json, r->init ? irra_model_bpe(r->init) : r->bpe, a->quiet};
    int res = irra_run(&r->p, &r->g, &r->o, &st, &src, &ro, &e);
    irra_loader_out_free(&ds.out);
    if (res < 0) {
        cli_error("%s", e.msg);
        goto out;
    }
    if (res == 1) {
        fprintf(stderr, "irra: stopped; checkpoint saved (continue with irra train --resume %s)\n", a->out);
        rc = 130;
        goto out;
    }
    if (!a->quiet)
        fprintf(stderr, "irra: done: %s/%s%s\n", a->out, r->have_ev ? IRRA_RUN_BEST : IRRA_RUN_LAST,
                r->have_ev ? "" : " (no evaluation: the last epoch is the result)");
    rc = 0;
out:
    teardown(r);
    return rc;
}

int cmd_train(int argc, char **argv)
{
    train_run r;
    memset(&r, 0, sizeof r);
    irra_err e = {{0}};
    int h = irra_train_args_parse(&r.a, argc, argv, &e);
    if (h == 1) return fputs(irra_train_usage, stdout), 0;
    if (h < 0) return cli_error("%s", e.msg);
    if (!r.a.resume) return train(&r, argc, argv, 0);
    /* --resume DIR: the run's own command line, parsed again */
    const char *dir = r.a.resume;
    int n;
    char **v;
    if (read_info(dir, &n, &v, &e) < 0) return cli_error("%s", e.msg);
    if (irra_train_args_parse(&r.a, n, v, &e) != 0) {
        for (int i = 0; i < n; i++) free(v[i]);
        free(v);
        return cli_error("%s", e.msg);
    }
    r.a.out = dir;
    int rc = train(&r, n, v, 1);
    for (int i = 0; i < n; i++) free(v[i]);
    free(v);
    return rc;
}
