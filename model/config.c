#include "model/config.h"

#include "model/run_config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

const char *irra_clip_prefix(const irra_tensors *ts)
{
    return irra_tensors_find(ts, "base_model.text_projection") ? "base_model." : "";
}

/* The tensor pfx+name with ndim dimensions, or NULL with the reason in e. */
static const irra_tensor *need(const irra_tensors *ts, const char *pfx, const char *name,
                               int ndim, irra_err *e)
{
    char key[256];
    snprintf(key, sizeof key, "%s%s", pfx, name);
    const irra_tensor *t = irra_tensors_find(ts, key);
    if (!t) {
        irra_fail(e, "%s: no tensor %s", ts->path, key);
        return NULL;
    }
    if (t->ndim != ndim) {
        irra_fail(e, "%s: %s has %d dimensions, expected %d", ts->path, key, t->ndim, ndim);
        return NULL;
    }
    for (int i = 0; i < ndim; i++)
        if (t->shape[i] <= 0 || t->shape[i] > (1 << 24)) {
            irra_fail(e, "%s: %s has dimension %d of size %lld", ts->path, key, i,
                      (long long)t->shape[i]);
            return NULL;
        }
    return t;
}

/* 1 + the largest N among keys "<stack>.resblocks.N.*" (0 when there are none). */
static int count_blocks(const irra_tensors *ts, const char *pfx, const char *stack)
{
    char head[128];
    snprintf(head, sizeof head, "%s%sresblocks.", pfx, stack);
    size_t hl = strlen(head);
    int n = 0;
    for (int i = 0; i < ts->n; i++) {
        const char *name = ts->t[i].name;
        if (strncmp(name, head, hl) != 0) continue;
        char *end;
        long k = strtol(name + hl, &end, 10);
        if (end != name + hl && *end == '.' && k >= 0 && k < 1000 && k + 1 > n) n = (int)k + 1;
    }
    return n;
}

/* heads = width / 64 as CLIP and IRRA build them; the width must divide evenly. */
static int heads_of(const irra_tensors *ts, const char *what, int width, irra_err *e)
{
    if (width % 64 != 0)
        return irra_fail(e, "%s: %s width %d is not a multiple of 64 (heads = width/64)",
                         ts->path, what, width);
    return width / 64;
}

static int infer_clip(irra_config *c, const irra_tensors *ts, const char *p, irra_err *e)
{
    const irra_tensor *conv = need(ts, p, "visual.conv1.weight", 4, e), *tp, *pos, *tok, *lnf;
    if (!conv || !(tp = need(ts, p, "text_projection", 2, e)) ||
        !(pos = need(ts, p, "positional_embedding", 2, e)) ||
        !(tok = need(ts, p, "token_embedding.weight", 2, e)) ||
        !(lnf = need(ts, p, "ln_final.weight", 1, e)))
        return -1;
    c->embed_dim = (int)tp->shape[1];
    c->v_width = (int)conv->shape[0];
    c->patch = (int)conv->shape[3];
    c->v_layers = count_blocks(ts, p, "visual.transformer.");
    c->t_width = (int)lnf->shape[0];
    c->t_layers = count_blocks(ts, p, "transformer.");
    c->context = (int)pos->shape[0];
    c->vocab = (int)tok->shape[0];
    if ((c->v_heads = heads_of(ts, "visual", c->v_width, e)) < 0 ||
        (c->t_heads = heads_of(ts, "text", c->t_width, e)) < 0)
        return -1;
    if (c->v_layers == 0 || c->t_layers == 0)
        return irra_fail(e, "%s: no %s transformer blocks", ts->path,
                         c->v_layers ? "text" : "visual");
    return 0;
}

