/* Parity of the C model with the PyTorch reference (tests/ref/irra_ref.py): opens DIR/model.pth,
 * runs it on the reference inputs and requires every output within 1e-4 * max|reference|; then
 * converts the checkpoint to safetensors (F32, geometry in the metadata) and checks that file the
 * same way. Prints "ok NAME worst=..." / "FAIL NAME" lines.
 * usage: tool_parity DIR [yaml]   (yaml: take the geometry from DIR/configs.yaml, not flags) */
#include "model/fingerprint.h"
#include "model/irra.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define TOL 1e-4

static int failures;

typedef struct {
    void *data;
    size_t n;
} array;

/* Reads manifest array `name` (NULL data when absent). */
static array load(const char *dir, json_object *man, const char *name)
{
    array a = {0};
    json_object *arrays, *o, *file, *shape;
    if (!json_object_object_get_ex(man, "arrays", &arrays) ||
        !json_object_object_get_ex(arrays, name, &o))
        return a;
    json_object_object_get_ex(o, "file", &file);
    json_object_object_get_ex(o, "shape", &shape);
    a.n = 1;
    for (size_t i = 0; i < json_object_array_length(shape); i++)
        a.n *= (size_t)json_object_get_int(json_object_array_get_idx(shape, i));
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, json_object_get_string(file));
    FILE *f = fopen(path, "rb");
    a.data = malloc(a.n * 4);
    if (!f || !a.data || fread(a.data, 4, a.n, f) != a.n) {
        fprintf(stderr, "%s: cannot read\n", path);
        exit(2);
    }
    fclose(f);
    return a;
}

/* Takes ownership of want. */
static void compare(const char *tag, const char *what, const float *got, array want)
{
    const float *w = want.data;
    double mx = 0, worst = 0;
    for (size_t i = 0; i < want.n; i++) mx = fmax(mx, fabs(w[i]));
    for (size_t i = 0; i < want.n; i++) worst = fmax(worst, fabs((double)got[i] - w[i]));
    double rel = mx > 0 ? worst / mx : worst;
    int ok = rel <= TOL && isfinite(rel) && mx > 0;
    printf("%s parity_%s_%s worst_rel=%.3g (max|ref|=%.3g)\n", ok ? "ok" : "FAIL", tag, what, rel, mx);
    fflush(stdout);
    failures += !ok;
    free(want.data);
}

static int check_model(const char *tag, const char *path, const irra_open_opts *o, const char *dir,
                       json_object *man)
{
    irra_err e = {{0}};
    irra_model *m = irra_model_open(path, o, &e);
    if (!m) {
        printf("FAIL parity_%s_open: %s\n", tag, e.msg);
        return ++failures, -1;
    }
    const irra_config *c = irra_model_config(m);
    array px = load(dir, man, "pixels"), ids = load(dir, man, "ids");
    int B = (int)(ids.n / (size_t)c->context), E = c->embed_dim;
    float *f = malloc((size_t)B * E * 4), *tok = malloc((size_t)B * c->v_tokens * E * 4);
    float *dense = malloc((size_t)B * c->v_tokens * E * 4);
    float *ttok = malloc((size_t)B * c->context * E * 4);
    /* Every compared output from the packed product (model/gemm_packed.c), unless disabled by
     * the openblas mode; left unprepared, a model runs on OpenBLAS alone. */
    char before[64], after[64];
    irra_model_fingerprint(m, before);
    irra_model_prepare(m, IRRA_PREPARE_TEXT | IRRA_PREPARE_IMAGE);
    /* packing drops the weights' file pages; reading them again must give the same values */
    irra_model_fingerprint(m, after);
    int same = !strcmp(before, after);
    printf("%s parity_%s_weights_readable_after_packing\n", same ? "ok" : "FAIL", tag);
    failures += !same;
    int rc = irra_encode_image(m, px.data, B, f, tok, &e);
    if (rc == 0) compare(tag, "image_feat", f, load(dir, man, "image_feat"));
    if (rc == 0) compare(tag, "image_tokens", tok, load(dir, man, "image_tokens"));
    if (rc == 0 && (rc = irra_encode_image(m, px.data, B, f, NULL, &e)) == 0)
        compare(tag, "image_feat_cls_only", f, load(dir, man, "image_feat"));
    if (rc == 0 && (rc = irra_encode_image_dense(m, px.data, B, tok, dense, &e)) == 0) {
        compare(tag, "image_tokens_beside_dense", tok, load(dir, man, "image_tokens"));
        compare(tag, "image_dense", dense, load(dir, man, "image_dense"));
    }
    if (rc == 0 && (rc = irra_encode_text(m, ids.data, B, f, NULL, &e)) == 0)
        compare(tag, "text_feat", f, load(dir, man, "text_feat"));
    if (rc == 0 && (rc = irra_encode_text(m, ids.data, B, f, ttok, &e)) == 0) {
        compare(tag, "text_feat_all_tokens", f, load(dir, man, "text_feat"));
        compare(tag, "text_tokens", ttok, load(dir, man, "text_tokens"));
    }
    array mids = load(dir, man, "mlm_ids");
    if (rc == 0 && mids.data) {
        float *lg = malloc((size_t)B * c->context * c->mlm_vocab * 4);
        float *at = malloc((size_t)B * c->context * c->v_tokens * 4);
        if ((rc = irra_mlm(m, mids.data, tok, B, lg, at, &e)) == 0) {
            compare(tag, "mlm_logits", lg, load(dir, man, "mlm_logits"));
            compare(tag, "mlm_attn", at, load(dir, man, "mlm_attn"));
        }
        free(lg), free(at);
    } else if (rc == 0 && irra_mlm(m, ids.data, tok, B, ttok, NULL, &e) == 0) {
        printf("FAIL parity_%s_no_mlm_head: irra_mlm succeeded without a head\n", tag);
        failures++;
    }
    if (rc < 0) printf("FAIL parity_%s_run: %s\n", tag, e.msg), failures++;
    free(f), free(tok), free(dense), free(ttok), free(px.data), free(ids.data), free(mids.data);
    irra_model_free(m);
    return rc;
}

