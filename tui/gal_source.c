/* tui_source over irra_model + gal_store. */
#include "tui/gal_source.h"
#include "cmd/cli.h"
#include "cmd/model_opts.h"
#include "gallery/search.h"
#include "gallery/store.h"
#include "model/fingerprint.h"
#include "model/irra.h"
#include "tui/failures.h"
#include "tui/heatmap.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SHIPPED_GALLERY "gallery.db"

typedef struct {
    irra_model *m;
    const irra_config *cfg;
    const irra_bpe *bpe;
    gal_store *s;
    gal_index ix;
    char **file;     /* [ix.n] absolute paths (the gallery's root joined to its paths) */
    gal_hit *hits;   /* [ix.n] */
    int32_t *ids;    /* [context] */
    float *qfeat;    /* [embed_dim], the last query's normalised feature */
    char qtext[1024];
    int64_t tok_id;  /* image whose patch tokens are in itok, 0 none */
    float *itok;     /* [v_tokens, embed_dim] */
    float *idense;   /* the same image's dense features, for the similarity map */
    float *pixels;   /* [3, img_h, img_w] */
    float *logits, *attn; /* [context, mlm_vocab], [context, v_tokens] */
} gsrc;

static void normalise(float *v, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++) s += (double)v[i] * v[i];
    float inv = s > 0 ? (float)(1 / sqrt(s)) : 0;
    for (int i = 0; i < d; i++) v[i] *= inv;
}

/* The normalised text feature of q (cached for the last query). */
static int encode_query(gsrc *g, const char *q, irra_err *e)
{
    if (!strcmp(q, g->qtext) && g->qtext[0]) return 0;
    memset(g->ids, 0, sizeof *g->ids * (size_t)g->cfg->context);
    if (irra_bpe_encode(g->bpe, q, g->ids, g->cfg->context, e) < 0) return -1;
    if (irra_encode_text(g->m, g->ids, 1, g->qfeat, NULL, e) != 0) return -1;
    normalise(g->qfeat, g->cfg->embed_dim);
    snprintf(g->qtext, sizeof g->qtext, "%s", q);
    return 0;
}

static int gs_search(void *ctx, const char *q, int k, tui_hit *out, char *err, size_t errn)
{
    gsrc *g = ctx;
    irra_err e = {{0}};
    if (encode_query(g, q, &e) != 0) {
        g->qtext[0] = 0;
        snprintf(err, errn, "%s", e.msg);
        return -1;
    }
    int n = gal_search(&g->ix, g->qfeat, k, g->hits);
    for (int i = 0; i < n; i++) {
        int r = g->hits[i].idx;
        out[i] = (tui_hit){r, g->hits[i].score, g->ix.pid[r], g->ix.image_id[r], g->file[r]};
    }
    return n;
}

static int gs_thumbnail(void *ctx, int64_t id, irra_image *out, char *err, size_t errn)
{
    gsrc *g = ctx;
    irra_err e = {{0}};
    irra_image im = {0};
    if (gal_store_thumbnail(g->s, id, &im, &e) != 0) {
        snprintf(err, errn, "%s", e.msg);
        return -1;
    }
    size_t n = (size_t)im.w * im.h * 3;
    out->rgb = malloc(n); /* the browser frees with free() */
    if (!out->rgb) {
        irra_image_free(&im);
        return -1;
    }
    memcpy(out->rgb, im.rgb, n);
    out->w = im.w;
    out->h = im.h;
    irra_image_free(&im);
    return 0;
}

static int gs_captions(void *ctx, int64_t id, char ***caps, int *n)
{
    gsrc *g = ctx;
    irra_err e;
    char **v = NULL;
    int k = 0;
    if (gal_store_image_captions(g->s, id, &v, &k, &e) != 0) return -1;
    *caps = calloc((size_t)(k ? k : 1), sizeof **caps);
    for (int i = 0; *caps && i < k; i++) (*caps)[i] = strdup(v[i]);
    *n = *caps ? k : 0;
    gal_strings_free(v, k);
    return *caps ? 0 : -1;
}

