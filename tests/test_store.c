/* The gallery store and exact search: schema round trip, refusal of foreign, corrupt and
 * other-model files, and top-k against a brute-force ranking. */
#include "gallery/search.h"
#include "gallery/store.h"
#include "tests/check.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[] = "/tmp/irra_test_store_XXXXXX";

static const char *tmp(const char *name)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

static unsigned rng = 12345;
static float frand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)((rng >> 8) & 0xffff) / 65536.0f - 0.5f;
}

static void normalise(float *v, int d)
{
    double s = 0;
    for (int i = 0; i < d; i++) s += (double)v[i] * v[i];
    for (int i = 0; i < d; i++) v[i] = (float)(v[i] / sqrt(s));
}

/* A gallery of n images with dim-d features made by model "fp". */
static gal_store *make_gallery(const char *path, int n, int d, const char *fp)
{
    irra_err e;
    unlink(path);
    gal_store *s = gal_store_open(path, 1, &e);
    if (!s) return NULL;
    char dims[16];
    snprintf(dims, sizeof dims, "%d", d);
    gal_store_begin(s, &e);
    gal_store_meta_set(s, "model_fingerprint", fp, &e);
    gal_store_meta_set(s, "model_path", "m.pth", &e);
    gal_store_meta_set(s, "dim", dims, &e);
    float *f = malloc((size_t)d * sizeof *f);
    for (int i = 0; i < n; i++) {
        char p[64];
        snprintf(p, sizeof p, "dir %d/ü_%d.jpg", i % 3, i);
        int64_t id;
        gal_store_add_image(s, p, i / 2, i % 4, &id, NULL, &e);
        gal_store_add_caption(s, id, i / 2, "a man in a red coat", &e);
        for (int j = 0; j < d; j++) f[j] = frand();
        normalise(f, d);
        gal_store_put_encoded(s, id, 10, 20, "jpeg", 4, f, d, &e);
    }
    free(f);
    gal_store_commit(s, &e);
    return s;
}

static void store_round_trip(void)
{
    gal_store *s = make_gallery(tmp("a.db"), 10, 8, "00ff");
    EXPECT(s != NULL);
    gal_store_close(s);
    irra_err e;
    s = gal_store_open(tmp("a.db"), 0, &e);
    EXPECTF(s != NULL, "%s", e.msg);
    if (!s) return;
    gal_info in;
    EXPECT(gal_store_info(s, &in, &e) == 0);
    EXPECT(in.n_images == 10 && in.n_encoded == 10 && in.n_captions == 10);
    EXPECT(in.n_identities == 5 && in.dim == 8);
    EXPECT(!strcmp(in.model_fingerprint, "00ff") && !strcmp(in.model_path, "m.pth"));
    gal_index ix;
    EXPECTF(gal_index_load(s, "00ff", &ix, &e) == 0, "%s", e.msg);
    EXPECT(ix.n == 10 && ix.dim == 8);
    if (ix.n == 10) {
        EXPECT(!strcmp(ix.path[3], "dir 0/ü_3.jpg") && ix.pid[3] == 1);
        EXPECT(ix.image_id[0] < ix.image_id[9]);
    }
    char **caps;
    int nc;
    EXPECT(gal_store_image_captions(s, ix.image_id[2], &caps, &nc, &e) == 0 && nc == 1);
    if (nc == 1) EXPECT(!strcmp(caps[0], "a man in a red coat"));
    gal_strings_free(caps, nc);
    gal_caption *c;
    EXPECT(gal_store_captions(s, &c, &nc, &e) == 0 && nc == 10);
    if (nc == 10) EXPECT(c[9].pid == 4 && c[9].image_id == ix.image_id[9]);
    gal_captions_free(c, nc);
    gal_index_free(&ix);
    gal_store_close(s);
}

static void adding_an_existing_path_returns_its_row(void)
{
    irra_err e;
    unlink(tmp("b.db"));
    gal_store *s = gal_store_open(tmp("b.db"), 1, &e);
    int64_t a, b;
    int added;
    EXPECT(gal_store_add_image(s, "x.jpg", -1, -1, &a, &added, &e) == 0 && added);
    EXPECT(gal_store_add_image(s, "x.jpg", -1, -1, &b, &added, &e) == 0 && !added);
    EXPECT(a == b);
    gal_pending *p;
    int n;
    EXPECT(gal_store_pending(s, &p, &n, &e) == 0 && n == 1);
    gal_pending_free(p, n);
    gal_store_close(s);
}

