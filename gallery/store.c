/* The gallery store on SQLite. Schema (version 1):
 *   meta(key, value)         format = "irra-gallery", schema_version, model_fingerprint, ...
 *   images(id, path, pid, camera, width, height, error)
 *   thumbs(image_id, jpeg)   features(image_id, vec)   captions(id, image_id, pid, text)
 * Thumbnails and features live in their own tables so loading the feature matrix never walks
 * the thumbnail pages. WAL journaling lets the browser read while a build writes. */
#include "gallery/store.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define GAL_FORMAT "irra-gallery"
#define GAL_SCHEMA_VERSION "1"

struct gal_store {
    sqlite3 *db;
    char *path;
};

static const char *schema =
    "CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE images(id INTEGER PRIMARY KEY, path TEXT NOT NULL UNIQUE,"
    " pid INTEGER NOT NULL DEFAULT -1, camera INTEGER NOT NULL DEFAULT -1,"
    " width INTEGER, height INTEGER, error TEXT);"
    "CREATE TABLE thumbs(image_id INTEGER PRIMARY KEY REFERENCES images(id), jpeg BLOB NOT NULL);"
    "CREATE TABLE features(image_id INTEGER PRIMARY KEY REFERENCES images(id), vec BLOB NOT NULL);"
    "CREATE TABLE captions(id INTEGER PRIMARY KEY, image_id INTEGER NOT NULL REFERENCES images(id),"
    " pid INTEGER NOT NULL, text TEXT NOT NULL);"
    "CREATE INDEX captions_image ON captions(image_id);"
    "INSERT INTO meta VALUES('format', '" GAL_FORMAT "'), ('schema_version', '" GAL_SCHEMA_VERSION
    "');";

const char *gal_store_path(const gal_store *s) { return s->path; }

static int db_fail(gal_store *s, irra_err *e, const char *what)
{
    return irra_fail(e, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
}

/* A copy of a text column, or NULL (also for SQL NULL, which SQLite returns whatever the schema
 * says: a corrupt or edited gallery). Callers treat NULL as an unreadable row. */
static char *column_strdup(sqlite3_stmt *st, int i)
{
    const char *t = (const char *)sqlite3_column_text(st, i);
    return t ? strdup(t) : NULL;
}

static sqlite3_stmt *prepare(gal_store *s, const char *sql, irra_err *e)
{
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
        db_fail(s, e, "not a readable irra gallery");
        return NULL;
    }
    return st;
}

/* Runs a statement that returns no rows. */
static int exec(gal_store *s, const char *sql, irra_err *e)
{
    char *msg = NULL;
    if (sqlite3_exec(s->db, sql, NULL, NULL, &msg) == SQLITE_OK) return 0;
    irra_fail(e, "%s: %s", s->path, msg ? msg : sqlite3_errmsg(s->db));
    sqlite3_free(msg);
    return -1;
}

/* A non-empty file must start with SQLite's magic before SQLite sees it: SQLite would otherwise
 * report the problem only at the first query, in its own words. */
static int check_magic(const char *path, int *exists, irra_err *e)
{
    FILE *f = fopen(path, "rb");
    *exists = f != NULL;
    if (!f) return 0;
    char head[16] = {0};
    size_t n = fread(head, 1, sizeof head, f);
    fclose(f);
    if (n == 0) {
        *exists = 0; /* an empty file is a new gallery */
        return 0;
    }
    if (n < 16 || memcmp(head, "SQLite format 3", 16))
        return irra_fail(e, "%s: not an irra gallery (not an SQLite file)", path);
    return 0;
}

