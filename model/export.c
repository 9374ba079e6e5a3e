/* irra_model_export (export.h): names and dtypes of the official state dict, configs.yaml. */
#include "model/export.h"

#include "model/atomic_file.h"
#include "model/config.h"
#include "model/run_config.h"
#include "model/tensors_io.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static int in_list(const char *s, size_t n, const char *const *list)
{
    for (; *list; list++)
        if (strlen(*list) == n && !strncmp(s, *list, n)) return 1;
    return 0;
}

irra_dtype irra_official_dtype(const char *name)
{
    static const char *const half_leaf[] = {"proj", "text_projection", "mcq_proj",
                                            "in_proj_weight", "in_proj_bias", NULL};
    /* the Conv2d and Linear modules of CLIP and IRRA; out_proj is MHA's Linear */
    static const char *const linear[] = {"conv1", "out_proj", "c_fc", "c_proj", "classifier",
                                         "dense", "fc", NULL};
    const char *dot = strrchr(name, '.'), *leaf = dot ? dot + 1 : name;
    if (in_list(leaf, strlen(leaf), half_leaf)) return IRRA_F16;
    if (!dot || (strcmp(leaf, "weight") && strcmp(leaf, "bias"))) return IRRA_F32;
    const char *parent = dot;
    while (parent > name && parent[-1] != '.') parent--;
    return in_list(parent, (size_t)(dot - parent), linear) ? IRRA_F16 : IRRA_F32;
}

/* IRRA's own modules: never under base_model. */
static int irra_module(const char *name)
{
    static const char *const top[] = {"classifier.", "cross_attn.", "cross_modal_transformer.",
                                      "ln_pre_t.", "ln_pre_i.", "ln_post.", "mlm_head.", NULL};
    for (const char *const *p = top; *p; p++)
        if (!strncmp(name, *p, strlen(*p))) return 1;
    return 0;
}

static int is_float(irra_dtype d) { return d == IRRA_F32 || d == IRRA_F16 || d == IRRA_BF16; }

/* The tensors under their official names (names allocated; data shared with the model). */
static irra_tensor *official_tensors(const irra_tensors *ts, irra_dtype **dtype, irra_err *e)
{
    const char *pfx = *irra_clip_prefix(ts) ? "" : "base_model.";
    irra_tensor *t = calloc((size_t)ts->n + 1, sizeof *t);
    *dtype = malloc(((size_t)ts->n + 1) * sizeof **dtype);
    if (!t || !*dtype) goto oom;
    for (int i = 0; i < ts->n; i++) {
        t[i] = ts->t[i];
        const char *p = irra_module(ts->t[i].name) ? "" : pfx;
        size_t n = strlen(p) + strlen(ts->t[i].name) + 1;
        if (!(t[i].name = malloc(n))) goto oom;
        snprintf(t[i].name, n, "%s%s", p, ts->t[i].name);
        (*dtype)[i] = is_float(t[i].dtype) ? irra_official_dtype(t[i].name) : t[i].dtype;
    }
    return t;
oom:
    if (t)
        for (int i = 0; i < ts->n; i++) free(t[i].name);
    free(t), free(*dtype);
    *dtype = NULL;
    irra_fail(e, "%s: out of memory", ts->path);
    return NULL;
}

static const char *dataset_of(int num_classes)
{
    switch (num_classes) {
    case 3102: return "ICFG-PEDES";
    case 3701: return "RSTPReid";
    default: return "CUHK-PEDES";
    }
}

/* The folder of path (".": none given), absolute when it exists. */
static char *folder(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *dir = slash ? strndup(path, slash == path ? 1 : (size_t)(slash - path)) : strdup(".");
    char *abs = dir ? realpath(dir, NULL) : NULL;
    if (abs) free(dir);
    return abs ? abs : dir;
}

static int write_both(const irra_model *m, const char *pth, const char *yaml,
                      const irra_run_config *rc, irra_err *e)
{
    const irra_tensors *ts = irra_model_tensors(m);
    irra_dtype *dt = NULL;
    irra_tensor *t = official_tensors(ts, &dt, e);
    if (!t) return -1;
    irra_atomic ap, ay;
    int r = irra_atomic_open(&ap, pth, e);
    if (!r && (r = irra_pth_write_stream(ap.f, pth, t, ts->n, dt, e))) irra_atomic_abort(&ap);
    if (!r) r = irra_atomic_close(&ap, 0, e);
    if (!r && (r = irra_atomic_open(&ay, yaml, e))) irra_atomic_abort(&ap);
    if (!r) {
        if (irra_run_config_emit(ay.f, yaml, rc, e)) {
            irra_atomic_abort(&ay), irra_atomic_abort(&ap);
            r = -1;
        }
    }
    if (!r && (r = irra_atomic_close(&ay, 0, e))) irra_atomic_abort(&ap);
    if (!r && (r = irra_atomic_rename(&ay, e))) irra_atomic_abort(&ap);
    if (!r) r = irra_atomic_rename(&ap, e);
    for (int i = 0; i < ts->n; i++) free(t[i].name);
    free(t), free(dt);
    return r;
}

int irra_model_export(const irra_model *m, const char *pth_path, const irra_export_opts *o,
                      irra_err *e)
{
    struct stat st;
    if (stat(pth_path, &st) == 0 && S_ISDIR(st.st_mode))
        return irra_fail(e, "%s: is a folder (give the file to write, e.g. %s/best.pth)",
                         pth_path, pth_path);
    const irra_config *c = irra_model_config(m);
    char loss[32];
    snprintf(loss, sizeof loss, "sdm%s%s", c->has_mlm ? "+mlm" : "", c->num_classes ? "+id" : "");
    char *dir = folder(pth_path);
    if (!dir) return irra_fail(e, "%s: out of memory", pth_path);
    irra_run_config rc = {
        .img_h = c->img_h, .img_w = c->img_w, .stride = c->stride, .text_length = c->context,
        .vocab_size = c->has_mlm ? c->mlm_vocab : c->vocab,
        .cmt_depth = c->has_mlm ? c->cmt_layers : 4, .num_classes = c->num_classes,
        .mlm = c->has_mlm, .loss_names = loss,
        .dataset_name = o && o->dataset_name ? o->dataset_name : dataset_of(c->num_classes),
        .root_dir = o && o->root_dir ? o->root_dir : "./data", .output_dir = dir,
        .name = "irra-export", .pretrain_choice = "ViT-B/16"};
    size_t n = strlen(dir) + sizeof "/configs.yaml";
    char *yaml = malloc(n);
    int r = yaml ? 0 : irra_fail(e, "%s: out of memory", pth_path);
    if (!r) {
        snprintf(yaml, n, "%s/configs.yaml", dir);
        r = write_both(m, pth_path, yaml, &rc, e);
    }
    free(yaml), free(dir);
    return r;
}