static int gs_words(void *ctx, const char *q, int *st, int *en, int max)
{
    (void)ctx;
    int n = 0;
    for (int i = 0; q[i] && n < max;) {
        while (q[i] == ' ' || q[i] == '\t') i++;
        if (!q[i]) break;
        st[n] = i;
        while (q[i] && q[i] != ' ' && q[i] != '\t') i++;
        en[n++] = i;
    }
    return n;
}

/* The BPE positions [t0, t1) of word w of q: CLIP tokenizes word by word, so the tokens of the
 * words before it give the offset (after SOT). */
static int word_tokens(gsrc *g, const char *q, int w, int *t0, int *t1, irra_err *e)
{
    int st[64], en[64], n = gs_words(g, q, st, en, 64);
    if (w < 0 || w >= n) return irra_fail(e, "no word %d in the query", w + 1);
    char buf[1024];
    int32_t ids[80];
    int ctx = g->cfg->context < 80 ? g->cfg->context : 80;
    snprintf(buf, sizeof buf, "%.*s", st[w], q);
    int before = irra_bpe_encode(g->bpe, buf, ids, ctx, e);
    snprintf(buf, sizeof buf, "%.*s", en[w], q);
    int upto = irra_bpe_encode(g->bpe, buf, ids, ctx, e);
    if (before < 0 || upto < 0) return -1;
    *t0 = before - 1; /* [SOT, words..., EOT]: before - 2 word tokens start after SOT */
    *t1 = upto - 1;
    if (*t1 <= *t0) *t1 = *t0 + 1;
    if (*t1 > ctx - 1) *t1 = ctx - 1;
    return 0;
}

static int image_tokens(gsrc *g, int64_t id, irra_err *e)
{
    if (g->tok_id == id) return 0;
    irra_image im = {0};
    if (gal_store_thumbnail(g->s, id, &im, e) != 0) return -1;
    int rc = irra_image_preprocess(&im, g->cfg->img_h, g->cfg->img_w, g->pixels, e);
    irra_image_free(&im);
    if (rc == 0) rc = irra_encode_image_dense(g->m, g->pixels, 1, g->itok, g->idense, e);
    if (rc != 0) return -1;
    g->tok_id = id;
    return 0;
}

static int gs_attn(void *ctx, const char *q, int64_t id, int kind, int word, float **map,
                   int *gh, int *gw, char *err, size_t errn)
{
    gsrc *g = ctx;
    const irra_config *c = g->cfg;
    irra_err e = {{0}};
    int t0 = 0, t1 = 0;
    *gh = c->grid_h;
    *gw = c->grid_w;
    *map = malloc(sizeof **map * (size_t)c->grid_h * c->grid_w);
    int rc = *map ? 0 : irra_fail(&e, "out of memory");
    if (rc == 0) rc = image_tokens(g, id, &e);
    if (rc == 0) rc = encode_query(g, q, &e);
    if (rc == 0 && kind == TUI_MAP_SIMILARITY) {
        tui_heat_similarity(g->qfeat, g->idense, c->grid_h, c->grid_w, c->embed_dim, *map);
    } else if (rc == 0) {
        if (!c->has_mlm) rc = irra_fail(&e, "the model has no IRR branch: no relation map");
        if (rc == 0) rc = word_tokens(g, q, word, &t0, &t1, &e);
        if (rc == 0) rc = irra_mlm(g->m, g->ids, g->itok, 1, g->logits, g->attn, &e);
        if (rc == 0) tui_heat_relation(g->attn, c->v_tokens, t0, t1, *map);
    }
    if (rc != 0) {
        free(*map);
        *map = NULL;
        snprintf(err, errn, "%s", e.msg);
    }
    return rc;
}

#define FAIL_BATCH 32 /* captions per text-tower call: BLAS is far faster on batches */