#define VOCAB "assets/bpe_simple_vocab_16e6.txt.gz"

/* The checkpoint's tensors as an F32 safetensors file with the geometry and the tokenizer's
 * merges text in its metadata, as irra's converter writes it. */
static int convert(const char *pth, const char *out, const irra_open_opts *o)
{
    irra_err e = {{0}};
    irra_model *m = irra_model_open(pth, o, &e);
    irra_bpe *bpe = irra_bpe_load_file(VOCAB, &e);
    if (!m || !bpe) {
        printf("FAIL convert: %s\n", e.msg), ++failures;
        irra_model_free(m), irra_bpe_free(bpe);
        return -1;
    }
    const irra_config *c = irra_model_config(m);
    const irra_tensors *ts = irra_model_tensors(m);
    char h[16], w[16], s[16];
    snprintf(h, sizeof h, "%d", c->img_h), snprintf(w, sizeof w, "%d", c->img_w);
    snprintf(s, sizeof s, "%d", c->stride);
    size_t len;
    const char *k[] = {"irra.img_h", "irra.img_w", "irra.stride", "irra.bpe_merges"};
    const char *v[] = {h, w, s, irra_bpe_merges_text(bpe, &len)};
    int rc = irra_safetensors_write(out, ts->t, ts->n, IRRA_F32, k, v, 4, &e);
    if (rc < 0) printf("FAIL convert: %s\n", e.msg), failures++;
    irra_model_free(m), irra_bpe_free(bpe);
    return rc;
}

/* The tokenizer embedded by convert encodes like the one read from the vocabulary file. */
static void check_embedded_bpe(const char *tag, const char *path)
{
    irra_err e = {{0}};
    irra_open_opts none = {0};
    irra_model *m = irra_model_open(path, &none, &e);
    irra_bpe *ref = irra_bpe_load_file(VOCAB, &e);
    const irra_bpe *got = m ? irra_model_bpe(m) : NULL;
    int32_t a[16] = {0}, b[16] = {0};
    const char *text = "A woman in a red coat, carrying a black bag.";
    int ok = got && ref && irra_bpe_encode(got, text, a, 16, &e) > 2 &&
             irra_bpe_encode(ref, text, b, 16, &e) > 2 && memcmp(a, b, sizeof a) == 0;
    printf("%s parity_%s_embedded_tokenizer%s%s\n", ok ? "ok" : "FAIL", tag, ok ? "" : ": ",
           ok ? "" : e.msg);
    failures += !ok;
    irra_model_free(m), irra_bpe_free(ref);
}

/* A file missing ln_final.bias, or with mlm_head.dense.weight of half the rows, is refused with
 * the tensor's name and both shapes. */
