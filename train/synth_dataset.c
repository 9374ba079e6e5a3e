#include "train/synth_dataset.h"

#include "train/synth_render.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const syn_split_name[3] = {"train", "val", "test"};

int syn_dataset_init(syn_dataset *d, const char *fmnist_dir, int n_ids, int n_val, int n_test,
                     int n_twins, int per_id, int h, int w, uint64_t seed, irra_err *e)
{
    memset(d, 0, sizeof *d);
    if (n_ids < 1 || n_val < 0 || n_test < 0 || n_val > n_ids - 1 || n_test > n_ids - 1 - n_val)
        return irra_fail(e, "synth: %d identities cannot hold %d val and %d test identities and "
                            "at least one for training", n_ids, n_val, n_test);
    if (n_twins < 0 || n_twins > 10000000)
        return irra_fail(e, "synth: %d item twins is not from 0 to 10000000", n_twins);
    if (per_id < 1) return irra_fail(e, "synth: images per identity must be at least 1");
    if (w < SYN_MIN_W || w > SYN_MAX_W || h != 3 * w)
        return irra_fail(e, "synth: size %dx%d is not 3:1 between 96x32 and 384x128", h, w);
    int base_train = n_ids - n_val - n_test;
    *d = (syn_dataset){.n_ids = n_ids + n_twins, .n_train = base_train + n_twins, .n_val = n_val,
                       .n_test = n_test, .n_twins = n_twins, .per_id = per_id, .h = h, .w = w,
                       .seed = seed};
    if (syn_fmnist_load(&d->pool[0], fmnist_dir, "train", e) < 0) return -1;
    if (syn_fmnist_load(&d->pool[1], fmnist_dir, "t10k", e) < 0) goto fail;
    if (!(d->people = malloc(sizeof *d->people * (size_t)d->n_ids))) {
        irra_fail(e, "synth: out of memory for %d identities", d->n_ids);
        goto fail;
    }
    syn_sample_identities(d->people, base_train, 0, seed, &d->pool[0]);
    syn_sample_identities(d->people + base_train, n_val, base_train, seed, &d->pool[1]);
    syn_sample_identities(d->people + base_train + n_val, n_test, base_train + n_val, seed, &d->pool[1]);
    syn_sample_item_twins(d->people + n_ids, n_twins, 0, d->people, base_train, seed, &d->pool[0]);
    return 0;
fail:
    syn_dataset_free(d);
    return -1;
}

void syn_dataset_free(syn_dataset *d)
{
    syn_fmnist_free(&d->pool[0]);
    syn_fmnist_free(&d->pool[1]);
    free(d->people);
    d->people = NULL;
}

int syn_file_id(const syn_dataset *d, int id)
{
    int base_train = d->n_train - d->n_twins, first_twin = d->n_ids - d->n_twins;
    if (id < base_train) return id;
    return id >= first_twin ? base_train + id - first_twin : id + d->n_twins;
}

int syn_id_at(const syn_dataset *d, int file_id)
{
    int base_train = d->n_train - d->n_twins, first_twin = d->n_ids - d->n_twins;
    if (file_id < base_train) return file_id;
    return file_id < d->n_train ? first_twin + file_id - base_train : file_id - d->n_twins;
}

int syn_split_of(const syn_dataset *d, int id)
{
    int f = syn_file_id(d, id);
    return f < d->n_train ? SYN_TRAIN : f < d->n_train + d->n_val ? SYN_VAL : SYN_TEST;
}

void syn_image_nuisance(const syn_dataset *d, long img, syn_nuisance *nu)
{
    syn_rng r = syn_rng_key(d->seed, SYN_STREAM_IMAGE, (uint64_t)img);
    syn_sample_nuisance(nu, &r);
}

int syn_image_render(const syn_dataset *d, long img, uint8_t *rgb)
{
    int id = (int)(img / d->per_id);
    syn_nuisance nu;
    syn_image_nuisance(d, img, &nu);
    const syn_fmnist *pool = &d->pool[syn_split_of(d, id) == SYN_TRAIN ? 0 : 1];
    return syn_render(pool, &d->people[id], &nu, d->cues, rgb, d->h, d->w);
}

int syn_image_captions(const syn_dataset *d, long img, char cap[SYN_MAX_CAPTIONS][SYN_CAPTION_MAX])
{
    int id = (int)(img / d->per_id);
    const syn_person *p = &d->people[id];
    for (int j = 0; j < 2; j++) {
        syn_rng r = syn_rng_key(d->seed, SYN_STREAM_CAPTION, (uint64_t)img * 2 + (uint64_t)j);
        syn_caption(p, &r, cap[j], NULL);
    }
    /* val and test keep the annotators' style only: retrieval is measured on it */
    if (syn_split_of(d, id) != SYN_TRAIN) return 2;
    int n = 2;
    for (int j = 0; j < d->n_short; j++) {
        syn_rng r = syn_rng_key(d->seed, SYN_STREAM_SHORT_CAPTION,
                                (uint64_t)img * SYN_MAX_SHORT + (uint64_t)j);
        syn_short_caption(p, &r, cap[n++], NULL);
    }
    const syn_piece *items[SYN_MAX_ITEMS];
    int n_items = d->item_captions ? syn_worn_items(p, items) : 0;
    for (int j = 0; j < n_items; j++) {
        syn_rng r = syn_rng_key(d->seed, SYN_STREAM_ITEM_CAPTION,
                                (uint64_t)img * SYN_MAX_ITEMS + (uint64_t)j);
        syn_item_caption(p, items[j], &r, cap[n++], NULL);
    }
    return n;
}

void syn_image_path(const syn_dataset *d, long img, char *buf, size_t n)
{
    int id = (int)(img / d->per_id), k = (int)(img % d->per_id);
    snprintf(buf, n, "%s/%06d_%02d.png", syn_split_name[syn_split_of(d, id)], syn_file_id(d, id) + 1,
             k + 1);
}
