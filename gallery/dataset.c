/* Dataset readers: the three annotation formats of spec section 6 and plain image folders.
 * See gallery/dataset.h for the rules; the official readers are datasets/cuhkpedes.py,
 * icfgpedes.py and rstpreid.py of anosorae/IRRA. */
#include "gallery/dataset.h"
#include "gallery/json_read.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <json.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#define MAX_DEPTH 64 /* folder recursion */

typedef struct {
    const char *prefix;
    gal_ds_kind kind;
    const char *anno;      /* annotation file under DIR */
    const char *path_key;  /* the entry field holding the image path */
    int train_shift;       /* train pid = id - train_shift */
} format;

static const format formats[] = {
    {"cuhk-pedes", GAL_DS_CUHK, "reid_raw.json", "file_path", 1},
    {"icfg-pedes", GAL_DS_ICFG, "ICFG-PEDES.json", "file_path", 0},
    {"rstpreid", GAL_DS_RSTP, "data_captions.json", "img_path", 0},
};

/* ---- small helpers ---------------------------------------------------------------------- */

static char *dupstr(const char *s)
{
    return s ? strdup(s) : NULL;
}

static char *join(const char *a, const char *b)
{
    size_t na = strlen(a), nb = strlen(b);
    int slash = na && a[na - 1] != '/';
    char *p = malloc(na + slash + nb + 1);
    if (!p) return NULL;
    memcpy(p, a, na);
    if (slash) p[na] = '/';
    memcpy(p + na + slash, b, nb + 1);
    return p;
}

/* DIR made absolute against the working directory (links are not resolved, so the paths
 * stored in a gallery are the ones the user gave), without trailing slashes. */
static char *absolute_dir(const char *dir)
{
    char *p;
    if (dir[0] == '/') {
        p = strdup(dir);
    } else {
        char *cwd = getcwd(NULL, 0);
        if (!cwd) return NULL;
        p = join(cwd, dir);
        free(cwd);
    }
    if (!p) return NULL;
    size_t n = strlen(p);
    while (n > 1 && p[n - 1] == '/') p[--n] = 0;
    return p;
}

static int need_dir(const char *path, const char *what, irra_err *e)
{
    struct stat st;
    if (stat(path, &st) != 0) return irra_fail(e, "%s: %s (%s)", path, strerror(errno), what);
    if (!S_ISDIR(st.st_mode)) return irra_fail(e, "%s: not a directory (%s)", path, what);
    return 0;
}

int gal_camera_from_name(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    for (const char *p = strstr(base, "_c"); p; p = strstr(p + 1, "_c")) {
        if (!isdigit((unsigned char)p[2])) continue;
        long v = 0;
        for (p += 2; isdigit((unsigned char)*p) && v < 1000000; p++) v = v * 10 + (*p - '0');
        return v < 1000000 ? (int)v : -1;
    }
    return -1;
}

static gal_dataset *dataset_new(gal_ds_kind kind, const char *root, const char *split)
{
    gal_dataset *d = calloc(1, sizeof *d);
    if (!d) return NULL;
    d->kind = kind;
    d->root = dupstr(root);
    d->split = dupstr(split);
    if (!d->root || !d->split) {
        gal_dataset_free(d);
        return NULL;
    }
    return d;
}

void gal_dataset_free(gal_dataset *d)
{
    if (!d) return;
    for (int i = 0; i < d->n_images; i++) {
        free(d->images[i].rel);
        free(d->images[i].path);
    }
    for (int i = 0; i < d->n_captions; i++) free(d->captions[i].text);
    free(d->images);
    free(d->captions);
    free(d->root);
    free(d->split);
    free(d);
}

static int cmp_int(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    return (x > y) - (x < y);
}

/* Counts distinct pids; for train, also checks they are exactly 0..N-1 (the official assert
 * `idx == pid` over the sorted set). */
