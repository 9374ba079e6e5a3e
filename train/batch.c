#include "train/batch.h"

#include "gallery/json_read.h"
#include "model/image.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_BATCH 65536

static json_object *field(json_object *o, const char *key, json_type type, int required,
                          const char *name, irra_err *e)
{
    json_object *v = NULL;
    if (!json_object_object_get_ex(o, key, &v) || json_object_get_type(v) == json_type_null) {
        if (required) irra_fail(e, "%s: %s: missing", name, key);
        return NULL;
    }
    if (json_object_get_type(v) != type) {
        irra_fail(e, "%s: %s: expected %s", name, key, type == json_type_array ? "an array" : "a string");
        return NULL;
    }
    return v;
}

static int get_int(json_object *v, long long lo, long long hi, long long *out)
{
    if (json_object_get_type(v) != json_type_int) return -1;
    errno = 0;
    long long x = json_object_get_int64(v);
    if (errno || x < lo || x > hi) return -1;
    *out = x;
    return 0;
}

/* rows [B][ctx] of ints in [0, 2^31) into dst. */
static int read_rows(json_object *a, const char *key, int B, int ctx, int32_t *dst,
                     const char *name, irra_err *e)
{
    if ((int)json_object_array_length(a) != B)
        return irra_fail(e, "%s: %s: %d rows, expected %d (one per image)", name, key,
                         (int)json_object_array_length(a), B);
    for (int i = 0; i < B; i++) {
        json_object *r = json_object_array_get_idx(a, (size_t)i);
        if (json_object_get_type(r) != json_type_array)
            return irra_fail(e, "%s: %s: row %d is not an array", name, key, i);
        if ((int)json_object_array_length(r) != ctx)
            return irra_fail(e, "%s: %s: row %d has %d ids, expected %d (the model's text length)",
                             name, key, i, (int)json_object_array_length(r), ctx);
        for (int t = 0; t < ctx; t++) {
            long long x;
            if (get_int(json_object_array_get_idx(r, (size_t)t), 0, 0x7fffffff, &x) < 0)
                return irra_fail(e, "%s: %s: row %d, position %d is not a non-negative integer",
                                 name, key, i, t);
            dst[(size_t)i * ctx + t] = (int32_t)x;
        }
    }
    return 0;
}

static int read_images(irra_batch_file *bf, json_object *a, int B, const char *base_dir,
                       const irra_config *c, const char *name, irra_err *e)
{
    size_t px = (size_t)3 * c->img_h * c->img_w;
    for (int i = 0; i < B; i++) {
        json_object *s = json_object_array_get_idx(a, (size_t)i);
        if (json_object_get_type(s) != json_type_string)
            return irra_fail(e, "%s: images: entry %d is not a string", name, i);
        const char *p = json_object_get_string(s);
        size_t need = strlen(base_dir) + strlen(p) + 2;
        if (!(bf->images[i] = malloc(need))) return irra_fail(e, "%s: out of memory", name);
        snprintf(bf->images[i], need, "%s%s%s", p[0] == '/' ? "" : base_dir,
                 p[0] == '/' ? "" : "/", p);
        irra_err ie = {{0}};
        if (irra_image_load_input(bf->images[i], c->img_h, c->img_w, bf->pixels + (size_t)i * px,
                                  &ie) < 0)
            return irra_fail(e, "%s: images: entry %d: %s", name, i, ie.msg);
    }
    return 0;
}

