#include "train/init.h"

#include "train/synth_rng.h"

#include <math.h>
#include <string.h>

enum { INIT_STREAM = 101 }; /* apart from synth's streams */

typedef enum { ZERO, ONE, NORMAL, UNIFORM } dist;

/* How tensor `name` of shape [d0, d1, ...] is drawn, with its scale (std or bound). */
static dist rule(const irra_config *c, const char *name, const int64_t *shape, int ndim,
                 double *s)
{
    int E = c->embed_dim, w = c->t_width, W = c->v_width;
    int fan_in = ndim >= 2 ? (int)(shape[1] * (ndim == 4 ? shape[2] * shape[3] : 1)) : 1;
    const char *leaf = strrchr(name, '.') ? strrchr(name, '.') + 1 : name;
    int text = !strncmp(name, "base_model.transformer.", 23);
    int vis = !strncmp(name, "base_model.visual.", 18);
    int cmt = !strncmp(name, "cross_modal_transformer.", 24), xattn = !strncmp(name, "cross_attn.", 11);
    int is_ln = strstr(name, "ln_") || strstr(name, "ln_final") || strstr(name, "mlm_head.ln.");
    if (is_ln) return strcmp(leaf, "weight") ? ZERO : ONE;
    if (!strcmp(name, "classifier.weight")) return *s = 0.001, NORMAL;
    if (!strcmp(name, "classifier.bias")) return ZERO;
    if (!strcmp(name, "base_model.token_embedding.weight")) return *s = 0.02, NORMAL;
    if (!strcmp(name, "base_model.positional_embedding")) return *s = 0.01, NORMAL;
    if (!strcmp(name, "base_model.text_projection")) return *s = pow(w, -0.5), NORMAL;
    if (!strcmp(name, "base_model.visual.class_embedding") ||
        !strcmp(name, "base_model.visual.positional_embedding") ||
        !strcmp(name, "base_model.visual.proj"))
        return *s = pow(W, -0.5), NORMAL;
    /* MultiheadAttention's own biases start at zero (its _reset_parameters) */
    if (strstr(name, "in_proj_bias") || strstr(name, "out_proj.bias")) return ZERO;
    /* the std-normal rules: CLIP's text blocks, IRRA's cross-modal blocks and cross attention,
     * and the MLM head (spec 4.8, 4.9) */
    if (text || cmt || xattn) {
        int d = text ? w : E, L = text ? c->t_layers : c->cmt_layers;
        double attn = pow(d, -0.5), proj = pow(d, -0.5) * pow(2.0 * (L ? L : 1), -0.5);
        double fc = pow(2.0 * d, -0.5);
        if (xattn) proj = pow(E, -0.5) * pow(2.0 * (c->cmt_layers ? c->cmt_layers : 1), -0.5);
        if (strstr(name, "in_proj_weight")) return *s = attn, NORMAL;
        if (strstr(name, "out_proj.weight") || strstr(name, "c_proj.weight")) return *s = proj, NORMAL;
        if (strstr(name, "c_fc.weight")) return *s = fc, NORMAL;
    }
    if (!strcmp(name, "mlm_head.dense.weight")) return *s = pow(2.0 * E, -0.5), NORMAL;
    if (!strcmp(name, "mlm_head.fc.weight"))
        return *s = pow(E, -0.5) * pow(2.0 * (c->cmt_layers ? c->cmt_layers : 1), -0.5), NORMAL;
    /* PyTorch defaults (the image tower and every Linear bias): in_proj_weight xavier-uniform,
     * Linear and Conv weights kaiming-uniform(a = sqrt 5) = U(+-1/sqrt(fan_in)), Linear biases
     * U(+-1/sqrt(fan_in)) with the weight's fan_in */
    if (vis && strstr(name, "in_proj_weight"))
        return *s = sqrt(6.0 / (double)(shape[0] + shape[1])), UNIFORM;
    if (!strcmp(leaf, "bias")) {
        if (strstr(name, "c_fc")) fan_in = text ? w : vis ? W : E;
        else if (strstr(name, "c_proj")) fan_in = 4 * (text ? w : vis ? W : E);
        else fan_in = E; /* mlm_head.dense, mlm_head.fc */
    }
    return *s = 1.0 / sqrt((double)fan_in), UNIFORM;
}

void irra_init_tensor(irra_param_buf *p, int i, uint64_t seed)
{
    const irra_param_layout *L = p->L;
    double s = 0;
    dist d = rule(&L->cfg, L->name[i], L->shape[i], L->ndim[i], &s);
    size_t n = 1;
    for (int k = 0; k < L->ndim[i]; k++) n *= (size_t)L->shape[i][k];
    float *x = p->mem + L->off[i];
    syn_rng r = syn_rng_key(seed, INIT_STREAM, (uint64_t)i);
    for (size_t j = 0; j < n; j++) {
        if (d == ZERO || d == ONE) {
            x[j] = d == ONE ? 1.0f : 0.0f;
        } else if (d == UNIFORM) {
            x[j] = (float)syn_range(&r, -s, s);
        } else { /* Box-Muller */
            double u1 = 1.0 - syn_unif(&r), u2 = syn_unif(&r);
            x[j] = (float)(s * sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2));
        }
    }
}

void irra_init_all(irra_param_buf *p, uint64_t seed)
{
    for (int i = 0; i < p->L->n; i++) irra_init_tensor(p, i, seed);
}