static int count_ids(gal_dataset *d, const char *file, irra_err *e)
{
    if (d->n_images == 0) return 0;
    int *p = malloc((size_t)d->n_images * sizeof *p);
    if (!p) return irra_fail(e, "%s: out of memory", file);
    for (int i = 0; i < d->n_images; i++) p[i] = d->images[i].pid;
    qsort(p, (size_t)d->n_images, sizeof *p, cmp_int);
    int n = 0, gap = -1;
    for (int i = 0; i < d->n_images; i++) {
        if (i > 0 && p[i] == p[i - 1]) continue;
        if (gap < 0 && p[i] != n) gap = n;
        n++;
    }
    free(p);
    d->n_ids = n;
    if (strcmp(d->split, "train") != 0) return 0;
    if (gap >= 0)
        return irra_fail(e, "%s: train identities%s must be exactly 0..%d, as the official reader "
                            "asserts, but %d is missing", file,
                         d->kind == GAL_DS_CUHK ? " (id - 1)" : "", n - 1, gap);
    d->num_classes = n;
    return 0;
}

/* ---- JSON annotations ------------------------------------------------------------------- */

/* Python's int() of the official code accepts an integer or a string of one; so do we (an
 * integral float too). Ids must be non-negative: -1 means "unknown identity" here. */
static int get_id(json_object *v, long long *out)
{
    switch (json_object_get_type(v)) {
    case json_type_int: /* beyond int64 json-c saturates, which the range check refuses */
        *out = json_object_get_int64(v);
        return 0;
    case json_type_double: {
        double x = json_object_get_double(v);
        if (x != x || x < -1e15 || x > 1e15 || x != (double)(long long)x) return -1;
        *out = (long long)x;
        return 0;
    }
    case json_type_string: {
        const char *s = json_object_get_string(v);
        char *end;
        errno = 0;
        *out = strtoll(s, &end, 10);
        while (isspace((unsigned char)*end)) end++;
        return errno || end == s || *end ? -1 : 0;
    }
    default:
        return -1;
    }
}

typedef struct {
    const char *split; /* "train", "test" or "val" (the rule: not train, not test -> val) */
    const char *path;  /* image path, as written */
    json_object *caps; /* array of strings */
    long long id;
} entry;

/* Validates entry i and extracts its fields; errors name the file and the index. */
static int read_entry(json_object *o, int i, const format *fmt, const char *file, entry *en,
                      irra_err *e)
{
    if (!json_object_is_type(o, json_type_object))
        return irra_fail(e, "%s: entry %d: not a JSON object", file, i);
    json_object *split, *path, *caps, *id;
    if (!json_object_object_get_ex(o, "split", &split))
        return irra_fail(e, "%s: entry %d: no \"split\"", file, i);
    if (!json_object_object_get_ex(o, fmt->path_key, &path))
        return irra_fail(e, "%s: entry %d: no \"%s\"", file, i, fmt->path_key);
    if (!json_object_object_get_ex(o, "captions", &caps))
        return irra_fail(e, "%s: entry %d: no \"captions\"", file, i);
    if (!json_object_object_get_ex(o, "id", &id))
        return irra_fail(e, "%s: entry %d: no \"id\"", file, i);
    if (!json_object_is_type(split, json_type_string))
        return irra_fail(e, "%s: entry %d: \"split\" is not a string", file, i);
    if (!json_object_is_type(path, json_type_string) || !json_object_get_string_len(path))
        return irra_fail(e, "%s: entry %d: \"%s\" is not a non-empty string", file, i,
                         fmt->path_key);
    if (!json_object_is_type(caps, json_type_array))
        return irra_fail(e, "%s: entry %d: \"captions\" is not a list", file, i);
    if (get_id(id, &en->id) || en->id < 0 || en->id > INT_MAX - 1)
        return irra_fail(e, "%s: entry %d: \"id\" is not an integer in 0..%d", file, i,
                         INT_MAX - 1);
    size_t nc = json_object_array_length(caps);
    for (size_t k = 0; k < nc; k++)
        if (!json_object_is_type(json_object_array_get_idx(caps, k), json_type_string))
            return irra_fail(e, "%s: entry %d: captions[%zu] is not a string", file, i, k);
    const char *s = json_object_get_string(split);
    en->split = !strcmp(s, "train") ? "train" : !strcmp(s, "test") ? "test" : "val";
    en->path = json_object_get_string(path);
    en->caps = caps;
    return 0;
}

