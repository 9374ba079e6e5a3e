#include "train/trainer.h"

#include "train/losses.h"
#include "train/trainer_priv.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int irra_loss_names_parse(const char *s, irra_loss_cfg *lc, irra_err *e)
{
    memset(lc, 0, sizeof *lc);
    lc->id_weight = lc->mlm_weight = 1.0f;
    lc->logit_scale = IRRA_LOGIT_SCALE;
    const char *p = s;
    while (*p) {
        size_t n = strcspn(p, "+");
        if (n == 3 && !strncmp(p, "sdm", 3)) lc->sdm = 1;
        else if (n == 2 && !strncmp(p, "id", 2)) lc->id = 1;
        else if (n == 3 && !strncmp(p, "mlm", 3)) lc->mlm = 1;
        else if (n == 3 && !strncmp(p, "itc", 3)) lc->itc = 1;
        else return irra_fail(e, "loss_names: unknown loss '%.*s' in '%s' (known: sdm, itc, id, mlm)",
                              (int)(n > 40 ? 40 : n), p, s);
        p += n + (p[n] == '+');
    }
    if (!lc->sdm && !lc->id && !lc->mlm && !lc->itc)
        return irra_fail(e, "loss_names: no loss in '%s'", s);
    return 0;
}

void irra_loss_names_format(const irra_loss_cfg *lc, char *buf, size_t n)
{
    snprintf(buf, n, "%s%s%s%s", lc->sdm ? "+sdm" : "", lc->itc ? "+itc" : "",
             lc->id ? "+id" : "", lc->mlm ? "+mlm" : "");
    if (buf[0] == '+') memmove(buf, buf + 1, strlen(buf));
}

irra_trainer *irra_trainer_new(const irra_param_buf *p, irra_param_buf *g, irra_err *e)
{
    irra_trainer *t = calloc(1, sizeof *t);
    if (!t) {
        irra_fail(e, "out of memory for a trainer");
        return NULL;
    }
    t->p = p, t->g = g, t->cfg = p->L->cfg;
    return t;
}

/* The per-batch-size tables (stacks' sequence tables, EOT positions); the arena stays. */
static void free_tables(irra_trainer *t)
{
    irra_stack_free(&t->img.st);
    for (int k = 0; k < 2; k++) irra_stack_free(&t->txt[k].st), free(t->txt[k].eot);
    irra_stack_free(&t->irr.st);
    free(t->irr.qk);
    t->B = 0;
    memset(&t->img, 0, sizeof t->img), memset(t->txt, 0, sizeof t->txt);
    memset(&t->irr, 0, sizeof t->irr);
}

static void free_acts(irra_trainer *t)
{
    free_tables(t);
    free(t->mem);
    t->mem = NULL, t->mem_cap = 0;
}

void irra_trainer_free(irra_trainer *t)
{
    if (!t) return;
    free_acts(t);
    free(t);
}

static void carve(irra_trainer *t, irra_arena *a, int B)
{
    const irra_config *c = &t->cfg;
    size_t be = (size_t)B * c->embed_dim;
    irra_image_carve(&t->img, c, B, a);
    for (int k = 0; k < 2; k++) irra_text_carve(&t->txt[k], c, B, a);
    if (c->has_mlm) irra_irr_carve(&t->irr, c, B, a);
    t->f = irra_arena_take(a, be), t->gt = irra_arena_take(a, be);
    t->df = irra_arena_take(a, be), t->dg = irra_arena_take(a, be);
}

/* Buffers for batches of B: carved again when B changes, in the same allocation when it is large
 * enough (an epoch's last, partial batch), so that no step allocates gigabytes anew. */
