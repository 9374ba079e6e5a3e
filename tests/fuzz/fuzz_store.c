/* The gallery store (gallery/store.c): a gallery file as `search`, `browse`, `eval` and a resumed
 * `gallery build` open it: schema check, meta, the feature index, captions, the pending list,
 * thumbnails. The seed is a small gallery written through the store's own API. */
#define FUZZ_SEEDS make_seeds
#include "gallery/store.h"
#include "gallery/thumb.h"
#include "tests/fuzz/fuzz.h"

#include <sys/stat.h>

static void check(int rc, const irra_err *e)
{
    if (rc) {
        fprintf(stderr, "seed: %s\n", e->msg);
        exit(1);
    }
}

static void make_seeds(const char *dir)
{
    char path[512];
    snprintf(path, sizeof path, "%s/seed-000", dir);
    irra_err e;
    gal_store *s = gal_store_open(path, 1, &e);
    check(!s, &e);
    uint8_t rgb[12 * 6 * 3];
    for (size_t i = 0; i < sizeof rgb; i++) rgb[i] = (uint8_t)(i * 7);
    irra_image img = {.w = 6, .h = 12, .rgb = rgb};
    uint8_t *jpeg;
    size_t nj;
    check(gal_thumbnail(&img, &jpeg, &nj, &e), &e);
    check(gal_store_begin(s, &e), &e);
    check(gal_store_meta_set(s, "model_fingerprint", "0123456789abcdef", &e), &e);
    check(gal_store_meta_set(s, "dim", "4", &e), &e);
    check(gal_store_meta_set(s, "source", "cuhk-pedes:/data/cuhk", &e), &e);
    check(gal_store_meta_set(s, "split", "test", &e), &e);
    for (int i = 0; i < 3; i++) {
        char rel[32];
        snprintf(rel, sizeof rel, "test/%04d_c1_%04d.jpg", i, i);
        int64_t id;
        check(gal_store_add_image(s, rel, i, 1, &id, NULL, &e), &e);
        check(gal_store_add_caption(s, id, i, "a man in a black coat", &e), &e);
        float f[4] = {0.5f, 0.5f, 0.5f, i ? 0.5f : -0.5f};
        if (i < 2) check(gal_store_put_encoded(s, id, 6, 12, jpeg, nj, f, 4, &e), &e);
        else check(gal_store_put_error(s, id, "cannot decode", &e), &e);
    }
    check(gal_store_commit(s, &e), &e);
    gal_store_close(s);
    free(jpeg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/g.db", fuzz_dir());
    fuzz_write(path, data, n);
    irra_err e;
    gal_store *s = gal_store_open(path, 0, &e);
    if (s) {
        gal_info info;
        gal_store_info(s, &info, &e);
        char fp[64];
        gal_index ix;
        if (gal_store_meta_get(s, "model_fingerprint", fp, sizeof fp, &e) == 0 &&
            gal_index_load(s, fp, &ix, &e) == 0) {
            for (int i = 0; i < ix.n && i < 4; i++) {
                irra_image img;
                if (gal_store_thumbnail(s, ix.image_id[i], &img, &e) == 0) irra_image_free(&img);
                char **caps;
                int nc;
                if (gal_store_image_captions(s, ix.image_id[i], &caps, &nc, &e) == 0)
                    gal_strings_free(caps, nc);
            }
            gal_index_free(&ix);
        }
        gal_caption *c;
        int nc;
        if (gal_store_captions(s, &c, &nc, &e) == 0) gal_captions_free(c, nc);
        gal_pending *p;
        int np;
        if (gal_store_pending(s, &p, &np, &e) == 0) gal_pending_free(p, np);
        gal_store_n_failed(s, &np, &e);
        gal_store_close(s);
    }
    /* what SQLite may leave beside it */
    unlink(path);
    strcat(path, "-journal"), unlink(path);
    path[strlen(path) - 8] = 0, strcat(path, "-wal"), unlink(path);
    path[strlen(path) - 4] = 0, strcat(path, "-shm"), unlink(path);
    return 0;
}