/* The file is ours when meta says so with a schema version we read. */
static int check_ours(gal_store *s, irra_err *e)
{
    char fmt[64], ver[16];
    sqlite3_stmt *st = NULL;
    if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM sqlite_master WHERE name = 'meta'", -1, &st,
                           NULL) != SQLITE_OK)
        return irra_fail(e, "%s: not an irra gallery (%s)", s->path, sqlite3_errmsg(s->db));
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc == SQLITE_DONE)
        return irra_fail(e, "%s: not an irra gallery (an SQLite file without irra's tables)",
                         s->path);
    if (rc != SQLITE_ROW)
        return irra_fail(e, "%s: not an irra gallery (%s)", s->path, sqlite3_errmsg(s->db));
    if (gal_store_meta_get(s, "format", fmt, sizeof fmt, e) ||
        gal_store_meta_get(s, "schema_version", ver, sizeof ver, e))
        return -1;
    if (strcmp(fmt, GAL_FORMAT))
        return irra_fail(e, "%s: not an irra gallery (format '%s')", s->path, fmt);
    if (strcmp(ver, GAL_SCHEMA_VERSION))
        return irra_fail(e, "%s: gallery schema version '%s', this irra reads version %s", s->path,
                         ver, GAL_SCHEMA_VERSION);
    return 0;
}

gal_store *gal_store_open(const char *path, int create, irra_err *e)
{
    int exists;
    if (check_magic(path, &exists, e)) return NULL;
    if (!exists && !create) {
        irra_fail(e, "%s: no such gallery", path);
        return NULL;
    }
    gal_store *s = calloc(1, sizeof *s);
    if (!s || !(s->path = strdup(path))) {
        free(s);
        irra_fail(e, "%s: out of memory", path);
        return NULL;
    }
    int flags = SQLITE_OPEN_READWRITE | (create ? SQLITE_OPEN_CREATE : 0);
    if (sqlite3_open_v2(path, &s->db, flags, NULL) != SQLITE_OK) {
        irra_fail(e, "%s: cannot open: %s", path, s->db ? sqlite3_errmsg(s->db) : "out of memory");
        gal_store_close(s);
        return NULL;
    }
    sqlite3_busy_timeout(s->db, 5000);
    if (!exists) {
        if (exec(s, "BEGIN", e) || exec(s, schema, e) || exec(s, "COMMIT", e)) goto fail;
    } else if (check_ours(s, e)) {
        goto fail;
    }
    if (exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", e)) goto fail;
    return s;
fail:
    gal_store_close(s);
    return NULL;
}

void gal_store_close(gal_store *s)
{
    if (!s) return;
    sqlite3_close(s->db);
    free(s->path);
    free(s);
}

int gal_store_begin(gal_store *s, irra_err *e) { return exec(s, "BEGIN IMMEDIATE", e); }
int gal_store_commit(gal_store *s, irra_err *e) { return exec(s, "COMMIT", e); }

int gal_store_meta_get(gal_store *s, const char *key, char *buf, size_t n, irra_err *e)
{
    sqlite3_stmt *st = prepare(s, "SELECT value FROM meta WHERE key = ?", e);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    if (n) buf[0] = 0;
    const char *t = rc == SQLITE_ROW ? (const char *)sqlite3_column_text(st, 0) : NULL;
    if (rc == SQLITE_ROW && n) snprintf(buf, n, "%s", t ? t : "");
    sqlite3_finalize(st);
    if (rc != SQLITE_ROW && rc != SQLITE_DONE)
        return irra_fail(e, "%s: not a readable irra gallery: %s", s->path, sqlite3_errmsg(s->db));
    return 0;
}

int gal_store_meta_set(gal_store *s, const char *key, const char *value, irra_err *e)
{
    sqlite3_stmt *st = prepare(s, "INSERT OR REPLACE INTO meta VALUES(?, ?)", e);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(s, e, "cannot write");
}

/* Runs a one-integer query. */
static int count(gal_store *s, const char *sql, int *out, irra_err *e)
{
    sqlite3_stmt *st = prepare(s, sql, e);
    if (!st) return -1;
    int rc = sqlite3_step(st);
    *out = rc == SQLITE_ROW ? sqlite3_column_int(st, 0) : 0;
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_fail(s, e, "not a readable irra gallery");
}

int gal_store_info(gal_store *s, gal_info *o, irra_err *e)
{
    memset(o, 0, sizeof *o);
    char dim[32];
    if (gal_store_meta_get(s, "model_fingerprint", o->model_fingerprint,
                           sizeof o->model_fingerprint, e) ||
        gal_store_meta_get(s, "model_path", o->model_path, sizeof o->model_path, e) ||
        gal_store_meta_get(s, "dim", dim, sizeof dim, e) ||
        gal_store_meta_get(s, "source", o->source, sizeof o->source, e) ||
        gal_store_meta_get(s, "split", o->split, sizeof o->split, e))
        return -1;
    o->dim = atoi(dim);
    if (count(s, "SELECT count(*) FROM images", &o->n_images, e) ||
        count(s, "SELECT count(*) FROM features", &o->n_encoded, e) ||
        count(s, "SELECT count(*) FROM captions", &o->n_captions, e) ||
        count(s, "SELECT count(DISTINCT pid) FROM images WHERE pid >= 0", &o->n_identities, e))
        return -1;
    return 0;
}

int gal_store_n_failed(gal_store *s, int *n, irra_err *e)
{
    return count(s, "SELECT count(*) FROM images WHERE error IS NOT NULL", n, e);
}

int gal_store_add_image(gal_store *s, const char *path, int pid, int camera, int64_t *id,
                        int *added, irra_err *e)
{
    sqlite3_stmt *st = prepare(s, "INSERT OR IGNORE INTO images(path, pid, camera) VALUES(?,?,?)", e);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    sqlite3_bind_int(st, 2, pid);
    sqlite3_bind_int(st, 3, camera);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "cannot add an image");
    int is_new = sqlite3_changes(s->db) > 0;
    if (added) *added = is_new;
    if (is_new) {
        *id = sqlite3_last_insert_rowid(s->db);
        return 0;
    }
    st = prepare(s, "SELECT id FROM images WHERE path = ?", e);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, path, -1, SQLITE_STATIC);
    rc = sqlite3_step(st);
    if (rc == SQLITE_ROW) *id = sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    return rc == SQLITE_ROW ? 0 : db_fail(s, e, "cannot find an image");
}

