/* The plan of a synthetic dataset: which identities exist, which split each belongs to, and
 * for every image (identity i, shot k; image number i * per_id + k) its nuisance factors, its
 * pixels, its two captions and its file name. Everything is a pure function of the seed, so
 * any image can be made on any thread in any order. */
#ifndef SYN_DATASET_H
#define SYN_DATASET_H

#include "train/fmnist.h"
#include "train/synth_attrs.h"
#include "train/synth_caption.h"

#include <stddef.h>
#include <stdint.h>

enum { SYN_TRAIN, SYN_VAL, SYN_TEST };

typedef struct {
    /* Training identities wear Fashion-MNIST training items; val and test identities wear items
     * of its test set, so retrieval is measured on garments never seen in training. */
    syn_fmnist pool[2];
    syn_person *people;      /* n_ids, train first, then val, then test */
    int n_ids, n_train, n_val, n_test, per_id, h, w;
    int n_short; /* short, searcher-style captions added to each training image (0 by default) */
    int item_captions; /* and one caption for each worn item of a training image (0: none) */
    uint64_t seed;
} syn_dataset;

/* Loads Fashion-MNIST from fmnist_dir and samples the identities. n_val and n_test identities
 * go to val and test, the rest (at least 1) to train. Returns 0 or -1 with e set. */
int syn_dataset_init(syn_dataset *d, const char *fmnist_dir, int n_ids, int n_val, int n_test,
                     int per_id, int h, int w, uint64_t seed, irra_err *e);
void syn_dataset_free(syn_dataset *d);

int syn_split_of(const syn_dataset *d, int id);
extern const char *const syn_split_name[3]; /* "train", "val", "test" */

static inline long syn_n_images(const syn_dataset *d) { return (long)d->n_ids * d->per_id; }

void syn_image_nuisance(const syn_dataset *d, long img, syn_nuisance *nu);

/* Renders image img into rgb (h x w x 3). Returns 0 or -1 (out of memory). */
int syn_image_render(const syn_dataset *d, long img, uint8_t *rgb);

#define SYN_MAX_SHORT 4
#define SYN_MAX_CAPTIONS (2 + SYN_MAX_SHORT + SYN_MAX_ITEMS)

/* The captions of image img, each written independently: two annotator-style ones, then, for a
 * training image, d->n_short short ones and, with d->item_captions, one for each worn item
 * (syn_worn_items order). Returns how many. */
int syn_image_captions(const syn_dataset *d, long img, char cap[SYN_MAX_CAPTIONS][SYN_CAPTION_MAX]);

/* The image's path under imgs/: "train/000001_01.png" (1-based identity and shot). */
void syn_image_path(const syn_dataset *d, long img, char *buf, size_t n);

#endif