static int infer_heads(irra_config *c, const irra_tensors *ts, irra_err *e)
{
    c->has_mlm = irra_tensors_find(ts, "cross_attn.in_proj_weight") != NULL;
    if (c->has_mlm) {
        const irra_tensor *fc = need(ts, "", "mlm_head.fc.weight", 2, e);
        if (!fc) return -1;
        c->mlm_vocab = (int)fc->shape[0];
        c->cmt_layers = count_blocks(ts, "", "cross_modal_transformer.");
        if ((c->cmt_heads = heads_of(ts, "cross-modal", c->embed_dim, e)) < 0) return -1;
    }
    const irra_tensor *cls = irra_tensors_find(ts, "classifier.weight");
    c->num_classes = cls && cls->ndim == 2 ? (int)cls->shape[0] : 0;
    return 0;
}

static int meta_int(const irra_tensors *ts, const char *key, int *dst)
{
    const char *v = irra_tensors_meta(ts, key);
    if (!v) return 0;
    char *end;
    long x = strtol(v, &end, 10);
    if (end == v || *end || x <= 0 || x > 65536) return -1;
    *dst = (int)x;
    return 0;
}

/* img_size and stride_size from the configs.yaml that the official trainer writes beside
 * best.pth; no such file: keep the defaults. */
static int run_config_geometry(const char *pth, int *h, int *w, int *s, irra_err *e)
{
    const char *slash = strrchr(pth, '/');
    int dirlen = slash ? (int)(slash - pth) + 1 : 0;
    char yaml[4096];
    if (snprintf(yaml, sizeof yaml, "%.*sconfigs.yaml", dirlen, pth) >= (int)sizeof yaml)
        return 0;
    if (access(yaml, F_OK) != 0) return 0;
    return irra_read_run_config(yaml, h, w, s, e);
}

static int geometry(irra_config *c, const irra_tensors *ts, const irra_open_opts *o, irra_err *e)
{
    int h = 384, w = 128, s = 16;
    if (ts->nmeta) {
        if (meta_int(ts, "irra.img_h", &h) || meta_int(ts, "irra.img_w", &w) ||
            meta_int(ts, "irra.stride", &s))
            return irra_fail(e, "%s: bad irra.img_h/img_w/stride metadata", ts->path);
    } else if (run_config_geometry(ts->path, &h, &w, &s, e) < 0) {
        return -1;
    }
    if (o && o->img_h) h = o->img_h;
    if (o && o->img_w) w = o->img_w;
    if (o && o->stride) s = o->stride;
    if (h < c->patch || w < c->patch || s <= 0 || h > 65536 || w > 65536)
        return irra_fail(e, "%s: image %dx%d stride %d does not fit patch %d", ts->path, h, w,
                         s, c->patch);
    irra_config_set_input(c, h, w, s);
    return 0;
}

void irra_config_set_input(irra_config *c, int img_h, int img_w, int stride)
{
    c->img_h = img_h, c->img_w = img_w, c->stride = stride;
    c->grid_h = (img_h - c->patch) / stride + 1;
    c->grid_w = (img_w - c->patch) / stride + 1;
    c->v_tokens = 1 + c->grid_h * c->grid_w;
}

int irra_config_infer(irra_config *c, const irra_tensors *ts, const irra_open_opts *opts,
                      irra_err *e)
{
    memset(c, 0, sizeof *c);
    const char *p = irra_clip_prefix(ts);
    if (infer_clip(c, ts, p, e) < 0 || infer_heads(c, ts, e) < 0 || geometry(c, ts, opts, e) < 0)
        return -1;
    const irra_tensor *vp = need(ts, p, "visual.positional_embedding", 2, e);
    if (!vp) return -1;
    if (vp->shape[0] != c->v_tokens)
        return irra_fail(e,
                         "%s: visual positional table has %lld rows but a %dx%d image at stride "
                         "%d gives %d tokens (1 + %dx%d patches)",
                         ts->path, (long long)vp->shape[0], c->img_h, c->img_w, c->stride,
                         c->v_tokens, c->grid_h, c->grid_w);
    return 0;
}
