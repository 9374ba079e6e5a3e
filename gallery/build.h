/* Encoding a gallery: every image of the store that has no feature yet is decoded, thumbnailed
 * and preprocessed on worker threads while the previous batch runs through the image encoder;
 * each batch is committed in one transaction, so an interrupted build loses at most the batch
 * in flight and the next build goes on from there. */
#ifndef GAL_BUILD_H
#define GAL_BUILD_H

#include "gallery/store.h"
#include "model/irra.h"

typedef struct {
    const char *root; /* image files are root/path */
    int batch;        /* images per encoder call and per transaction (0: 16) */
    /* Called after each committed batch, and once with done == 0 before the first. */
    void (*progress)(void *ctx, int done, int total);
    /* Called once per image that cannot be read, with a message naming it. */
    void (*skipped)(void *ctx, const char *msg);
    void *ctx;
} gal_build_opts;

typedef struct {
    int encoded, skipped;
} gal_build_stats;

/* Records the model (fingerprint, path, feature size) in the store, refusing a store whose
 * features another model made, then encodes the pending images. */
int gal_build_encode(gal_store *s, irra_model *m, const char *model_path,
                     const gal_build_opts *o, gal_build_stats *st, irra_err *e);

#endif