static void other_model_is_refused(void)
{
    gal_store *s = make_gallery(tmp("c.db"), 4, 8, "1111222233334444");
    irra_err e;
    gal_index ix;
    EXPECT(gal_index_load(s, "aaaabbbbccccdddd", &ix, &e) == -1);
    EXPECTF(strstr(e.msg, "c.db") && strstr(e.msg, "another model") && strstr(e.msg, "m.pth") &&
                strstr(e.msg, "1111222233334444") && strstr(e.msg, "aaaabbbbccccdddd"),
            "%s", e.msg);
    gal_store_close(s);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

static void missing_and_non_sqlite_files_are_refused(void)
{
    irra_err e;
    EXPECT(gal_store_open(tmp("none.db"), 0, &e) == NULL && strstr(e.msg, "none.db"));
    write_file(tmp("text.db"), "hello, this is not a database at all\n");
    EXPECT(gal_store_open(tmp("text.db"), 0, &e) == NULL);
    EXPECTF(strstr(e.msg, "text.db") && strstr(e.msg, "not an irra gallery"), "%s", e.msg);
    /* create must not overwrite someone else's file either */
    EXPECT(gal_store_open(tmp("text.db"), 1, &e) == NULL);
}

static void foreign_sqlite_file_is_refused(void)
{
    sqlite3 *db;
    unlink(tmp("foreign.db"));
    sqlite3_open(tmp("foreign.db"), &db);
    sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t VALUES(1);", NULL, NULL, NULL);
    sqlite3_close(db);
    irra_err e;
    EXPECT(gal_store_open(tmp("foreign.db"), 0, &e) == NULL);
    EXPECTF(strstr(e.msg, "foreign.db") && strstr(e.msg, "not an irra gallery"), "%s", e.msg);
    EXPECT(gal_store_open(tmp("foreign.db"), 1, &e) == NULL);
    /* a table named meta that says something else */
    sqlite3_open(tmp("foreign.db"), &db);
    sqlite3_exec(db, "CREATE TABLE meta(key, value); INSERT INTO meta VALUES('format','x');", NULL,
                 NULL, NULL);
    sqlite3_close(db);
    EXPECT(gal_store_open(tmp("foreign.db"), 0, &e) == NULL && strstr(e.msg, "format"));
}

/* Overwrites the file from byte 100 on (past the magic, into the header and the pages). */
static void corrupt_file_is_refused(void)
{
    gal_store *s = make_gallery(tmp("bad.db"), 50, 64, "00ff");
    gal_store_close(s);
    unlink(tmp("bad.db-wal"));
    unlink(tmp("bad.db-shm"));
    FILE *f = fopen(tmp("bad.db"), "r+b");
    fseek(f, 100, SEEK_SET);
    for (int i = 0; i < 20000; i++) fputc(0xA5, f);
    fclose(f);
    irra_err e;
    s = gal_store_open(tmp("bad.db"), 0, &e);
    gal_index ix;
    int ok = s && gal_index_load(s, NULL, &ix, &e) == 0;
    EXPECT(!ok);
    if (ok) gal_index_free(&ix);
    EXPECTF(strstr(e.msg, "bad.db") != NULL, "%s", e.msg);
    gal_store_close(s);
}

/* A gallery whose schema no longer says NOT NULL (SQLite enforces it only on write), then sql. */
static gal_store *loosened(const char *path, const char *sql)
{
    gal_store_close(make_gallery(path, 4, 8, "00ff"));
    sqlite3 *db;
    sqlite3_open(path, &db);
    sqlite3_exec(db, "PRAGMA writable_schema=ON; UPDATE sqlite_master SET "
                     "sql=replace(sql, 'NOT NULL', '') WHERE type='table';", NULL, NULL, NULL);
    sqlite3_close(db);
    sqlite3_open(path, &db);
    int rc = sqlite3_exec(db, sql, NULL, NULL, NULL);
    sqlite3_close(db);
    irra_err e;
    return rc == SQLITE_OK ? gal_store_open(path, 0, &e) : NULL;
}

static void null_values_are_an_error_in_every_reader(void)
{
    irra_err e;
    char **caps;
    gal_caption *c;
    gal_pending *p;
    gal_index ix;
    irra_image im;
    int n;
    gal_store *s = loosened(tmp("n1.db"), "UPDATE captions SET text = NULL WHERE id = 1");
    EXPECT(s != NULL);
    if (!s) return;
    EXPECT(gal_store_image_captions(s, 1, &caps, &n, &e) == -1 && !caps && n == 0);
    EXPECTF(strstr(e.msg, "n1.db: not a readable irra gallery (text is NULL"), "%s", e.msg);
    EXPECT(gal_store_captions(s, &c, &n, &e) == -1 && !c && n == 0);
    EXPECTF(strstr(e.msg, "not a readable irra gallery"), "%s", e.msg);
    gal_store_close(s);

    s = loosened(tmp("n2.db"), "UPDATE images SET path = NULL WHERE id = 2;"
                               "UPDATE thumbs SET jpeg = NULL WHERE image_id = 2;"
                               "DELETE FROM features WHERE image_id = 2;");
    EXPECT(s != NULL);
    if (!s) return;
    EXPECT(gal_store_pending(s, &p, &n, &e) == -1 && !p && n == 0);
    EXPECTF(strstr(e.msg, "not a readable irra gallery (path is NULL"), "%s", e.msg);
    EXPECT(gal_store_thumbnail(s, 2, &im, &e) == -1);
    EXPECTF(strstr(e.msg, "not a readable irra gallery (jpeg is NULL"), "%s", e.msg);
    gal_store_close(s);

    s = loosened(tmp("n3.db"), "UPDATE images SET path = NULL WHERE id = 4");
    EXPECT(s != NULL);
    if (!s) return;
    EXPECT(gal_index_load(s, NULL, &ix, &e) == -1 && ix.n == 0 && !ix.path);
    EXPECTF(strstr(e.msg, "not a readable irra gallery (path is NULL"), "%s", e.msg);
    gal_store_close(s);

    /* a caption with a NUL inside would be cut silently */
    s = loosened(tmp("n4.db"), "UPDATE captions SET text = CAST(x'610062' AS TEXT) WHERE id = 3");
    EXPECT(s != NULL);
    if (!s) return;
    EXPECT(gal_store_captions(s, &c, &n, &e) == -1);
    EXPECTF(strstr(e.msg, "holds a NUL byte"), "%s", e.msg);
    gal_store_close(s);
}

/* The reference: every score, then the k best by (score desc, row asc). */
static void brute_force(const gal_index *ix, const float *q, int k, gal_hit *out)
{
    for (int j = 0; j < k; j++) out[j] = (gal_hit){-1, -1e30f};
    for (int i = 0; i < ix->n; i++) {
        float s = 0;
        for (int d = 0; d < ix->dim; d++) s += ix->feat[(size_t)i * ix->dim + d] * q[d];
        gal_hit h = {i, s};
        for (int j = 0; j < k; j++) {
            if (h.score > out[j].score || (h.score == out[j].score && h.idx < out[j].idx)) {
                gal_hit t = out[j];
                out[j] = h;
                h = t;
            }
        }
    }
}

static void search_matches_brute_force(void)
{
    /* 20011 rows: several chunks plus a ragged tail; rows 7 and 15000 duplicate row 3 (ties) */
    gal_index ix = {.n = 20011, .dim = 64};
    ix.feat = malloc((size_t)ix.n * ix.dim * sizeof *ix.feat);
    for (int i = 0; i < ix.n; i++) {
        for (int d = 0; d < ix.dim; d++) ix.feat[(size_t)i * ix.dim + d] = frand();
        normalise(ix.feat + (size_t)i * ix.dim, ix.dim);
    }
    memcpy(ix.feat + 7 * 64, ix.feat + 3 * 64, 64 * sizeof(float));
    memcpy(ix.feat + 15000 * 64, ix.feat + 3 * 64, 64 * sizeof(float));
    float q[64];
    for (int t = 0; t < 5; t++) {
        if (t == 0) memcpy(q, ix.feat + 3 * 64, sizeof q);
        else for (int d = 0; d < 64; d++) q[d] = frand();
        normalise(q, 64);
        gal_hit got[50], want[50];
        int k = t == 4 ? 1 : 50, n = gal_search(&ix, q, k, got);
        brute_force(&ix, q, k, want);
        EXPECT(n == k);
        for (int j = 0; j < n; j++) {
            EXPECTF(got[j].idx == want[j].idx || fabsf(got[j].score - want[j].score) < 1e-6f,
                    "query %d rank %d: row %d, want %d", t, j, got[j].idx, want[j].idx);
            EXPECT_CLOSE(got[j].score, want[j].score, 1e-5, 0);
        }
        if (t == 0) EXPECT(got[0].idx == 3 && got[1].idx == 7 && got[2].idx == 15000);
    }
    free(ix.feat);
}

/* The fp16 pre-pass must give gal_search's hits, also where fp16 cannot tell rows apart:
 * near-duplicates 3e-4 apart and exact duplicates (ties to the lower row). */
static void accelerated_search_matches_brute_force(void)
{
    gal_index ix = {.n = 30000, .dim = 512};
    ix.feat = malloc((size_t)ix.n * ix.dim * sizeof *ix.feat);
    for (int i = 0; i < ix.n; i++) {
        float *f = ix.feat + (size_t)i * ix.dim;
        if (i >= 100 && i < 400) { /* 300 rows within 3e-4 of row 99 */
            for (int d = 0; d < ix.dim; d++) f[d] = ix.feat[99 * 512 + d] + 3e-4f * frand();
        } else if (i == 20000 || i == 29999) {
            memcpy(f, ix.feat + 7 * 512, 512 * sizeof *f);
            continue;
        } else {
            for (int d = 0; d < ix.dim; d++) f[d] = frand();
        }
        normalise(f, ix.dim);
    }
    gal_search_accel *a = gal_search_accel_new(&ix);
    if (!a) { /* a CPU without AVX2/F16C: nothing to check */
        free(ix.feat);
        return;
    }
    float q[512];
    for (int t = 0; t < 6; t++) {
        int src = t == 0 ? 99 : t == 1 ? 7 : -1;
        if (src >= 0) memcpy(q, ix.feat + (size_t)src * 512, sizeof q);
        else for (int d = 0; d < 512; d++) q[d] = frand();
        normalise(q, 512);
        int k = t == 0 ? 50 : t == 5 ? 1 : 10;
        gal_hit got[50], want[50];
        EXPECT(gal_search_accel_run(a, &ix, q, k, got) == k);
        brute_force(&ix, q, k, want);
        for (int j = 0; j < k; j++) {
            EXPECTF(got[j].idx == want[j].idx || fabsf(got[j].score - want[j].score) < 1e-6f,
                    "query %d rank %d: row %d, want %d", t, j, got[j].idx, want[j].idx);
            EXPECT_CLOSE(got[j].score, want[j].score, 1e-5, 0);
        }
        if (t == 1) EXPECT(got[0].idx == 7 && got[1].idx == 20000 && got[2].idx == 29999);
    }
    gal_search_accel_free(a);
    free(ix.feat);
}

/* Row 0 scores higher than row 1 in fp16 and lower in fp32 for the query (e0 + e1)/sqrt 2
 * (numpy: fp32 0.565827 < 0.565855, fp16 0.566065 > 0.565720): 0.50025 rounds up to 0.500488,
 * 0.50024 down to 0.5, and 0.29995 and 0.3 both to 0.300049. The pre-pass must not drop row 1. */
static void accelerated_search_is_exact_where_fp16_misorders(void)
{
    float f[3 * 16] = {0}, q[16] = {0};
    f[0] = 0.5f + 2.5e-4f, f[1] = 0.29995f;
    f[16] = 0.5f + 2.4e-4f, f[17] = 0.3f;
    f[32] = 0.1f;
    q[0] = q[1] = (float)(1 / sqrt(2));
    gal_index ix = {.n = 3, .dim = 16, .feat = f};
    gal_search_accel *a = gal_search_accel_new(&ix);
    if (!a) return;
    gal_hit h[2];
    EXPECT(gal_search_accel_run(a, &ix, q, 1, h) == 1);
    EXPECTF(h[0].idx == 1, "row %d", h[0].idx);
    gal_search_accel_free(a);
}

static void search_k_larger_than_gallery(void)
{
    float f[3 * 2] = {1, 0, 0, 1, 0.6f, 0.8f}, q[2] = {1, 0};
    gal_index ix = {.n = 3, .dim = 2, .feat = f};
    gal_hit h[10];
    EXPECT(gal_search(&ix, q, 10, h) == 3);
    EXPECT(h[0].idx == 0 && h[1].idx == 2 && h[2].idx == 1);
    EXPECT_CLOSE(h[1].score, 0.6, 1e-7, 0);
    EXPECT(gal_search(&ix, q, 0, h) == 0);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    RUN(store_round_trip);
    RUN(adding_an_existing_path_returns_its_row);
    RUN(other_model_is_refused);
    RUN(missing_and_non_sqlite_files_are_refused);
    RUN(foreign_sqlite_file_is_refused);
    RUN(corrupt_file_is_refused);
    RUN(null_values_are_an_error_in_every_reader);
    RUN(search_matches_brute_force);
    RUN(accelerated_search_matches_brute_force);
    RUN(accelerated_search_is_exact_where_fp16_misorders);
    RUN(search_k_larger_than_gallery);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd)) return 1;
    return DONE();
}
