/* What the gallery, search and eval commands share. */
#ifndef GAL_GALLERY_CMD_H
#define GAL_GALLERY_CMD_H

#include "gallery/build.h"
#include "gallery/dataset.h"
#include "cmd/model_opts.h"

/* What listing the source changed in a gallery: a dataset is listed by its first build only; a
 * folder on every build (new files added, changed ones re-encoded, vanished ones removed). */
typedef struct {
    int added, changed, removed, unchanged;
} gal_list_stats;

/* Builds (or resumes) the gallery `out` from d: errors and warnings on stderr, a progress bar
 * on a terminal unless quiet. Refuses a source without images. Returns 0 or the command's exit
 * status. */
int gal_cmd_build_gallery(irra_model *m, const char *model_path, gal_dataset *d, const char *out,
                          int batch, int quiet, gal_list_stats *ls, gal_build_stats *st);

/* Prints the repairs made while reading d (its warnings) on stderr, made safe for a terminal. */
void gal_cmd_print_warnings(const gal_dataset *d);

/* Encodes texts [n] into feat [n, embed_dim], L2-normalised, in batches. Prints the error
 * (naming the text) and returns -1 on failure. bar_label: a progress bar label, or NULL. */
int gal_encode_texts(irra_model *m, const char *const *texts, int n, float *feat,
                     const char *bar_label, int quiet);

#endif