int gal_store_add_caption(gal_store *s, int64_t image_id, int pid, const char *text, irra_err *e)
{
    sqlite3_stmt *st = prepare(s, "INSERT INTO captions(image_id, pid, text) VALUES(?,?,?)", e);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, image_id);
    sqlite3_bind_int(st, 2, pid);
    sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(s, e, "cannot add a caption");
}

int gal_store_pending(gal_store *s, gal_pending **out, int *n, irra_err *e)
{
    *out = NULL;
    *n = 0;
    int total;
    if (count(s, "SELECT count(*) FROM images WHERE id NOT IN (SELECT image_id FROM features)",
              &total, e))
        return -1;
    sqlite3_stmt *st = prepare(s, "SELECT id, path FROM images WHERE id NOT IN "
                                  "(SELECT image_id FROM features) ORDER BY error IS NOT NULL, id", e);
    if (!st) return -1;
    gal_pending *p = calloc(total ? (size_t)total : 1, sizeof *p);
    if (!p) {
        sqlite3_finalize(st);
        return irra_fail(e, "%s: out of memory", s->path);
    }
    int k = 0, rc;
    while (k < total && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        p[k].id = sqlite3_column_int64(st, 0);
        p[k].path = column_strdup(st, 1);
        if (!p[k++].path) break;
    }
    sqlite3_finalize(st);
    if (k < total || (k && !p[k - 1].path)) {
        gal_pending_free(p, k);
        return irra_fail(e, "%s: cannot list the images to encode", s->path);
    }
    *out = p;
    *n = k;
    return 0;
}

void gal_pending_free(gal_pending *p, int n)
{
    for (int i = 0; p && i < n; i++) free(p[i].path);
    free(p);
}