static int ensure(irra_trainer *t, int B, irra_err *e)
{
    if (t->B == B) return 0;
    free_tables(t);
    const irra_config *c = &t->cfg;
    int rc = irra_stack_init(&t->img.st, B, c->v_tokens, c->v_width, c->v_heads, c->v_layers, 0, e);
    for (int k = 0; k < 2 && rc == 0; k++) {
        rc = irra_stack_init(&t->txt[k].st, B, c->context, c->t_width, c->t_heads, c->t_layers, 1, e);
        if (rc == 0 && !(t->txt[k].eot = malloc((size_t)B * sizeof(int))))
            rc = irra_fail(e, "out of memory");
    }
    if (rc == 0 && c->has_mlm) {
        rc = irra_stack_init(&t->irr.st, B, c->context, c->embed_dim, c->cmt_heads, c->cmt_layers,
                             0, e);
        if (rc == 0 && !(t->irr.qk = malloc((size_t)B * 4 * sizeof(int))))
            rc = irra_fail(e, "out of memory");
        for (int b = 0; rc == 0 && b < B; b++) {
            t->irr.qk[b] = b * c->context, t->irr.qk[B + b] = c->context;
            t->irr.qk[2 * B + b] = b * c->v_tokens, t->irr.qk[3 * B + b] = c->v_tokens;
        }
    }
    irra_arena a = {0};
    if (rc == 0) carve(t, &a, B);
    if (rc == 0 && a.used > t->mem_cap) {
        free(t->mem);
        t->mem_cap = 0;
        if (a.used > ((size_t)1 << 35) || !(t->mem = aligned_alloc(64, a.used * 4)))
            rc = irra_fail(e, "cannot allocate %.1f GB of activations for a batch of %d",
                           a.used * 4e-9, B);
        else
            t->mem_cap = a.used;
    }
    if (rc < 0) {
        free_acts(t);
        return -1;
    }
    t->mem_floats = a.used;
    a = (irra_arena){t->mem, 0};
    carve(t, &a, B);
    t->B = B;
    return 0;
}

static int check_ids(const int32_t *ids, size_t n, int limit, int ctx, const char *field,
                     irra_err *e)
{
    for (size_t i = 0; i < n; i++)
        if (ids[i] < 0 || ids[i] >= limit)
            return irra_fail(e, "%s: id %d in row %zu, position %zu is outside the vocabulary of %d",
                             field, (int)ids[i], i / ctx, i % ctx, limit);
    return 0;
}

int irra_train_batch_check(const irra_trainer *t, const irra_train_batch *b,
                           const irra_loss_cfg *lc, irra_err *e)
{
    const irra_config *c = &t->cfg;
    size_t n = (size_t)b->B * c->context;
    if (b->B < 1) return irra_fail(e, "images: the batch is empty");
    if (lc->id && c->num_classes <= 0)
        return irra_fail(e, "loss_names: 'id' needs a classifier, and the model has none");
    if (lc->mlm && !c->has_mlm)
        return irra_fail(e, "loss_names: 'mlm' needs the IRR branch, and the model has none");
    if (check_ids(b->caption_ids, n, c->vocab, c->context, "caption_ids", e) < 0) return -1;
    if (lc->mlm && (check_ids(b->mlm_ids, n, c->vocab, c->context, "mlm_ids", e) < 0 ||
                    check_ids(b->mlm_labels, n, c->mlm_vocab, c->context, "mlm_labels", e) < 0))
        return -1;
    for (int i = 0; lc->id && i < b->B; i++)
        if (b->pids[i] < 0 || b->pids[i] >= c->num_classes)
            return irra_fail(e, "pids: %d at index %d is outside the classifier's %d classes",
                             b->pids[i], i, c->num_classes);
    return 0;
}