/* Ranks the whole gallery for every caption of the split. */
static int gs_failures(void *ctx, tui_failcase **out, int *n, float *r1, float *map,
                       void (*progress)(void *, int, int), void *arg, char *err, size_t errn)
{
    gsrc *g = ctx;
    const int C = g->cfg->context, D = g->cfg->embed_dim;
    irra_err e = {{0}};
    gal_caption *caps = NULL;
    int nc = 0;
    if (gal_store_captions(g->s, &caps, &nc, &e) != 0) return snprintf(err, errn, "%s", e.msg), -1;
    if (nc == 0) {
        gal_captions_free(caps, nc);
        return snprintf(err, errn, "needs a gallery built from a dataset split (irra gallery build "
                        "--dataset DIR --split test): this one has no captions and identities to "
                        "rank"), -1;
    }
    tui_failcase *fc = calloc((size_t)nc, sizeof *fc);
    int *pids = malloc(sizeof *pids * (size_t)g->ix.n);
    int32_t *ids = malloc(sizeof *ids * FAIL_BATCH * (size_t)C);
    float *feat = malloc(sizeof *feat * FAIL_BATCH * (size_t)D);
    int rc = fc && pids && ids && feat ? 0 : irra_fail(&e, "out of memory");
    for (int i0 = 0; i0 < nc && rc == 0; i0 += FAIL_BATCH) {
        int B = nc - i0 < FAIL_BATCH ? nc - i0 : FAIL_BATCH;
        memset(ids, 0, sizeof *ids * (size_t)B * C);
        for (int b = 0; b < B && rc == 0; b++)
            rc = irra_bpe_encode(g->bpe, caps[i0 + b].text, ids + (size_t)b * C, C, &e) < 0 ? -1 : 0;
        if (rc == 0) rc = irra_encode_text(g->m, ids, B, feat, NULL, &e);
        for (int b = 0; b < B && rc == 0; b++) {
            float *q = feat + (size_t)b * D;
            normalise(q, D);
            int k = gal_search(&g->ix, q, g->ix.n, g->hits);
            for (int j = 0; j < k; j++) pids[j] = g->ix.pid[g->hits[j].idx];
            tui_failcase *f = &fc[i0 + b];
            f->text = strdup(caps[i0 + b].text);
            f->pid = caps[i0 + b].pid;
            f->ap = tui_rank_of_first(pids, k, f->pid, &f->first_rank);
        }
        if (progress) progress(arg, i0 + B, nc);
    }
    free(pids);
    free(ids);
    free(feat);
    gal_captions_free(caps, nc);
    if (rc != 0) {
        if (fc) tui_failures_free(fc, nc);
        return snprintf(err, errn, "%s", e.msg), -1;
    }
    tui_failures_finish(fc, nc, r1, map);
    *out = fc;
    *n = nc;
    return 0;
}

static void gs_close(void *ctx)
{
    gsrc *g = ctx;
    if (!g) return;
    for (int i = 0; g->file && i < g->ix.n; i++) free(g->file[i]);
    free(g->file);
    gal_index_free(&g->ix);
    if (g->s) gal_store_close(g->s);
    if (g->m) irra_model_free(g->m);
    free(g->hits);
    free(g->ids);
    free(g->qfeat);
    free(g->itok);
    free(g->idense);
    free(g->pixels);
    free(g->logits);
    free(g->attn);
    free(g);
}

/* Both towers: queries use the text tower, heatmaps the image tower (irra_model_prepare). */
static void gs_prepare(void *ctx)
{
    gsrc *g = ctx;
    irra_model_prepare(g->m, IRRA_PREPARE_TEXT | IRRA_PREPARE_IMAGE);
}

static int open_model(gsrc *g, const char *model, const char *vocab, char *err, size_t errn)
{
    char shipped[4096], voc[4096];
    if (!model) {
        if (cli_asset_path(CLI_SHIPPED_MODEL, shipped, sizeof shipped) != 0)
            return snprintf(err, errn, "no --model given and no shipped model (" CLI_SHIPPED_MODEL ")"), -1;
        model = shipped;
    }
    irra_open_opts o = {0};
    o.vocab_path = vocab;
    if (cli_asset_path(CLI_SHIPPED_VOCAB, voc, sizeof voc) == 0) o.fallback_vocab_path = voc;
    irra_err e = {{0}};
    if (!(g->m = irra_model_open(model, &o, &e))) return snprintf(err, errn, "%s", e.msg), -1;
    if (!irra_model_bpe(g->m))
        return snprintf(err, errn, "%s: the model carries no vocabulary; pass --vocab", model), -1;
    return 0;
}

/* Paths as the user can open them (y, e and the detail pane show these, as search --json's
 * "file"): the stored root (absolute for builds of this version) joined to each stored path,
 * made absolute against the current folder where the root is relative or missing. */
