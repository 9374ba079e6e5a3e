/* Where the browser's results come from: a model and a gallery (tui/gal_source.c). The browser
 * calls these from its worker threads, one call at a time (the browser serialises them). */
#ifndef TUI_SOURCE_H
#define TUI_SOURCE_H

#include "model/image.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    int row;          /* row of the gallery index */
    float score;      /* cosine similarity */
    int pid;          /* identity, -1 unknown */
    int64_t image_id; /* gallery store id */
    const char *path; /* owned by the source */
} tui_hit;

/* One caption of the gallery's split with the rank its first correct image got. */
typedef struct {
    char *text;
    int pid;
    int first_rank; /* 1-based */
    float ap;       /* average precision of its ranking */
} tui_failcase;

typedef struct {
    void *ctx;
    char model_name[128];
    int size; /* gallery images */
    /* Up to k hits for the query, best first. Returns the count, or -1 with err. */
    int (*search)(void *ctx, const char *query, int k, tui_hit *out, char *err, size_t errn);
    /* The display thumbnail (RGB) of an image; out->rgb is the caller's, freed with free(). */
    int (*thumbnail)(void *ctx, int64_t image_id, irra_image *out, char *err, size_t errn);
    /* The dataset captions of an image; the caller frees each string and the array. */
    int (*captions)(void *ctx, int64_t image_id, char ***caps, int *n);
    /* The words of a query as byte ranges [start[i], end[i]) into it. Returns the count. */
    int (*words)(void *ctx, const char *query, int *start, int *end, int max);
    /* A per-patch map (gh x gw, caller frees *map) of kind TUI_MAP_SIMILARITY or
     * TUI_MAP_RELATION (word: index into words()) for one image. */
    int (*attn_map)(void *ctx, const char *query, int64_t image_id, int kind, int word,
                    float **map, int *gh, int *gw, char *err, size_t errn);
    /* Every caption of the gallery's split, worst first (tui/failures.c), with R@1 and mAP.
     * progress(arg, done, total) is called now and then. Returns 0, or -1 with err. */
    int (*failures)(void *ctx, tui_failcase **out, int *n, float *r1, float *map,
                    void (*progress)(void *arg, int done, int total), void *arg, char *err,
                    size_t errn);
    /* Optional: readies the source for many searches (the search thread calls it once at
     * start, so its cost falls before the first query rather than on the second). */
    void (*prepare)(void *ctx);
    void (*close)(void *ctx);
} tui_source;

#endif
