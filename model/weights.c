#include "model/weights.h"

#include "model/config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Binding happens in two passes over the same code: the first checks shapes and sizes the
 * owned buffer, the second points or converts. */
typedef struct {
    const irra_tensors *ts;
    const char *pfx;
    int pass; /* 0: check and count, 1: bind */
    size_t owned_n, used;
    int64_t bound_n; /* values of every bound weight: what the configuration holds */
    float *owned;
    irra_err *e;
    int failed;
} binder;

static int in_place(const irra_tensor *t)
{
    return t->dtype == IRRA_F32 && irra_tensor_is_contiguous(t);
}

static void shape_str(char *buf, size_t n, int ndim, const int64_t *shape)
{
    size_t k = (size_t)snprintf(buf, n, "[");
    for (int i = 0; i < ndim && k < n; i++)
        k += (size_t)snprintf(buf + k, n - k, "%s%lld", i ? "," : "", (long long)shape[i]);
    if (k < n) snprintf(buf + k, n - k, "]");
}

/* Binds *dst to tensor pfx+name of shape (ndim dims follow). */
static void bind(binder *b, const float **dst, int global, const char *name, int ndim, ...)
{
    if (b->failed) return;
    char key[256];
    snprintf(key, sizeof key, "%s%s", global ? "" : b->pfx, name);
    int64_t shape[IRRA_MAX_DIMS];
    va_list ap;
    va_start(ap, ndim);
    for (int i = 0; i < ndim; i++) shape[i] = va_arg(ap, int);
    va_end(ap);
    const irra_tensor *t = irra_tensors_find(b->ts, key);
    char want[96], got[96];
    shape_str(want, sizeof want, ndim, shape);
    if (!t) {
        b->failed = 1, irra_fail(b->e, "%s: missing tensor %s %s", b->ts->path, key, want);
        return;
    }
    shape_str(got, sizeof got, t->ndim, t->shape);
    int ok = t->ndim == ndim && (t->dtype == IRRA_F32 || t->dtype == IRRA_F16 ||
                                 t->dtype == IRRA_BF16);
    for (int i = 0; ok && i < ndim; i++) ok = t->shape[i] == shape[i];
    if (!ok) {
        b->failed = 1;
        irra_fail(b->e, "%s: tensor %s is %s %s, expected %s", b->ts->path, key,
                  irra_dtype_name(t->dtype), got, want);
        return;
    }
    if (irra_tensor_overlaps(t)) {
        b->failed = 1;
        irra_fail(b->e, "%s: tensor %s %s is a view whose elements overlap (a stride of 0, as "
                  "torch's expand makes): a weight must be dense", b->ts->path, key, got);
        return;
    }
    size_t n = (size_t)irra_tensor_numel(t);
    b->bound_n += (int64_t)n;
    if (in_place(t)) {
        *dst = t->data;
    } else if (b->pass == 0) {
        b->owned_n += n;
    } else {
        float *p = b->owned + b->used;
        irra_tensor_to_f32(t, p);
        b->used += n;
        *dst = p;
    }
}

static void bind_block(binder *b, irra_block_w *w, int global, const char *stack, int i, int d)
{
    char n[160];
#define B(field, leaf, ...)                                                 \
    snprintf(n, sizeof n, "%sresblocks.%d.%s", stack, i, leaf);             \
    bind(b, &w->field, global, n, __VA_ARGS__)
    B(in_w, "attn.in_proj_weight", 2, 3 * d, d);
    B(in_b, "attn.in_proj_bias", 1, 3 * d);
    B(out_w, "attn.out_proj.weight", 2, d, d);
    B(out_b, "attn.out_proj.bias", 1, d);
    B(ln1_w, "ln_1.weight", 1, d);
    B(ln1_b, "ln_1.bias", 1, d);
    B(fc_w, "mlp.c_fc.weight", 2, 4 * d, d);
    B(fc_b, "mlp.c_fc.bias", 1, 4 * d);
    B(proj_w, "mlp.c_proj.weight", 2, d, 4 * d);
    B(proj_b, "mlp.c_proj.bias", 1, d);
    B(ln2_w, "ln_2.weight", 1, d);
    B(ln2_b, "ln_2.bias", 1, d);
#undef B
}

static void bind_visual(binder *b, irra_weights *w, const irra_config *c)
{
    int W = c->v_width, p = c->patch;
    bind(b, &w->v_class, 0, "visual.class_embedding", 1, W);
    bind(b, &w->v_pos, 0, "visual.positional_embedding", 2, c->v_tokens, W);
    bind(b, &w->v_proj, 0, "visual.proj", 2, W, c->embed_dim);
    bind(b, &w->v_conv, 0, "visual.conv1.weight", 4, W, 3, p, p);
    bind(b, &w->v_ln_pre_w, 0, "visual.ln_pre.weight", 1, W);
    bind(b, &w->v_ln_pre_b, 0, "visual.ln_pre.bias", 1, W);
    bind(b, &w->v_ln_post_w, 0, "visual.ln_post.weight", 1, W);
    bind(b, &w->v_ln_post_b, 0, "visual.ln_post.bias", 1, W);
    for (int i = 0; i < c->v_layers; i++)
        bind_block(b, &w->v_blocks[i], 0, "visual.transformer.", i, W);
}

