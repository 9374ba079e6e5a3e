#include "train/checkpoint.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_META 24

typedef struct {
    const char *key[MAX_META], *val[MAX_META];
    char num[16][32];
    int n, nnum;
} meta_list;

static void put(meta_list *m, const char *k, const char *v)
{
    if (m->n < MAX_META) m->key[m->n] = k, m->val[m->n++] = v;
}

static void put_num(meta_list *m, const char *k, double v)
{
    if (m->nnum >= 16) return;
    snprintf(m->num[m->nnum], sizeof m->num[0], "%.17g", v);
    put(m, k, m->num[m->nnum++]);
}

/* What every model file carries: the format, the geometry no state dict holds, the vocabulary. */
static void model_meta(meta_list *m, const irra_config *c, const irra_bpe *bpe,
                       const irra_meta *extra)
{
    put(m, "irra.format", "1");
    put_num(m, "irra.img_h", c->img_h);
    put_num(m, "irra.img_w", c->img_w);
    put_num(m, "irra.stride", c->stride);
    size_t len;
    if (bpe) put(m, "irra.bpe_merges", irra_bpe_merges_text(bpe, &len));
    for (int i = 0; extra && i < extra->n; i++) put(m, extra->key[i], extra->val[i]);
}

int irra_model_save(const char *path, const irra_param_buf *p, const irra_bpe *bpe,
                    const irra_meta *extra, irra_err *e)
{
    meta_list m = {0};
    model_meta(&m, &p->L->cfg, bpe, extra);
    return irra_safetensors_write(path, p->ts.t, p->ts.n, IRRA_F32, m.key, m.val, m.n, e);
}

int irra_checkpoint_save(const char *path, const irra_param_buf *p, const irra_optim *o,
                         const irra_run_state *st, const irra_bpe *bpe, const irra_meta *extra,
                         irra_err *e)
{
    int n = p->ts.n;
    irra_tensor *t = malloc((size_t)n * 3 * sizeof *t);
    char **names = calloc((size_t)n * 2, sizeof *names);
    int rc = -1;
    if (!t || !names) {
        irra_fail(e, "%s: out of memory", path);
        goto out;
    }
    for (int i = 0; i < n; i++) {
        t[i] = p->ts.t[i];
        t[n + i] = o->m.ts.t[i], t[2 * n + i] = o->v.ts.t[i];
        size_t len = strlen(p->ts.t[i].name) + 20;
        names[i] = malloc(len), names[n + i] = malloc(len);
        if (!names[i] || !names[n + i]) {
            irra_fail(e, "%s: out of memory", path);
            goto out;
        }
        snprintf(names[i], len, "optim.exp_avg.%s", p->ts.t[i].name);
        snprintf(names[n + i], len, "optim.exp_avg_sq.%s", p->ts.t[i].name);
        t[n + i].name = names[i], t[2 * n + i].name = names[n + i];
    }
    meta_list m = {0};
    model_meta(&m, &p->L->cfg, bpe, extra);
    put(&m, "irra.kind", "checkpoint");
    put(&m, "irra.checkpoint_format", IRRA_CHECKPOINT_FORMAT);
    put_num(&m, "irra.epoch", st->epoch);
    put_num(&m, "irra.step", st->step);
    put_num(&m, "irra.global_step", (double)st->global_step);
    put_num(&m, "irra.adam_step", (double)o->step);
    put_num(&m, "irra.best_r1", st->best_r1);
    put_num(&m, "irra.best_epoch", st->best_epoch);
    rc = irra_safetensors_write(path, t, 3 * n, IRRA_F32, m.key, m.val, m.n, e);
out:
    for (int i = 0; names && i < 2 * n; i++) free(names[i]);
    free(names), free(t);
    return rc;
}

static int meta_num(const irra_tensors *ts, const char *key, double lo, double hi, double *v,
                    irra_err *e)
{
    const char *s = irra_tensors_meta(ts, key);
    char *end;
    if (!s) return irra_fail(e, "%s: not an irra checkpoint (no %s)", ts->path, key);
    *v = strtod(s, &end);
    if (end == s || *end || !(*v >= lo && *v <= hi))
        return irra_fail(e, "%s: %s is '%.40s', not a number in range", ts->path, key, s);
    return 0;
}

int irra_checkpoint_load(const char *path, irra_param_buf *p, irra_optim *o, irra_run_state *st,
                         irra_err *e)
{
    irra_tensors *ts = irra_tensors_open(path, e);
    if (!ts) return -1;
    const char *fmt = irra_tensors_meta(ts, "irra.checkpoint_format");
    double ep, sp, gs, as, br, be;
    int rc = -1;
    if (!fmt || strcmp(fmt, IRRA_CHECKPOINT_FORMAT)) {
        irra_fail(e, "%s: a checkpoint of format %s, this irra reads format %s", path,
                  fmt ? fmt : "(none: not a training checkpoint)", IRRA_CHECKPOINT_FORMAT);
        goto out;
    }
    if (meta_num(ts, "irra.epoch", 1, 1e6, &ep, e) < 0 || meta_num(ts, "irra.step", 0, 1e12, &sp, e) < 0 ||
        meta_num(ts, "irra.global_step", 0, 1e15, &gs, e) < 0 ||
        meta_num(ts, "irra.adam_step", 0, 1e15, &as, e) < 0 ||
        meta_num(ts, "irra.best_r1", -1, 101, &br, e) < 0 ||
        meta_num(ts, "irra.best_epoch", 0, 1e6, &be, e) < 0)
        goto out;
    if (irra_param_buf_load_named(p, ts, "", NULL, e) < 0 ||
        irra_param_buf_load_named(&o->m, ts, "optim.exp_avg.", NULL, e) < 0 ||
        irra_param_buf_load_named(&o->v, ts, "optim.exp_avg_sq.", NULL, e) < 0)
        goto out;
    *st = (irra_run_state){(int)ep, (int)sp, (long long)gs, br, (int)be};
    o->step = (long long)as;
    rc = 0;
out:
    irra_tensors_free(ts);
    return rc;
}
