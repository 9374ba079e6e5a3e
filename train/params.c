#include "train/params.h"

#include "model/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Appends one tensor to the layout (pass 0 only counts). */
typedef struct {
    irra_param_layout *L;
    int fail;
} builder;

static void add(builder *b, int nd, int64_t d0, int64_t d1, int64_t d2, int64_t d3,
                const char *fmt, ...)
{
    irra_param_layout *L = b->L;
    if (b->fail) return;
    int i = L->n++;
    if (!L->name) return; /* counting pass */
    char buf[200];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (!(L->name[i] = strdup(buf))) {
        b->fail = 1;
        return;
    }
    int64_t d[4] = {d0, d1, d2, d3};
    size_t numel = 1;
    L->ndim[i] = nd;
    for (int k = 0; k < 4; k++) {
        L->shape[i][k] = k < nd ? d[k] : 1;
        if (k < nd) numel *= (size_t)d[k];
    }
    L->off[i] = L->total;
    L->total += (numel + 15) / 16 * 16; /* every tensor 64-byte aligned */
}

#define ADD1(b, d0, ...) add(b, 1, d0, 1, 1, 1, __VA_ARGS__)
#define ADD2(b, d0, d1, ...) add(b, 2, d0, d1, 1, 1, __VA_ARGS__)

/* A ResidualAttentionBlock's twelve tensors, in registration order (spec 1.5). */
static void add_block(builder *b, const char *stack, int i, int d)
{
    ADD2(b, 3 * d, d, "%sresblocks.%d.attn.in_proj_weight", stack, i);
    ADD1(b, 3 * d, "%sresblocks.%d.attn.in_proj_bias", stack, i);
    ADD2(b, d, d, "%sresblocks.%d.attn.out_proj.weight", stack, i);
    ADD1(b, d, "%sresblocks.%d.attn.out_proj.bias", stack, i);
    ADD1(b, d, "%sresblocks.%d.ln_1.weight", stack, i);
    ADD1(b, d, "%sresblocks.%d.ln_1.bias", stack, i);
    ADD2(b, 4 * d, d, "%sresblocks.%d.mlp.c_fc.weight", stack, i);
    ADD1(b, 4 * d, "%sresblocks.%d.mlp.c_fc.bias", stack, i);
    ADD2(b, d, 4 * d, "%sresblocks.%d.mlp.c_proj.weight", stack, i);
    ADD1(b, d, "%sresblocks.%d.mlp.c_proj.bias", stack, i);
    ADD1(b, d, "%sresblocks.%d.ln_2.weight", stack, i);
    ADD1(b, d, "%sresblocks.%d.ln_2.bias", stack, i);
}

static void add_all(builder *b, const irra_config *c)
{
    int W = c->v_width, d = c->t_width, E = c->embed_dim, p = c->patch;
    ADD2(b, c->context, d, "base_model.positional_embedding");
    ADD2(b, d, E, "base_model.text_projection");
    ADD1(b, W, "base_model.visual.class_embedding");
    ADD2(b, c->v_tokens, W, "base_model.visual.positional_embedding");
    ADD2(b, W, E, "base_model.visual.proj");
    add(b, 4, W, 3, p, p, "base_model.visual.conv1.weight");
    ADD1(b, W, "base_model.visual.ln_pre.weight");
    ADD1(b, W, "base_model.visual.ln_pre.bias");
    for (int i = 0; i < c->v_layers; i++) add_block(b, "base_model.visual.transformer.", i, W);
    ADD1(b, W, "base_model.visual.ln_post.weight");
    ADD1(b, W, "base_model.visual.ln_post.bias");
    for (int i = 0; i < c->t_layers; i++) add_block(b, "base_model.transformer.", i, d);
    ADD2(b, c->vocab, d, "base_model.token_embedding.weight");
    ADD1(b, d, "base_model.ln_final.weight");
    ADD1(b, d, "base_model.ln_final.bias");
    if (c->num_classes > 0) {
        ADD2(b, c->num_classes, E, "classifier.weight");
        ADD1(b, c->num_classes, "classifier.bias");
    }
    if (!c->has_mlm) return;
    ADD2(b, 3 * E, E, "cross_attn.in_proj_weight");
    ADD1(b, 3 * E, "cross_attn.in_proj_bias");
    ADD2(b, E, E, "cross_attn.out_proj.weight");
    ADD1(b, E, "cross_attn.out_proj.bias");
    for (int i = 0; i < c->cmt_layers; i++) add_block(b, "cross_modal_transformer.", i, E);
    const char *ln[] = {"ln_pre_t", "ln_pre_i", "ln_post"};
    for (int k = 0; k < 3; k++) {
        ADD1(b, E, "%s.weight", ln[k]);
        ADD1(b, E, "%s.bias", ln[k]);
    }
    ADD2(b, E, E, "mlm_head.dense.weight");
    ADD1(b, E, "mlm_head.dense.bias");
    ADD1(b, E, "mlm_head.ln.weight");
    ADD1(b, E, "mlm_head.ln.bias");
    ADD2(b, c->mlm_vocab, E, "mlm_head.fc.weight");
    ADD1(b, c->mlm_vocab, "mlm_head.fc.bias");
}