static void check_bad_files(const char *tag, const char *pth, const char *dir,
                            const irra_open_opts *o)
{
    irra_err e = {{0}};
    irra_model *m = irra_model_open(pth, o, &e);
    if (!m) return;
    const irra_tensors *ts = irra_model_tensors(m);
    irra_tensor *t = malloc((size_t)ts->n * sizeof *t);
    int n = 0, E = irra_model_config(m)->embed_dim;
    for (int i = 0; i < ts->n; i++)
        if (strcmp(ts->t[i].name, "base_model.ln_final.bias") != 0) t[n++] = ts->t[i];
    char path[1024], want[64], got[64];
    const char *k[] = {"irra.img_h", "irra.img_w", "irra.stride"}, *v[3];
    char h[16], w[16], st[16];
    snprintf(h, sizeof h, "%d", o->img_h), snprintf(w, sizeof w, "%d", o->img_w);
    snprintf(st, sizeof st, "%d", o->stride);
    v[0] = h, v[1] = w, v[2] = st;
    snprintf(path, sizeof path, "%s/bad.safetensors", dir);
    irra_model *bad = NULL;
    if (irra_safetensors_write(path, t, n, IRRA_F32, k, v, 3, &e) == 0) bad = irra_model_open(path, NULL, &e);
    int ok = !bad && strstr(e.msg, "base_model.ln_final.bias");
    printf("%s parity_%s_missing_tensor_named: %s\n", ok ? "ok" : "FAIL", tag, e.msg);
    failures += !ok;
    irra_model_free(bad), bad = NULL;
    for (int i = 0; i < n; i++)
        if (!strcmp(t[i].name, "mlm_head.dense.weight")) t[i].shape[0] = E / 2;
    t[n++] = *irra_tensors_find(ts, "base_model.ln_final.bias");
    if (irra_safetensors_write(path, t, n, IRRA_F32, k, v, 3, &e) == 0) bad = irra_model_open(path, NULL, &e);
    snprintf(want, sizeof want, "expected [%d,%d]", E, E), snprintf(got, sizeof got, "[%d,%d]", E / 2, E);
    ok = !bad && strstr(e.msg, "mlm_head.dense.weight") && strstr(e.msg, want) && strstr(e.msg, got);
    printf("%s parity_%s_bad_shape_named: %s\n", ok ? "ok" : "FAIL", tag, e.msg);
    failures += !ok;
    irra_model_free(bad), irra_model_free(m), free(t);
}

int main(int argc, char **argv)
{
    if (argc < 2) return fprintf(stderr, "usage: tool_parity DIR [yaml | openblas]\n"), 2;
    const char *dir = argv[1];
    char path[1024], st[1024], tag[64];
    snprintf(path, sizeof path, "%s/manifest.json", dir);
    json_object *man = json_object_from_file(path);
    if (!man) return fprintf(stderr, "%s: cannot read\n", path), 2;
    json_object *o;
    irra_open_opts opts = {0};
    int yaml = argc > 2 && !strcmp(argv[2], "yaml");
    /* openblas: the image tower without irra's packed product, as on a CPU without AVX-512 */
    int openblas = argc > 2 && !strcmp(argv[2], "openblas");
    if (openblas) setenv("IRRA_NO_PACKED", "1", 1);
    if (!yaml) {
        json_object_object_get_ex(man, "img_h", &o), opts.img_h = json_object_get_int(o);
        json_object_object_get_ex(man, "img_w", &o), opts.img_w = json_object_get_int(o);
        json_object_object_get_ex(man, "stride", &o), opts.stride = json_object_get_int(o);
    }
    json_object_object_get_ex(man, "config", &o);
    const char *name = json_object_get_string(o);
    snprintf(path, sizeof path, "%s/model.pth", dir);
    snprintf(tag, sizeof tag, "%s_pth%s", name, yaml ? "_yaml" : openblas ? "_openblas" : "");
    check_model(tag, path, &opts, dir, man);
    snprintf(st, sizeof st, "%s/model.safetensors", dir);
    if (!yaml && !openblas && convert(path, st, &opts) == 0) {
        irra_open_opts none = {0}; /* geometry must now come from the metadata */
        snprintf(tag, sizeof tag, "%s_safetensors", name);
        check_model(tag, st, &none, dir, man);
        check_embedded_bpe(tag, st);
        if (!strcmp(name, "small")) check_bad_files(name, path, dir, &opts);
    }
    json_object_put(man);
    return failures ? 1 : 0;
}