int gal_store_put_encoded(gal_store *s, int64_t id, int w, int h, const void *jpeg, size_t njpeg,
                          const float *feat, int dim, irra_err *e)
{
    sqlite3_stmt *st = prepare(s, "UPDATE images SET width = ?, height = ?, error = NULL "
                                  "WHERE id = ?", e);
    if (!st) return -1;
    sqlite3_bind_int(st, 1, w);
    sqlite3_bind_int(st, 2, h);
    sqlite3_bind_int64(st, 3, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "cannot write an image");
    if (!(st = prepare(s, "INSERT OR REPLACE INTO thumbs VALUES(?, ?)", e))) return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_blob64(st, 2, jpeg, njpeg, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) return db_fail(s, e, "cannot write a thumbnail");
    if (!(st = prepare(s, "INSERT OR REPLACE INTO features VALUES(?, ?)", e))) return -1;
    sqlite3_bind_int64(st, 1, id);
    sqlite3_bind_blob64(st, 2, feat, (sqlite3_uint64)dim * sizeof *feat, SQLITE_STATIC);
    rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(s, e, "cannot write a feature");
}

int gal_store_put_error(gal_store *s, int64_t id, const char *msg, irra_err *e)
{
    sqlite3_stmt *st = prepare(s, "UPDATE images SET error = ? WHERE id = ?", e);
    if (!st) return -1;
    sqlite3_bind_text(st, 1, msg, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 2, id);
    int rc = sqlite3_step(st);
    sqlite3_finalize(st);
    return rc == SQLITE_DONE ? 0 : db_fail(s, e, "cannot write");
}

void gal_index_free(gal_index *ix)
{
    if (!ix) return;
    for (int i = 0; ix->path && i < ix->n; i++) free(ix->path[i]);
    free(ix->path);
    free(ix->feat);
    free(ix->image_id);
    free(ix->pid);
    memset(ix, 0, sizeof *ix);
}

/* Allocates the index arrays for n rows of dim floats, checking the product first. */
static int index_alloc(gal_index *ix, int n, int dim)
{
    if (n < 0 || dim <= 0 || (size_t)n > SIZE_MAX / sizeof(float) / (size_t)dim) return -1;
    size_t rows = n ? (size_t)n : 1;
    ix->feat = malloc(rows * (size_t)dim * sizeof *ix->feat);
    ix->image_id = malloc(rows * sizeof *ix->image_id);
    ix->pid = malloc(rows * sizeof *ix->pid);
    ix->path = calloc(rows, sizeof *ix->path);
    return ix->feat && ix->image_id && ix->pid && ix->path ? 0 : -1;
}

int gal_index_load(gal_store *s, const char *fingerprint, gal_index *ix, irra_err *e)
{
    memset(ix, 0, sizeof *ix);
    gal_info in;
    if (gal_store_info(s, &in, e)) return -1;
    if (fingerprint && in.model_fingerprint[0] && strcmp(fingerprint, in.model_fingerprint))
        return irra_fail(e, "%s: features were made by another model (%s, fingerprint %s), not by "
                            "this one (fingerprint %s); rebuild the gallery with this model",
                         s->path, in.model_path, in.model_fingerprint, fingerprint);
    if (in.n_encoded == 0) return irra_fail(e, "%s: the gallery holds no encoded images", s->path);
    if (in.dim <= 0 || in.dim > 65536)
        return irra_fail(e, "%s: feature size %d out of range", s->path, in.dim);
    if (index_alloc(ix, in.n_encoded, in.dim)) {
        gal_index_free(ix);
        return irra_fail(e, "%s: out of memory for %d features", s->path, in.n_encoded);
    }
    ix->dim = in.dim;
    sqlite3_stmt *st = prepare(s, "SELECT i.id, i.pid, i.path, f.vec FROM features f JOIN images i "
                                  "ON i.id = f.image_id ORDER BY i.id", e);
    if (!st) {
        gal_index_free(ix);
        return -1;
    }
    int rc = SQLITE_ROW;
    size_t vbytes = (size_t)in.dim * sizeof(float);
    while (ix->n < in.n_encoded && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        int i = ix->n;
        if ((size_t)sqlite3_column_bytes(st, 3) != vbytes) {
            rc = SQLITE_CORRUPT;
            break;
        }
        memcpy(ix->feat + (size_t)i * in.dim, sqlite3_column_blob(st, 3), vbytes);
        ix->image_id[i] = sqlite3_column_int64(st, 0);
        ix->pid[i] = sqlite3_column_int(st, 1);
        ix->path[i] = column_strdup(st, 2);
        ix->n++;
        if (!ix->path[i]) break;
    }
    sqlite3_finalize(st);
    if (ix->n < in.n_encoded || !ix->path[ix->n - 1]) {
        int corrupt = rc == SQLITE_CORRUPT;
        gal_index_free(ix);
        return irra_fail(e, "%s: %s", s->path,
                         corrupt ? "a stored feature has the wrong size" : "cannot read the features");
    }
    return 0;
}