int irra_param_layout_make(irra_param_layout *L, const irra_config *cfg, irra_err *e)
{
    memset(L, 0, sizeof *L);
    L->cfg = *cfg;
    builder b = {L, 0};
    add_all(&b, cfg);
    int n = L->n;
    L->n = 0;
    L->name = calloc((size_t)n, sizeof *L->name);
    L->ndim = calloc((size_t)n, sizeof *L->ndim);
    L->shape = calloc((size_t)n, sizeof *L->shape);
    L->off = calloc((size_t)n, sizeof *L->off);
    if (L->name && L->ndim && L->shape && L->off) add_all(&b, cfg);
    if (!L->name || !L->ndim || !L->shape || !L->off || b.fail) {
        irra_param_layout_free(L);
        return irra_fail(e, "out of memory for the parameter table");
    }
    return 0;
}

void irra_param_layout_free(irra_param_layout *L)
{
    for (int i = 0; L->name && i < L->n; i++) free(L->name[i]);
    free(L->name), free(L->ndim), free(L->shape), free(L->off);
    memset(L, 0, sizeof *L);
}

int irra_param_find(const irra_param_layout *L, const char *name)
{
    for (int i = 0; i < L->n; i++)
        if (!strcmp(L->name[i], name)) return i;
    return -1;
}

static float *tensor_at(irra_param_buf *p, const char *name)
{
    int i = irra_param_find(p->L, name);
    return i < 0 ? NULL : p->mem + p->L->off[i];
}

int irra_param_buf_init(irra_param_buf *p, const irra_param_layout *L, const char *what,
                        irra_err *e)
{
    memset(p, 0, sizeof *p);
    p->L = L;
    if (L->total > ((size_t)1 << 34))
        return irra_fail(e, "%s: %zu floats is too large", what, L->total);
    p->mem = aligned_alloc(64, (L->total * sizeof(float) + 63) / 64 * 64);
    p->ts.t = calloc((size_t)L->n, sizeof *p->ts.t);
    p->ts.path = strdup(what);
    if (!p->mem || !p->ts.t || !p->ts.path) {
        irra_param_buf_free(p);
        return irra_fail(e, "%s: out of memory for %zu floats", what, L->total);
    }
    memset(p->mem, 0, L->total * sizeof(float));
    p->ts.n = L->n;
    for (int i = 0; i < L->n; i++) {
        irra_tensor *t = &p->ts.t[i];
        t->name = L->name[i];
        t->dtype = IRRA_F32;
        t->ndim = L->ndim[i];
        int64_t stride = 1;
        for (int k = t->ndim - 1; k >= 0; k--) {
            t->shape[k] = L->shape[i][k];
            t->stride[k] = stride;
            stride *= t->shape[k];
        }
        t->data = p->mem + L->off[i];
    }
    if (irra_weights_load(&p->w, &p->ts, &L->cfg, e) < 0) {
        irra_param_buf_free(p);
        return -1;
    }
    p->cls_w = tensor_at(p, "classifier.weight");
    p->cls_b = tensor_at(p, "classifier.bias");
    return 0;
}

void irra_param_buf_free(irra_param_buf *p)
{
    irra_weights_free(&p->w);
    free(p->mem), free(p->ts.t), free(p->ts.path);
    memset(p, 0, sizeof *p);
}

void irra_param_buf_zero(irra_param_buf *p) { memset(p->mem, 0, p->L->total * sizeof(float)); }

const irra_tensor *irra_param_source(const irra_param_layout *L, const irra_tensors *ts,
                                     const char *pfx, int i, char key[256])
{
    const char *name = L->name[i];
    if (!*pfx && !strncmp(name, "base_model.", 11) && !*irra_clip_prefix(ts)) name += 11;
    snprintf(key, 256, "%s%s", pfx, name);
    return irra_tensors_find(ts, key);
}

int irra_param_buf_load_named(irra_param_buf *p, const irra_tensors *ts, const char *pfx,
                              int *skip, irra_err *e)
{
    for (int i = 0; i < p->L->n; i++) {
        char key[256];
        const irra_tensor *t = irra_param_source(p->L, ts, pfx, i, key);
        const irra_tensor *want = &p->ts.t[i];
        int ok = t && t->ndim == want->ndim &&
                 (t->dtype == IRRA_F32 || t->dtype == IRRA_F16 || t->dtype == IRRA_BF16);
        for (int k = 0; ok && k < t->ndim; k++) ok = t->shape[k] == want->shape[k];
        if (!ok && skip) {
            skip[i] = 1;
            continue;
        }
        if (!t) return irra_fail(e, "%s: missing tensor %s", ts->path, key);
        if (!ok)
            return irra_fail(e, "%s: tensor %s has another shape or type than the model's "
                                "configuration implies", ts->path, key);
        irra_tensor_to_f32(t, p->mem + p->L->off[i]);
    }
    return 0;
}

int irra_param_buf_load(irra_param_buf *p, const irra_tensors *ts, irra_err *e)
{
    return irra_param_buf_load_named(p, ts, "", NULL, e);
}
