/* The gallery store: one SQLite file holding the images (path, identity, camera, size), the
 * dataset captions with their identities, a JPEG thumbnail per image at display resolution (so
 * the browser never needs the originals), and the features with the fingerprint of the model
 * that made them. */
#ifndef GAL_STORE_H
#define GAL_STORE_H

#include "model/err.h"
#include "model/image.h"

#include <stddef.h>
#include <stdint.h>

typedef struct gal_store gal_store;

#define GAL_THUMB_W 128 /* thumbnails fit in this box, aspect kept */
#define GAL_THUMB_H 384

/* Opens (create=0: must exist and be an irra gallery; a foreign or corrupt file is refused with a
 * message naming it) or creates a gallery. */
gal_store *gal_store_open(const char *path, int create, irra_err *e);
void gal_store_close(gal_store *s);

typedef struct {
    char model_fingerprint[64]; /* "" before the first build */
    char model_path[1024];
    int dim;                    /* feature size, 0 before the first build */
    char source[1024];          /* "cuhk-pedes:DIR", "images:DIR", ... */
    char split[16];             /* "test", "val", "train", "" for a folder */
    int n_images, n_encoded, n_captions, n_identities;
    int incomplete;             /* a build started and has not finished (resume it) */
} gal_info;
int gal_store_info(gal_store *s, gal_info *out, irra_err *e);

/* Every encoded image's L2-normalised feature in one contiguous matrix, with its metadata. */
typedef struct {
    int n, dim;
    float *feat;       /* [n, dim] */
    int64_t *image_id; /* store ids */
    int *pid;          /* identity, -1 when unknown */
    char **path;       /* path as given at build time (dataset-relative for datasets) */
} gal_index;
/* Fails (message names the gallery and both models) when the features were made by another
 * model than the one with `fingerprint`. */
int gal_index_load(gal_store *s, const char *fingerprint, gal_index *ix, irra_err *e);
void gal_index_free(gal_index *ix);

/* The stored thumbnail of one image, decoded to RGB. */
int gal_store_thumbnail(gal_store *s, int64_t image_id, irra_image *out, irra_err *e);

/* The dataset captions of one image (none for a plain folder). Caller frees with
 * gal_strings_free. */
int gal_store_image_captions(gal_store *s, int64_t image_id, char ***caps, int *n, irra_err *e);
void gal_strings_free(char **v, int n);

/* All captions of the gallery's split, with identities, for evaluation and failure inspection. */
typedef struct {
    char *text;
    int pid;
    int64_t image_id; /* the image it describes */
} gal_caption;
int gal_store_captions(gal_store *s, gal_caption **out, int *n, irra_err *e);
void gal_captions_free(gal_caption *c, int n);

/* ---- Writing (gallery build). Every function returns 0, or -1 with *e naming the gallery. ---- */

/* A batch of writes is one transaction: kill -9 loses at most the open one. */
int gal_store_begin(gal_store *s, irra_err *e);
int gal_store_commit(gal_store *s, irra_err *e);

/* Meta values (model_fingerprint, model_path, dim, source, split, listed, build); "" when absent.
 * build is "incomplete" from the creation of a gallery, and whenever a build starts, until a
 * build finishes ("complete"); a gallery without it predates the key and counts as complete. */
int gal_store_meta_get(gal_store *s, const char *key, char *buf, size_t n, irra_err *e);
int gal_store_meta_set(gal_store *s, const char *key, const char *value, irra_err *e);

/* Adds an image unless its path is already there; *id gets its row either way. *added (optional)
 * says whether it is new. */
int gal_store_add_image(gal_store *s, const char *path, int pid, int camera, int64_t *id,
                        int *added, irra_err *e);
int gal_store_add_caption(gal_store *s, int64_t image_id, int pid, const char *text, irra_err *e);

/* The images that have no feature yet, in row order, those that failed before last (the build's
 * work list). */
typedef struct {
    int64_t id;
    char *path;
} gal_pending;
int gal_store_pending(gal_store *s, gal_pending **out, int *n, irra_err *e);
void gal_pending_free(gal_pending *p, int n);

/* Stores what the build made of one image: its size, JPEG thumbnail and feature [dim]. */
int gal_store_put_encoded(gal_store *s, int64_t id, int w, int h, const void *jpeg, size_t njpeg,
                          const float *feat, int dim, irra_err *e);
/* Records why an image could not be read (it stays without a feature and is retried next time). */
int gal_store_put_error(gal_store *s, int64_t id, const char *msg, irra_err *e);
/* Images that failed at their last attempt. */
int gal_store_n_failed(gal_store *s, int *n, irra_err *e);

/* ---- A folder's files (schema version 2), so that a rebuild sees what changed. ---- */
typedef struct {
    int64_t id;          /* the image */
    char *path;
    int tracked;         /* the fields below were recorded (not for an upgraded version 1 row) */
    int64_t size, mtime; /* bytes, and modification time in ns, when last listed */
    char hash[40];       /* content hash when last listed */
} gal_file;
/* Every image with what was recorded of its file, sorted by path (bytes, as strcmp). */
int gal_store_files(gal_store *s, gal_file **out, int *n, irra_err *e);
void gal_files_free(gal_file *f, int n);
int gal_store_put_file(gal_store *s, int64_t id, int64_t size, int64_t mtime, const char *hash,
                       irra_err *e);
/* Drops an image's feature, thumbnail and error, so the next build encodes it again. */
int gal_store_forget_encoding(gal_store *s, int64_t id, irra_err *e);
/* Deletes an image with everything stored of it. */
int gal_store_remove_image(gal_store *s, int64_t id, irra_err *e);

/* Removes a gallery file and SQLite's -wal and -shm files beside it. */
void gal_store_remove(const char *path);

/* The path of the gallery file, for messages. */
const char *gal_store_path(const gal_store *s);

#endif