static int absolute_paths(gsrc *g, const char *gallery, char *err, size_t errn)
{
    char root[1100] = "", cwd[4096] = "";
    irra_err e = {{0}};
    if (gal_store_meta_get(g->s, "root", root, sizeof root, &e) != 0) return snprintf(err, errn, "%s", e.msg), -1;
    if (!getcwd(cwd, sizeof cwd)) cwd[0] = 0;
    if (!(g->file = calloc((size_t)g->ix.n, sizeof *g->file)))
        return snprintf(err, errn, "%s: out of memory", gallery), -1;
    for (int i = 0; i < g->ix.n; i++) {
        const char *p = g->ix.path[i];
        int n = p[0] == '/'    ? asprintf(&g->file[i], "%s", p)
                : root[0] == '/' ? asprintf(&g->file[i], "%s/%s", root, p)
                : root[0]       ? asprintf(&g->file[i], "%s/%s/%s", cwd, root, p)
                                : asprintf(&g->file[i], "%s/%s", cwd, p);
        if (n < 0) {
            g->file[i] = NULL;
            return snprintf(err, errn, "%s: out of memory", gallery), -1;
        }
    }
    return 0;
}

static int open_gallery(gsrc *g, const char *gallery, char *err, size_t errn)
{
    char shipped[4096], fp[64];
    if (!gallery) {
        if (cli_asset_path(SHIPPED_GALLERY, shipped, sizeof shipped) != 0)
            return snprintf(err, errn, "no --gallery given and no shipped gallery (" SHIPPED_GALLERY ")"), -1;
        gallery = shipped;
    }
    irra_err e = {{0}};
    if (!(g->s = gal_store_open(gallery, 0, &e))) return snprintf(err, errn, "%s", e.msg), -1;
    irra_model_fingerprint(g->m, fp);
    if (gal_index_load(g->s, fp, &g->ix, &e) != 0) return snprintf(err, errn, "%s", e.msg), -1;
    if (g->ix.n <= 0) return snprintf(err, errn, "%s: the gallery has no encoded images", gallery), -1;
    return absolute_paths(g, gallery, err, errn);
}

int tui_gal_source_open(tui_source *src, const char *model, const char *gallery,
                        const char *vocab, char *err, size_t errn)
{
    memset(src, 0, sizeof *src);
    gsrc *g = calloc(1, sizeof *g);
    if (!g) return snprintf(err, errn, "out of memory"), -1;
    if (open_model(g, model, vocab, err, errn) != 0 || open_gallery(g, gallery, err, errn) != 0) {
        gs_close(g);
        return -1;
    }
    const irra_config *c = g->cfg = irra_model_config(g->m);
    g->bpe = irra_model_bpe(g->m);
    g->hits = malloc(sizeof *g->hits * (size_t)g->ix.n);
    g->ids = calloc((size_t)c->context, sizeof *g->ids);
    g->qfeat = malloc(sizeof *g->qfeat * (size_t)c->embed_dim);
    g->itok = malloc(sizeof *g->itok * (size_t)c->v_tokens * c->embed_dim);
    g->idense = malloc(sizeof *g->idense * (size_t)c->v_tokens * c->embed_dim);
    g->pixels = malloc(sizeof *g->pixels * 3 * (size_t)c->img_h * c->img_w);
    if (c->has_mlm) {
        g->logits = malloc(sizeof *g->logits * (size_t)c->context * c->mlm_vocab);
        g->attn = malloc(sizeof *g->attn * (size_t)c->context * c->v_tokens);
    }
    if (!g->hits || !g->ids || !g->qfeat || !g->itok || !g->idense || !g->pixels ||
        (c->has_mlm && (!g->logits || !g->attn))) {
        gs_close(g);
        return snprintf(err, errn, "out of memory"), -1;
    }
    const char *name = model ? strrchr(model, '/') : NULL;
    snprintf(src->model_name, sizeof src->model_name, "%s",
             name ? name + 1 : model ? model : CLI_SHIPPED_MODEL);
    src->ctx = g;
    src->size = g->ix.n;
    src->search = gs_search;
    src->thumbnail = gs_thumbnail;
    src->captions = gs_captions;
    src->words = gs_words;
    src->attn_map = gs_attn;
    src->failures = gs_failures;
    src->prepare = gs_prepare;
    src->close = gs_close;
    return 0;
}
