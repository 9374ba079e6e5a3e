/* The training data of `irra train`: the train split of a dataset as the official
 * ImageTextMLMDataset sees it (one sample per caption: its identity, its image, its tokens),
 * batched in the sampler's order, each image augmented (spec 4.5) and each caption masked
 * (spec 3.3) from streams keyed by (seed, epoch, sample position) (train/train_rng.h).
 *
 * A batch is a pure function of (dataset, options, epoch, step): the same bytes on any number of
 * threads and after reopening the loader, which is all a resumed run needs. Worker threads
 * (pthreads) prepare the next batches while the caller trains on the current one.
 *
 * At open the captions are tokenised (spec 4.7) and, when all the images fit in cache_bytes
 * resized to the model's input as 8-bit RGB, every image is decoded and resized once; an image
 * that does not decode is then an error of irra_loader_open naming the file. Otherwise images are
 * decoded at each use and one that fails is left out of its batch and counted. */
#ifndef IRRA_TRAIN_LOADER_H
#define IRRA_TRAIN_LOADER_H

#include "gallery/dataset.h"
#include "model/bpe.h"
#include "model/irra.h"
#include "train/sampler.h"
#include "train/trainer.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    uint64_t seed;            /* --seed (1) */
    int batch_size;           /* --batch-size (64) */
    irra_sampler_kind sampler; /* --sampler (random) */
    int num_instance;         /* --num-instance (4), identity and similar samplers */
    int img_aug;              /* 1 (default): spec 4.5's augmentation; 0: resize + flip only */
    int clean_captions;       /* 0 (default): caption_ids are the masked ids (the quirk of
                                 spec 3.3); 1: caption_ids keep the unmasked ids */
    int threads;              /* worker threads (2); 0: each batch made on the caller's thread
                                 when asked, nothing ahead */
    size_t cache_bytes;       /* image cache budget (0: IRRA_LOADER_CACHE_DEFAULT) */
} irra_loader_opts;

#define IRRA_LOADER_CACHE_DEFAULT ((size_t)2 << 30)
#define IRRA_LOADER_PREFETCH 2 /* batches prepared ahead of the one asked for */

/* The defaults above. */
void irra_loader_opts_default(irra_loader_opts *o);

/* One batch, owned by the caller (zero it before the first use; free with
 * irra_loader_out_free). b is what irra_train_step takes and points into the arrays: with the
 * quirk b.caption_ids is mlm_ids, with clean captions it is caption_ids. */
typedef struct {
    irra_train_batch b;
    float *pixels;         /* [B, 3, img_h, img_w] */
    int *pids;             /* [B] classifier indices 0..num_classes-1 */
    int32_t *caption_ids;  /* [B, context] the unmasked ids */
    int32_t *mlm_ids;      /* [B, context] */
    int32_t *mlm_labels;   /* [B, context] */
    int *samples;          /* [B] sample (train caption) index of each row */
    uint32_t epoch;
    int step;
    int skipped;           /* rows left out because their image failed to decode */
    int geom[4];           /* batch size, img_h, img_w, context the buffers were made for */
} irra_loader_out;

void irra_loader_out_free(irra_loader_out *out);

typedef struct irra_loader irra_loader;

/* spec: as gal_dataset_open ("cuhk-pedes:DIR" also reads `irra synth` output). c: the model's
 * input (img_h, img_w), context and vocab (which must be the tokenizer's: mask = vocab - 3).
 * Errors are one line: no train split, a caption that does not tokenise, an image that is missing
 * or (cached) does not decode, a sampler that cannot fill a batch. */
irra_loader *irra_loader_open(const char *spec, const irra_config *c, const irra_bpe *bpe,
                              const irra_loader_opts *o, irra_err *e);
void irra_loader_free(irra_loader *L);

int irra_loader_samples(const irra_loader *L);     /* train captions */
int irra_loader_num_classes(const irra_loader *L); /* train identities N (pids 0..N-1) */
int irra_loader_cached(const irra_loader *L);      /* 1 when the images are held decoded */
const gal_dataset *irra_loader_dataset(const irra_loader *L); /* the train split */

/* Steps of epoch `epoch` (ceil(samples / batch) for random; identity epochs vary), -1 on error
 * (out of memory). */
int irra_loader_steps(irra_loader *L, uint32_t epoch, irra_err *e);

/* The batch of (epoch, step), step in 0..steps-1, into out; the next IRRA_LOADER_PREFETCH
 * batches (into the next epoch at its end) are then prepared in the background. Any order of
 * calls works; in order they never wait on images once the workers keep up. Errors: a step out
 * of range, out of memory, every image of the batch failing to decode. Not thread-safe: one
 * caller at a time. */
int irra_loader_batch(irra_loader *L, uint32_t epoch, int step, irra_loader_out *out, irra_err *e);

/* Rows left out so far because their image failed to decode, and the last such error. */
long irra_loader_skipped(const irra_loader *L, char *last, size_t n);

#endif
