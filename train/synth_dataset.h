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
    syn_person *people;      /* n_ids: train, val, test, then the item twins (train too) */
    int n_ids, n_train, n_val, n_test, per_id, h, w;
    /* Training identities after the test split, each a copy of an earlier training identity
     * with one small item changed (syn_sample_item_twins): hard negatives for what the main
     * colours do not tell apart. They come last and draw from streams of their own, so that
     * adding them leaves every other identity, image and caption as it was. */
    int n_twins;
    int n_short; /* short, searcher-style captions added to each training image (0 by default) */
    int item_captions; /* and one caption for each worn item of a training image (0: none) */
    int cues;          /* draw what tells top and footwear types and genders apart (syn_render) */
    uint64_t seed;
} syn_dataset;

/* Loads Fashion-MNIST from fmnist_dir and samples the identities. Of n_ids, n_val and n_test
 * identities go to val and test, the rest (at least 1) to train; n_twins item twins of those
 * follow, in train. Returns 0 or -1 with e set. */
int syn_dataset_init(syn_dataset *d, const char *fmnist_dir, int n_ids, int n_val, int n_test,
                     int n_twins, int per_id, int h, int w, uint64_t seed, irra_err *e);
void syn_dataset_free(syn_dataset *d);

int syn_split_of(const syn_dataset *d, int id);

/* The files number identities train first (the item twins after the others), then val, then
 * test, so that training pids are 0..N-1 as the official loader asserts; here, and in every
 * random stream, the twins come last, so that adding them changes no other identity's images
 * or captions. syn_file_id maps an identity to its number in the files (0-based), syn_id_at
 * back. */
int syn_file_id(const syn_dataset *d, int id);
int syn_id_at(const syn_dataset *d, int file_id);
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

/* The image's path under imgs/: "train/000001_01.png" (1-based file identity and shot). */
void syn_image_path(const syn_dataset *d, long img, char *buf, size_t n);

#endif