/* Appends entry en (which belongs to d's split) as image d->n_images and its captions. */
static int add_entry(gal_dataset *d, const entry *en, const format *fmt, const char *imgs)
{
    gal_ds_image *im = &d->images[d->n_images];
    int pid = (int)en->id;
    if (!strcmp(d->split, "train")) pid -= fmt->train_shift;
    im->pid = pid;
    im->camera = gal_camera_from_name(en->path);
    im->rel = strdup(en->path);
    /* os.path.join keeps an absolute second argument as it is */
    im->path = en->path[0] == '/' ? strdup(en->path) : join(imgs, en->path);
    if (!im->rel || !im->path) {
        free(im->rel);
        free(im->path);
        return -1;
    }
    int image = d->n_images++;
    size_t nc = json_object_array_length(en->caps);
    for (size_t k = 0; k < nc; k++) {
        gal_ds_caption *c = &d->captions[d->n_captions];
        c->text = strdup(json_object_get_string(json_object_array_get_idx(en->caps, k)));
        if (!c->text) return -1;
        c->pid = pid;
        c->image = image;
        d->n_captions++;
    }
    return 0;
}

/* Two passes over the entries: validate all and count the split, then fill. Every entry is
 * validated, whatever its split, so a broken file fails the same way for every split. */
static int load_entries(gal_dataset *d, json_object *arr, const format *fmt, const char *file,
                        const char *imgs, irra_err *e)
{
    size_t n = json_object_array_length(arr), ni = 0, nc = 0;
    if (n > INT_MAX) return irra_fail(e, "%s: too many entries", file);
    entry en;
    for (size_t i = 0; i < n; i++) {
        if (read_entry(json_object_array_get_idx(arr, i), (int)i, fmt, file, &en, e)) return -1;
        if (strcmp(en.split, d->split) != 0) continue;
        ni++;
        nc += json_object_array_length(en.caps);
    }
    if (nc > INT_MAX) return irra_fail(e, "%s: too many captions", file);
    d->images = calloc(ni ? ni : 1, sizeof *d->images);
    d->captions = calloc(nc ? nc : 1, sizeof *d->captions);
    if (!d->images || !d->captions) return irra_fail(e, "%s: out of memory", file);
    for (size_t i = 0; i < n; i++) {
        read_entry(json_object_array_get_idx(arr, i), (int)i, fmt, file, &en, e);
        if (strcmp(en.split, d->split) != 0) continue;
        if (add_entry(d, &en, fmt, imgs)) return irra_fail(e, "%s: out of memory", file);
    }
    return count_ids(d, file, e);
}

static gal_dataset *open_annotated(const format *fmt, const char *dir, const char *split,
                                   irra_err *e)
{
    char *root = absolute_dir(dir), *imgs = root ? join(root, "imgs") : NULL;
    char *file = root ? join(root, fmt->anno) : NULL;
    gal_dataset *d = NULL;
    json_object *json = NULL;
    if (!root || !imgs || !file) {
        irra_fail(e, "%s: out of memory", dir);
        goto out;
    }
    if (need_dir(root, "the dataset folder", e) || need_dir(imgs, "the image folder", e)) goto out;
    if (!(json = gal_json_read_file(file, e))) goto out;
    if (!json_object_is_type(json, json_type_array)) {
        irra_fail(e, "%s: expected a JSON list of entries", file);
        goto out;
    }
    d = dataset_new(fmt->kind, root, split);
    if (!d) {
        irra_fail(e, "%s: out of memory", file);
    } else if (load_entries(d, json, fmt, file, imgs, e)) {
        gal_dataset_free(d);
        d = NULL;
    }
out:
    json_object_put(json);
    free(root);
    free(imgs);
    free(file);
    return d;
}

gal_dataset *gal_dataset_open(const char *spec, const char *split, irra_err *e)
{
    const char *colon = spec ? strchr(spec, ':') : NULL;
    if (!colon || !colon[1])
        return irra_fail(e, "%s: expected KIND:DIR with KIND one of cuhk-pedes, icfg-pedes, "
                            "rstpreid, images", spec ? spec : "(null)"), NULL;
    size_t klen = (size_t)(colon - spec);
    if (klen == 6 && !strncasecmp(spec, "images", 6)) return gal_dataset_open_folder(colon + 1, e);
    if (!split || (strcmp(split, "train") && strcmp(split, "test") && strcmp(split, "val")))
        return irra_fail(e, "%s: split must be train, test or val, not '%s'", spec,
                         split ? split : "(null)"), NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strlen(formats[i].prefix) == klen && !strncasecmp(spec, formats[i].prefix, klen))
            return open_annotated(&formats[i], colon + 1, split, e);
    return irra_fail(e, "%s: unknown dataset kind '%.*s' (cuhk-pedes, icfg-pedes, rstpreid, "
                        "images)", spec, (int)klen, spec), NULL;
}