static void bind_text(binder *b, irra_weights *w, const irra_config *c)
{
    int d = c->t_width;
    bind(b, &w->t_pos, 0, "positional_embedding", 2, c->context, d);
    bind(b, &w->t_proj, 0, "text_projection", 2, d, c->embed_dim);
    bind(b, &w->t_embed, 0, "token_embedding.weight", 2, c->vocab, d);
    bind(b, &w->t_ln_w, 0, "ln_final.weight", 1, d);
    bind(b, &w->t_ln_b, 0, "ln_final.bias", 1, d);
    for (int i = 0; i < c->t_layers; i++) bind_block(b, &w->t_blocks[i], 0, "transformer.", i, d);
}

static void bind_irr(binder *b, irra_weights *w, const irra_config *c)
{
    int E = c->embed_dim;
    bind(b, &w->x_in_w, 1, "cross_attn.in_proj_weight", 2, 3 * E, E);
    bind(b, &w->x_in_b, 1, "cross_attn.in_proj_bias", 1, 3 * E);
    bind(b, &w->x_out_w, 1, "cross_attn.out_proj.weight", 2, E, E);
    bind(b, &w->x_out_b, 1, "cross_attn.out_proj.bias", 1, E);
    for (int i = 0; i < c->cmt_layers; i++)
        bind_block(b, &w->c_blocks[i], 1, "cross_modal_transformer.", i, E);
    bind(b, &w->ln_pre_t_w, 1, "ln_pre_t.weight", 1, E);
    bind(b, &w->ln_pre_t_b, 1, "ln_pre_t.bias", 1, E);
    bind(b, &w->ln_pre_i_w, 1, "ln_pre_i.weight", 1, E);
    bind(b, &w->ln_pre_i_b, 1, "ln_pre_i.bias", 1, E);
    bind(b, &w->ln_post_w, 1, "ln_post.weight", 1, E);
    bind(b, &w->ln_post_b, 1, "ln_post.bias", 1, E);
    bind(b, &w->mlm_dense_w, 1, "mlm_head.dense.weight", 2, E, E);
    bind(b, &w->mlm_dense_b, 1, "mlm_head.dense.bias", 1, E);
    bind(b, &w->mlm_ln_w, 1, "mlm_head.ln.weight", 1, E);
    bind(b, &w->mlm_ln_b, 1, "mlm_head.ln.bias", 1, E);
    bind(b, &w->mlm_fc_w, 1, "mlm_head.fc.weight", 2, c->mlm_vocab, E);
    bind(b, &w->mlm_fc_b, 1, "mlm_head.fc.bias", 1, c->mlm_vocab);
}

/* What the file's tensors hold once dense (irra import writes them all) may not be much more
 * than what the configuration needs: the classifier, buffers and the like come on top of the
 * weights, but a tensor sharing another's storage, named many times, could otherwise make a
 * small file write gigabytes. */
static int check_total(const binder *b)
{
    int64_t total = 0;
    for (int i = 0; i < b->ts->n; i++) {
        int64_t n = irra_tensor_numel(&b->ts->t[i]);
        if (n < 0 || __builtin_add_overflow(total, n, &total)) total = INT64_MAX;
    }
    int64_t allowed = 2 * b->bound_n + (1 << 24);
    if (total > allowed)
        return irra_fail(b->e, "%s: its tensors hold %lld values, more than twice the %lld of the "
                         "model they configure: not a model file", b->ts->path, (long long)total,
                         (long long)b->bound_n);
    return 0;
}

static int bind_all(binder *b, irra_weights *w, const irra_config *c)
{
    bind_visual(b, w, c);
    bind_text(b, w, c);
    if (c->has_mlm) bind_irr(b, w, c);
    return b->failed ? -1 : 0;
}

int irra_weights_load(irra_weights *w, const irra_tensors *ts, const irra_config *c, irra_err *e)
{
    memset(w, 0, sizeof *w);
    w->v_blocks = calloc((size_t)c->v_layers, sizeof *w->v_blocks);
    w->t_blocks = calloc((size_t)c->t_layers, sizeof *w->t_blocks);
    w->c_blocks = calloc((size_t)c->cmt_layers + 1, sizeof *w->c_blocks);
    binder b = {.ts = ts, .pfx = irra_clip_prefix(ts), .e = e};
    if (!w->v_blocks || !w->t_blocks || !w->c_blocks) {
        irra_weights_free(w);
        return irra_fail(e, "%s: out of memory", ts->path);
    }
    if (bind_all(&b, w, c) < 0 || check_total(&b) < 0) {
        irra_weights_free(w);
        return -1;
    }
    if (b.owned_n) {
        if (b.owned_n > (size_t)1 << 34 || !(w->owned = malloc(b.owned_n * sizeof(float)))) {
            irra_weights_free(w);
            return irra_fail(e, "%s: cannot allocate %zu floats for converted weights",
                             ts->path, b.owned_n);
        }
        b.owned = w->owned;
        b.pass = 1;
        bind_all(&b, w, c);
    }
    return 0;
}

void irra_weights_free(irra_weights *w)
{
    free(w->v_blocks);
    free(w->t_blocks);
    free(w->c_blocks);
    free(w->owned);
    memset(w, 0, sizeof *w);
}