/* The losses on the global features: SDM, ITC, ID, with their gradients in t->df, t->dg. */
static void feature_losses(irra_trainer *t, const irra_train_batch *b, const irra_loss_cfg *lc,
                           irra_losses *o)
{
    const irra_config *c = &t->cfg;
    int B = b->B, E = c->embed_dim;
    memset(t->df, 0, (size_t)B * E * sizeof *t->df);
    memset(t->dg, 0, (size_t)B * E * sizeof *t->dg);
    if (lc->itc) o->itc_loss = irra_itc_loss(t->f, t->gt, B, E, lc->logit_scale, t->df, t->dg);
    if (lc->sdm)
        o->sdm_loss = irra_sdm_loss(t->f, t->gt, b->pids, B, E, lc->logit_scale, t->df, t->dg);
    if (lc->id)
        o->id_loss = irra_id_loss(t->f, t->gt, b->pids, B, E, t->p->cls_w, t->p->cls_b,
                                  c->num_classes, lc->id_weight, t->df, t->dg, t->g->cls_w,
                                  t->g->cls_b, &o->img_acc, &o->txt_acc);
}

int irra_train_step(irra_trainer *t, const irra_train_batch *b, const irra_loss_cfg *lc,
                    irra_losses *o, irra_err *e)
{
    const irra_config *c = &t->cfg;
    const irra_weights *w = &t->p->w;
    irra_weights *gw = &t->g->w;
    int B = b->B, E = c->embed_dim, T = c->v_tokens, ctx = c->context;
    memset(o, 0, sizeof *o);
    if (irra_train_batch_check(t, b, lc, e) < 0 || ensure(t, B, e) < 0) return -1;
    irra_image_acts *im = &t->img;
    irra_text_acts *cap = &t->txt[0], *mlm = &t->txt[0];
    /* With the aliasing quirk (spec 3.3) the captions are the masked captions: one pass
     * serves both, and both gradients add up on it (spec 4.9). */
    int shared = !lc->mlm || !memcmp(b->caption_ids, b->mlm_ids, (size_t)B * ctx * sizeof(int32_t));
    if (!shared) mlm = &t->txt[1];
    o->text_passes = shared ? 1 : 2;
    if (irra_image_forward(im, w, c, b->pixels, e) < 0 ||
        irra_text_forward(cap, w, c, b->caption_ids, e) < 0 ||
        (!shared && irra_text_forward(mlm, w, c, b->mlm_ids, e) < 0))
        return -1;
    for (int i = 0; i < B; i++) {
        memcpy(t->f + (size_t)i * E, im->tokens + (size_t)i * T * E, (size_t)E * sizeof *t->f);
        memcpy(t->gt + (size_t)i * E, cap->tokens + ((size_t)i * ctx + cap->eot[i]) * E,
               (size_t)E * sizeof *t->gt);
    }
    feature_losses(t, b, lc, o);
    memset(im->dtokens, 0, (size_t)B * T * E * sizeof *im->dtokens);
    memset(cap->dtokens, 0, (size_t)B * ctx * E * sizeof *cap->dtokens);
    if (!shared) memset(mlm->dtokens, 0, (size_t)B * ctx * E * sizeof *mlm->dtokens);
    t->head_floats = 0;
    if (lc->mlm && irra_irr_step(&t->irr, w, gw, c, mlm->tokens, im->tokens, b->mlm_labels,
                                 lc->mlm_weight, mlm->dtokens, im->dtokens, &o->mlm_loss,
                                 &o->mlm_acc, &o->mlm_rows, &t->head_floats, e) < 0)
        return -1;
    for (int i = 0; i < B; i++) {
        float *di = im->dtokens + (size_t)i * T * E;
        float *dt = cap->dtokens + ((size_t)i * ctx + cap->eot[i]) * E;
        for (int k = 0; k < E; k++) di[k] += t->df[(size_t)i * E + k], dt[k] += t->dg[(size_t)i * E + k];
    }
    if (irra_text_backward(cap, w, gw, c, e) < 0 ||
        (!shared && irra_text_backward(mlm, w, gw, c, e) < 0) ||
        irra_image_backward(im, w, gw, c, e) < 0)
        return -1;
    o->loss = o->sdm_loss + o->id_loss + o->mlm_loss + o->itc_loss;
    return 0;
}

size_t irra_trainer_act_bytes(const irra_trainer *t)
{
    return (t->mem_floats + t->head_floats) * sizeof(float);
}