/* ---- plain folders ---------------------------------------------------------------------- */

typedef struct {
    char **v;
    size_t n, cap;
} strlist;

static int strlist_push(strlist *l, char *s)
{
    if (!s) return -1;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 256;
        char **v = realloc(l->v, cap * sizeof *v);
        if (!v) {
            free(s);
            return -1;
        }
        l->v = v;
        l->cap = cap;
    }
    l->v[l->n++] = s;
    return 0;
}

static int is_image_name(const char *name)
{
    static const char *const ext[] = {"jpg", "jpeg", "png", "bmp", "gif", "tga",
                                      "psd", "hdr", "pic", "pnm", "ppm", "pgm",
                                      "webp", "tif", "tiff"};
    const char *dot = strrchr(name, '.');
    if (!dot || dot == name) return 0;
    for (size_t i = 0; i < sizeof ext / sizeof ext[0]; i++)
        if (!strcasecmp(dot + 1, ext[i])) return 1;
    return 0;
}

/* Adds the images under root/rel (rel "" for root itself) to out, as paths relative to root. */
static int scan(const char *root, const char *rel, int depth, strlist *out, irra_err *e)
{
    char *dir = *rel ? join(root, rel) : strdup(root);
    if (!dir) return irra_fail(e, "%s: out of memory", root);
    DIR *dp = opendir(dir);
    if (!dp) {
        irra_fail(e, "%s: %s", dir, strerror(errno));
        free(dir);
        return -1;
    }
    int rc = 0;
    struct dirent *de;
    while (rc == 0 && (de = readdir(dp))) {
        if (de->d_name[0] == '.') continue;
        char *sub = *rel ? join(rel, de->d_name) : strdup(de->d_name);
        char *full = sub ? join(root, sub) : NULL;
        struct stat st;
        if (!sub || !full) {
            rc = irra_fail(e, "%s: out of memory", dir);
        } else if (lstat(full, &st) != 0) {
            rc = irra_fail(e, "%s: %s", full, strerror(errno));
        } else if (S_ISDIR(st.st_mode)) {
            if (depth >= MAX_DEPTH) rc = irra_fail(e, "%s: folders nested too deep", full);
            else rc = scan(root, sub, depth + 1, out, e);
        } else if (is_image_name(de->d_name) && stat(full, &st) == 0 && S_ISREG(st.st_mode)) {
            /* regular files and links to them; links to folders are not followed */
            if (strlist_push(out, sub)) rc = irra_fail(e, "%s: out of memory", dir);
            sub = NULL;
        }
        free(sub);
        free(full);
    }
    closedir(dp);
    free(dir);
    return rc;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

gal_dataset *gal_dataset_open_folder(const char *dir, irra_err *e)
{
    char *root = dir && *dir ? absolute_dir(dir) : NULL;
    if (!root) return irra_fail(e, "%s: not a usable folder", dir ? dir : "(null)"), NULL;
    strlist l = {0};
    gal_dataset *d = NULL;
    if (need_dir(root, "image folder", e) || scan(root, "", 0, &l, e)) goto out;
    if (l.n == 0) {
        irra_fail(e, "%s: no image files (jpg, jpeg, png, bmp, gif, tga, psd, hdr, pic, pnm, "
                     "ppm, pgm)", root);
        goto out;
    }
    if (l.n > INT_MAX) {
        irra_fail(e, "%s: too many images", root);
        goto out;
    }
    qsort(l.v, l.n, sizeof *l.v, cmp_str);
    d = dataset_new(GAL_DS_FOLDER, root, "");
    if (d) d->images = calloc(l.n, sizeof *d->images);
    if (!d || !d->images) goto oom;
    for (size_t i = 0; i < l.n; i++) {
        gal_ds_image *im = &d->images[i];
        im->path = join(root, l.v[i]);
        if (!im->path) goto oom;
        im->rel = l.v[i];
        l.v[i] = NULL;
        im->pid = -1;
        im->camera = gal_camera_from_name(im->rel);
        d->n_images++;
    }
    goto out;
oom:
    irra_fail(e, "%s: out of memory", root);
    gal_dataset_free(d);
    d = NULL;
out:
    for (size_t i = 0; i < l.n; i++) free(l.v[i]);
    free(l.v);
    free(root);
    return d;
}