static int parse_root(irra_batch_file *bf, json_object *root, const char *name,
                      const char *base_dir, const irra_config *c, irra_err *e)
{
    if (json_object_get_type(root) != json_type_object)
        return irra_fail(e, "%s: expected a JSON object", name);
    json_object *ln = field(root, "loss_names", json_type_string, 0, name, e);
    if (!ln && e && e->msg[0]) return -1;
    irra_err le = {{0}};
    if (irra_loss_names_parse(ln ? json_object_get_string(ln) : "sdm+id+mlm", &bf->losses, &le) < 0)
        return irra_fail(e, "%s: %s", name, le.msg);
    json_object *im = field(root, "images", json_type_array, 1, name, e);
    json_object *pid = field(root, "pids", json_type_array, 1, name, e);
    json_object *cap = field(root, "caption_ids", json_type_array, 1, name, e);
    if (!im || !pid || !cap) return -1;
    json_object *mi = field(root, "mlm_ids", json_type_array, bf->losses.mlm, name, e);
    json_object *ml = field(root, "mlm_labels", json_type_array, bf->losses.mlm, name, e);
    if (bf->losses.mlm && (!mi || !ml)) return -1;
    int B = (int)json_object_array_length(im), ctx = c->context;
    if (B < 1 || B > MAX_BATCH)
        return irra_fail(e, "%s: images: %d entries, expected 1 to %d", name, B, MAX_BATCH);
    if ((int)json_object_array_length(pid) != B)
        return irra_fail(e, "%s: pids: %d entries, expected %d (one per image)", name,
                         (int)json_object_array_length(pid), B);
    size_t px = (size_t)3 * c->img_h * c->img_w;
    bf->pixels = malloc((size_t)B * px * sizeof *bf->pixels);
    bf->pids = malloc((size_t)B * sizeof *bf->pids);
    bf->ids = calloc((size_t)3 * B * ctx, sizeof *bf->ids);
    bf->images = calloc((size_t)B, sizeof *bf->images);
    if (!bf->pixels || !bf->pids || !bf->ids || !bf->images)
        return irra_fail(e, "%s: out of memory for a batch of %d", name, B);
    bf->b.B = B;
    for (int i = 0; i < B; i++) {
        long long x;
        if (get_int(json_object_array_get_idx(pid, (size_t)i), 0, 0x7fffffff, &x) < 0)
            return irra_fail(e, "%s: pids: entry %d is not a non-negative integer", name, i);
        bf->pids[i] = (int)x;
    }
    int32_t *cid = bf->ids, *mid = cid + (size_t)B * ctx, *mlab = mid + (size_t)B * ctx;
    if (read_rows(cap, "caption_ids", B, ctx, cid, name, e) < 0) return -1;
    if (mi && read_rows(mi, "mlm_ids", B, ctx, mid, name, e) < 0) return -1;
    if (!mi) memcpy(mid, cid, (size_t)B * ctx * sizeof *mid);
    if (ml && read_rows(ml, "mlm_labels", B, ctx, mlab, name, e) < 0) return -1;
    bf->b = (irra_train_batch){B, bf->pixels, bf->pids, cid, mid, mlab};
    return read_images(bf, im, B, base_dir, c, name, e);
}

int irra_batch_parse(irra_batch_file *bf, const char *buf, size_t n, const char *name,
                     const char *base_dir, const irra_config *c, irra_err *e)
{
    memset(bf, 0, sizeof *bf);
    if (e) e->msg[0] = 0;
    json_object *root = gal_json_parse(buf, n, name, e);
    if (!root) return -1;
    int rc = parse_root(bf, root, name, base_dir, c, e);
    json_object_put(root);
    if (rc < 0) irra_batch_free(bf);
    return rc;
}

int irra_batch_read(irra_batch_file *bf, const char *path, const irra_config *c, irra_err *e)
{
    memset(bf, 0, sizeof *bf);
    if (e) e->msg[0] = 0;
    json_object *root = gal_json_read_file(path, e);
    if (!root) return -1;
    char *copy = strdup(path);
    int rc = copy ? parse_root(bf, root, path, dirname(copy), c, e)
                  : irra_fail(e, "%s: out of memory", path);
    free(copy);
    json_object_put(root);
    if (rc < 0) irra_batch_free(bf);
    return rc;
}

void irra_batch_free(irra_batch_file *bf)
{
    for (int i = 0; bf->images && i < bf->b.B; i++) free(bf->images[i]);
    free(bf->images), free(bf->pixels), free(bf->pids), free(bf->ids);
    memset(bf, 0, sizeof *bf);
}