int gal_store_thumbnail(gal_store *s, int64_t image_id, irra_image *out, irra_err *e)
{
    memset(out, 0, sizeof *out);
    sqlite3_stmt *st = prepare(s, "SELECT jpeg FROM thumbs WHERE image_id = ?", e);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, image_id);
    int rc = sqlite3_step(st);
    if (rc != SQLITE_ROW) {
        sqlite3_finalize(st);
        return irra_fail(e, "%s: image %lld has no thumbnail", s->path, (long long)image_id);
    }
    char name[64];
    snprintf(name, sizeof name, "thumbnail of image %lld", (long long)image_id);
    int r = irra_image_load_mem(sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0),
                                name, out, e);
    sqlite3_finalize(st);
    return r;
}

void gal_strings_free(char **v, int n)
{
    for (int i = 0; v && i < n; i++) free(v[i]);
    free(v);
}

int gal_store_image_captions(gal_store *s, int64_t image_id, char ***caps, int *n, irra_err *e)
{
    *caps = NULL;
    *n = 0;
    sqlite3_stmt *st = prepare(s, "SELECT text FROM captions WHERE image_id = ? ORDER BY id", e);
    if (!st) return -1;
    sqlite3_bind_int64(st, 1, image_id);
    char **v = NULL;
    int k = 0, rc;
    while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        char **nv = realloc(v, (size_t)(k + 1) * sizeof *v);
        if (!nv) break;
        v = nv;
        if (!(v[k] = column_strdup(st, 0))) break;
        k++;
    }
    sqlite3_finalize(st);
    if (rc != SQLITE_DONE) {
        gal_strings_free(v, k);
        return irra_fail(e, "%s: cannot read the captions of image %lld", s->path,
                         (long long)image_id);
    }
    *caps = v;
    *n = k;
    return 0;
}

void gal_captions_free(gal_caption *c, int n)
{
    for (int i = 0; c && i < n; i++) free(c[i].text);
    free(c);
}

int gal_store_captions(gal_store *s, gal_caption **out, int *n, irra_err *e)
{
    *out = NULL;
    *n = 0;
    int total;
    if (count(s, "SELECT count(*) FROM captions", &total, e)) return -1;
    sqlite3_stmt *st = prepare(s, "SELECT text, pid, image_id FROM captions ORDER BY id", e);
    if (!st) return -1;
    gal_caption *c = calloc(total ? (size_t)total : 1, sizeof *c);
    int k = 0, rc = SQLITE_DONE;
    while (c && k < total && (rc = sqlite3_step(st)) == SQLITE_ROW) {
        if (!(c[k].text = column_strdup(st, 0))) break;
        c[k].pid = sqlite3_column_int(st, 1);
        c[k].image_id = sqlite3_column_int64(st, 2);
        k++;
    }
    sqlite3_finalize(st);
    if (!c || k < total) {
        gal_captions_free(c, k);
        return irra_fail(e, "%s: cannot read the captions", s->path);
    }
    *out = c;
    *n = k;
    return 0;
}
