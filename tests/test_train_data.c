/* The training data pipeline's pure parts: masking (spec 3.3), augmentation parameters and their
 * application (spec 4.5), the samplers (spec 4.4) and the keyed streams. The loader on a real
 * dataset and the comparison with torchvision are in tests/test_train_data.sh. Statistical
 * bounds are 5+ standard deviations wide, and the streams are fixed, so they never flake. */
#include "model/bpe.h"
#include "model/image.h"
#include "tests/check.h"
#include "train/augment.h"
#include "train/masking.h"
#include "train/neighbours.h"
#include "train/sampler.h"
#include "train/train_rng.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

#define CTX 77
#define V 49408
#define MASK (V - 3)

/* A caption of n word ids (drawn from r in 1..MASK-1, with some "!" = 0 and <|mask|> inside, which
 * are never eligible) as SOT, words, EOT, zeros. */
static void caption(syn_rng *r, int n, int32_t *ids)
{
    memset(ids, 0, CTX * sizeof *ids);
    ids[0] = V - 2;
    for (int t = 1; t <= n; t++) {
        int u = syn_below(r, 40);
        ids[t] = u == 0 ? 0 : u == 1 ? MASK : 1 + syn_below(r, MASK - 1);
    }
    ids[n + 1] = V - 1;
}

static void masking_labels_15_percent_split_80_10_10(void)
{
    syn_rng r = syn_rng_key(1, 99, 0);
    long eligible = 0, labelled = 0, masked = 0, random = 0, kept = 0, fallbacks = 0, bad = 0;
    int32_t ids[CTX], mlm[CTX], lab[CTX];
    for (int c = 0; c < 20000; c++) {
        int n = 1 + syn_below(&r, 75);
        caption(&r, n, ids);
        syn_rng m = irra_train_rng(7, IRRA_RNG_MASK, 0, (uint32_t)c);
        int got = irra_mask_caption(ids, CTX, V, &m, mlm, lab), cnt = 0, any_eligible = 0;
        for (int t = 0; t < CTX; t++) {
            int el = ids[t] > 0 && ids[t] < MASK;
            eligible += el;
            any_eligible |= el;
            if (!lab[t]) { /* unchanged, but for the fallback on "!" (id 0): masked, label 0 */
                bad += mlm[t] != ids[t] && !(t == 1 && ids[1] == 0 && mlm[1] == MASK);
                continue;
            }
            cnt++;
            bad += lab[t] != ids[t];
            if (!el) { /* only the fallback labels an ineligible position: never SOT/EOT/pad/mask */
                fallbacks++;
                bad += t != 1 || mlm[t] != MASK;
                continue;
            }
            labelled++;
            if (mlm[t] == MASK) masked++;
            else if (mlm[t] == ids[t]) kept++;
            else random++, bad += mlm[t] < 1 || mlm[t] >= MASK;
        }
        EXPECT(got == (cnt ? cnt : 1));
        if (!any_eligible) EXPECT(lab[1] == ids[1] && mlm[1] == MASK); /* the fallback even for "!" */
    }
    EXPECTF(bad == 0, "%ld positions break the rules", bad);
    double f = (double)labelled / eligible, fm = (double)masked / labelled, fr = (double)random / labelled;
    EXPECTF(fabs(f - 0.15) < 0.003, "labelled %.4f of %ld eligible", f, eligible);
    EXPECTF(fabs(fm - 0.8) < 0.008, "masked %.4f", fm);
    EXPECTF(fabs(fr - 0.1) < 0.006, "random %.4f", fr);
    EXPECTF(fabs((double)kept / labelled - 0.1) < 0.006, "kept %.4f", (double)kept / labelled);
}

static void masking_falls_back_to_position_1(void)
{
    int32_t ids[CTX] = {V - 2, V - 1}, mlm[CTX], lab[CTX]; /* the empty caption: position 1 is EOT */
    syn_rng r = syn_rng_key(1, 2, 3);
    EXPECT(irra_mask_caption(ids, CTX, V, &r, mlm, lab) == 1);
    EXPECT(lab[1] == V - 1 && mlm[1] == MASK && lab[0] == 0 && mlm[0] == V - 2);
    /* one word: it is labelled by the draw 15% of the time, by the fallback otherwise, and the
     * fallback masks it */
    int draws = 0, n = 4000;
    for (int k = 0; k < n; k++) {
        int32_t one[CTX] = {V - 2, 320, V - 1};
        syn_rng m = irra_train_rng(1, IRRA_RNG_MASK, 0, (uint32_t)k);
        EXPECT(irra_mask_caption(one, CTX, V, &m, mlm, lab) == 1 && lab[1] == 320);
        draws += mlm[1] != MASK;
    }
    /* not masked only through the draw's 20% random/keep: 0.15 * 0.2 = 3% */
    EXPECTF(fabs((double)draws / n - 0.03) < 0.015, "unmasked %d of %d", draws, n);
}

static void masking_follows_a_small_vocabulary(void)
{
    int v = 12, mask = v - 3, lo = 99, hi = -1; /* ids 1..8 eligible, 9 mask, 10 SOT, 11 EOT */
    int32_t ids[CTX], mlm[CTX], lab[CTX];
    for (int c = 0; c < 3000; c++) {
        memset(ids, 0, sizeof ids);
        ids[0] = v - 2;
        for (int t = 1; t <= 20; t++) ids[t] = 1 + (c + t) % (mask - 1);
        ids[21] = v - 1;
        syn_rng m = irra_train_rng(3, IRRA_RNG_MASK, 1, (uint32_t)c);
        irra_mask_caption(ids, CTX, v, &m, mlm, lab);
        for (int t = 0; t < CTX; t++) {
            if (lab[t]) EXPECT(t >= 1 && t <= 20);
            if (lab[t] && mlm[t] != mask && mlm[t] != ids[t]) {
                lo = mlm[t] < lo ? mlm[t] : lo;
                hi = mlm[t] > hi ? mlm[t] : hi;
            }
        }
    }
    EXPECTF(lo == 1 && hi == mask - 1, "random ids span %d..%d, want 1..%d", lo, hi, mask - 1);
}

static void masking_in_place_equals_out_of_place(void)
{
    int32_t ids[CTX], a[CTX], la[CTX], lb[CTX];
    syn_rng r = syn_rng_key(5, 5, 5);
    caption(&r, 60, ids);
    syn_rng m1 = irra_train_rng(1, IRRA_RNG_MASK, 2, 3), m2 = m1;
    irra_mask_caption(ids, CTX, V, &m1, a, la);
    irra_mask_caption(ids, CTX, V, &m2, ids, lb);
    EXPECT(!memcmp(a, ids, sizeof a) && !memcmp(la, lb, sizeof la));
}

static void streams_differ_by_purpose_epoch_and_sample(void)
{
    syn_rng a = irra_train_rng(1, IRRA_RNG_AUG, 0, 1), b = irra_train_rng(1, IRRA_RNG_MASK, 0, 1),
            c = irra_train_rng(1, IRRA_RNG_AUG, 1, 0), d = irra_train_rng(1, IRRA_RNG_AUG, 0, 1),
            f = irra_train_rng(2, IRRA_RNG_AUG, 0, 1);
    uint64_t x = syn_next(&a), y = syn_next(&b), z = syn_next(&c), w = syn_next(&d), u = syn_next(&f);
    EXPECT(x == w && x != y && x != z && x != u && y != z);
}

/* ---- augmentation ----------------------------------------------------------------------- */

static void augment_draws_follow_torchvision_ranges(void)
{
    int H = 384, W = 128, n = 20000, flips = 0, erases = 0, seen[21] = {0}, bad = 0;
    double area_lo = 1, area_hi = 0, ar_lo = 99, ar_hi = 0;
    for (int k = 0; k < n; k++) {
        irra_aug a;
        syn_rng r = irra_train_rng(1, IRRA_RNG_AUG, 0, (uint32_t)k);
        irra_aug_draw(1, H, W, &r, &a);
        flips += a.flip;
        bad += a.crop_i < 0 || a.crop_i > 20 || a.crop_j < 0 || a.crop_j > 20;
        if (!bad) seen[a.crop_i]++;
        if (!a.erase) continue;
        erases++;
        bad += a.er_h >= H || a.er_w >= W || a.er_i < 0 || a.er_j < 0 || a.er_i + a.er_h > H ||
               a.er_j + a.er_w > W;
        double f = (double)a.er_h * a.er_w / (H * W), ar = (double)a.er_h / a.er_w;
        area_lo = fmin(area_lo, f), area_hi = fmax(area_hi, f), ar_lo = fmin(ar_lo, ar), ar_hi = fmax(ar_hi, ar);
    }
    EXPECT(bad == 0);
    EXPECTF(fabs(flips / (double)n - 0.5) < 0.02, "flips %d of %d", flips, n);
    for (int i = 0; i <= 20; i++) EXPECTF(fabs(seen[i] * 21.0 / n - 1) < 0.15, "crop top %d: %d", i, seen[i]);
    /* the coin is 0.5; at 384x128 some tries fail (w >= 128 for wide boxes) but 10 rarely all do */
    EXPECTF(erases > 0.47 * n && erases < 0.52 * n, "erased %d of %d", erases, n);
    EXPECTF(area_lo > 0.018 && area_lo < 0.03 && area_hi > 0.35 && area_hi < 0.41, "area %g..%g", area_lo, area_hi);
    EXPECTF(ar_lo > 0.27 && ar_lo < 0.4 && ar_hi > 3.0 && ar_hi < 3.5, "ratio %g..%g", ar_lo, ar_hi);
}

static void augment_off_draws_only_the_flip(void)
{
    int flips = 0;
    for (int k = 0; k < 2000; k++) {
        irra_aug a;
        syn_rng r = irra_train_rng(1, IRRA_RNG_AUG, 3, (uint32_t)k);
        irra_aug_draw(0, 384, 128, &r, &a);
        EXPECT(a.crop_i == IRRA_AUG_PAD && a.crop_j == IRRA_AUG_PAD && !a.erase);
        flips += a.flip;
    }
    EXPECTF(flips > 850 && flips < 1150, "flips %d of 2000", flips);
}

#define AH 12
#define AW 7
static void test_image(uint8_t *rgb)
{
    for (int i = 0; i < AH * AW * 3; i++) rgb[i] = (uint8_t)(i * 37 + 11);
}

static void augment_identity_is_the_eval_transform(void)
{
    uint8_t rgb[AH * AW * 3];
    float a[3 * AH * AW], b[3 * AH * AW];
    test_image(rgb);
    irra_aug id = {.crop_i = IRRA_AUG_PAD, .crop_j = IRRA_AUG_PAD};
    irra_image im = {AW, AH, rgb};
    irra_err e;
    EXPECT(irra_aug_apply(rgb, AH, AW, &id, NULL, a, &e) == 0 && irra_image_preprocess(&im, AH, AW, b, &e) == 0);
    EXPECT(!memcmp(a, b, sizeof a));
}

static void augment_flips_shifts_and_erases(void)
{
    uint8_t rgb[AH * AW * 3];
    float ref[3 * AH * AW], out[3 * AH * AW];
    test_image(rgb);
    irra_err e;
    irra_aug id = {.crop_i = IRRA_AUG_PAD, .crop_j = IRRA_AUG_PAD};
    irra_aug_apply(rgb, AH, AW, &id, NULL, ref, &e);
    float pad[3]; /* a padded 0 normalised: -mean/std */
    uint8_t black[3] = {0, 0, 0};
    irra_image bi = {1, 1, black};
    irra_image_preprocess(&bi, 1, 1, pad, &e);
    irra_aug fl = id;
    fl.flip = 1;
    EXPECT(irra_aug_apply(rgb, AH, AW, &fl, NULL, out, &e) == 0);
    int bad = 0;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < AH; y++)
            for (int x = 0; x < AW; x++) bad += out[(c * AH + y) * AW + x] != ref[(c * AH + y) * AW + AW - 1 - x];
    EXPECTF(bad == 0, "flip: %d values differ", bad);
    /* crop at (3, 12): output (y, x) is input (y - 7, x + 2), zeros outside */
    irra_aug sh = {.crop_i = 3, .crop_j = 12};
    EXPECT(irra_aug_apply(rgb, AH, AW, &sh, NULL, out, &e) == 0);
    bad = 0;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < AH; y++)
            for (int x = 0; x < AW; x++) {
                int sy = y - 7, sx = x + 2;
                float want = sy < 0 || sx >= AW ? pad[c] : ref[(c * AH + sy) * AW + sx];
                bad += out[(c * AH + y) * AW + x] != want;
            }
    EXPECTF(bad == 0, "shift: %d values differ", bad);
    irra_aug er = id;
    er.erase = 1, er.er_i = 2, er.er_j = 1, er.er_h = 10, er.er_w = 6; /* to the corner */
    EXPECT(irra_aug_apply(rgb, AH, AW, &er, NULL, out, &e) == 0);
    const float mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
    bad = 0;
    for (int c = 0; c < 3; c++)
        for (int y = 0; y < AH; y++)
            for (int x = 0; x < AW; x++) {
                int in = y >= 2 && y < 12 && x >= 1 && x < 7;
                bad += out[(c * AH + y) * AW + x] != (in ? mean[c] : ref[(c * AH + y) * AW + x]);
            }
    EXPECTF(bad == 0, "erase: %d values differ", bad);
}

static void augment_refuses_parameters_outside_the_image(void)
{
    uint8_t rgb[AH * AW * 3] = {0};
    float out[3 * AH * AW];
    irra_err e;
    irra_aug a = {.crop_i = 21, .crop_j = 0};
    EXPECT(irra_aug_apply(rgb, AH, AW, &a, NULL, out, &e) < 0 && strstr(e.msg, "crop"));
    irra_aug b = {.crop_i = 10, .crop_j = 10, .erase = 1, .er_i = 5, .er_j = 0, .er_h = 8, .er_w = 2};
    EXPECT(irra_aug_apply(rgb, AH, AW, &b, NULL, out, &e) < 0 && strstr(e.msg, "erase box"));
}

/* ---- samplers --------------------------------------------------------------------------- */

static void random_sampler_visits_every_sample_once(void)
{
    int n = 1001, pids[1001], *o, *o2, len, len2;
    for (int i = 0; i < n; i++) pids[i] = i / 3;
    irra_sampler_cfg c = {IRRA_SAMPLER_RANDOM, 64, 4, 9, NULL, 0};
    irra_err e;
    EXPECT(irra_sampler_order(&c, pids, n, 0, &o, &len, &e) == 0 && len == n);
    EXPECT(irra_sampler_steps(&c, len) == 16); /* 15 full batches and the partial one of 41 */
    char *seen = calloc((size_t)n, 1);
    int bad = 0, moved = 0;
    for (int i = 0; i < len; i++) bad += o[i] < 0 || o[i] >= n || seen[o[i]]++, moved += o[i] != i;
    EXPECT(bad == 0 && moved > n / 2);
    EXPECT(irra_sampler_order(&c, pids, n, 0, &o2, &len2, &e) == 0 && !memcmp(o, o2, sizeof(int) * n));
    free(o2);
    EXPECT(irra_sampler_order(&c, pids, n, 1, &o2, &len2, &e) == 0 && memcmp(o, o2, sizeof(int) * n));
    free(o2);
    c.seed = 10;
    EXPECT(irra_sampler_order(&c, pids, n, 0, &o2, &len2, &e) == 0 && memcmp(o, o2, sizeof(int) * n));
    free(o2), free(o), free(seen);
}

static void identity_sampler_gives_num_instance_per_identity(void)
{
    /* 40 identities with 1..9 samples each, interleaved; batch 16 = 4 ids x 4 */
    int n = 0, pids[400], cnt[40] = {0};
    for (int rep = 0; rep < 9; rep++)
        for (int id = 0; id < 40; id++)
            if (rep < 1 + id % 9) pids[n++] = 1000 + id * 7, cnt[id]++;
    irra_sampler_cfg c = {IRRA_SAMPLER_IDENTITY, 16, 4, 3, NULL, 0};
    irra_err e;
    int *o, len;
    EXPECT(irra_sampler_order(&c, pids, n, 0, &o, &len, &e) == 0);
    long estimate = 0; /* the reference's __len__: an upper bound on what an epoch gives */
    for (int id = 0; id < 40; id++) {
        int m = cnt[id] < 4 ? 4 : cnt[id];
        estimate += m - m % 4;
    }
    EXPECTF(len % 16 == 0 && len > 0 && len <= estimate, "len %d estimate %ld", len, estimate);
    int bad = 0, *uses = calloc((size_t)n, sizeof *uses);
    for (int b = 0; b < len; b += 16) {
        int ids[4];
        for (int q = 0; q < 4; q++) {
            ids[q] = pids[o[b + 4 * q]];
            for (int t = 1; t < 4; t++) bad += pids[o[b + 4 * q + t]] != ids[q];
            for (int p = 0; p < q; p++) bad += ids[p] == ids[q];
        }
    }
    for (int i = 0; i < len; i++) uses[o[i]]++;
    for (int i = 0; i < n; i++) { /* with replacement only for identities below 4 samples */
        int id = (pids[i] - 1000) / 7;
        bad += cnt[id] >= 4 && uses[i] > 1;
    }
    EXPECTF(bad == 0, "%d violations", bad);
    free(uses), free(o);
}

static void identity_sampler_refuses_what_cannot_fill_a_batch(void)
{
    int pids[8] = {0, 0, 1, 1, 2, 2, 3, 3}, *o, len;
    irra_err e;
    irra_sampler_cfg c = {IRRA_SAMPLER_IDENTITY, 64, 4, 1, NULL, 0}; /* 16 ids a batch, 4 in the data */
    EXPECT(irra_sampler_order(&c, pids, 8, 0, &o, &len, &e) < 0 && strstr(e.msg, "16 identities"));
    c.batch_size = 4, c.num_instance = 5;
    EXPECT(irra_sampler_check(&c, pids, 8, &e) < 0 && strstr(e.msg, "num-instance"));
    irra_sampler_kind k;
    EXPECT(irra_sampler_parse("identity", &k) == 0 && k == IRRA_SAMPLER_IDENTITY);
    EXPECT(irra_sampler_parse("softmax", &k) < 0);
}

/* Captions as the loader holds them: SOT, the words, EOT, zeros. */
static void put_caption(int32_t *ids, const int *words, int n)
{
    memset(ids, 0, CTX * sizeof *ids);
    ids[0] = V - 2;
    for (int t = 0; t < n; t++) ids[1 + t] = words[t];
    ids[n + 1] = V - 1;
}

/* Six identities, two captions each. Word 100 is in every caption (more than half the
 * identities: left out), MASK is special, and identity 3's word 12 after its EOT is not read.
 * 0 shares words 10 and 11 with 1 and word 10 with 2; 3 and 4 share 20; 5 shares nothing. */
static void caption_neighbours_rank_by_shared_rare_words(void)
{
    static const int w[6][4] = {{10, 11, 12, 100}, {10, 11, 13, 100}, {10, 14, 15, 100},
                                {20, 21, MASK, 100}, {20, 22, 100, 100}, {30, 100, 100, 100}};
    int32_t tok[12 * CTX];
    int group[12];
    for (int c = 0; c < 12; c++) {
        group[c] = c % 6;
        put_caption(tok + c * CTX, w[c % 6], 4);
    }
    tok[(3 * CTX) + 6] = 12; /* after identity 3's EOT (position 5) */
    int *near, *near1;
    irra_err e;
    EXPECT(irra_caption_neighbours(tok, group, 12, CTX, V, 6, 3, &near, &e) == 0);
    static const int want[6][3] = {{1, 2, -1}, {0, 2, -1}, {0, 1, -1}, {4, -1, -1}, {3, -1, -1},
                                   {-1, -1, -1}};
    int bad = 0;
    for (int g = 0; g < 6; g++)
        for (int q = 0; q < 3; q++) bad += near[g * 3 + q] != want[g][q];
    EXPECTF(bad == 0, "%d rows differ (row 0: %d %d %d)", bad, near[0], near[1], near[2]);
    omp_set_num_threads(1);
    EXPECT(irra_caption_neighbours(tok, group, 12, CTX, V, 6, 3, &near1, &e) == 0);
    omp_set_num_threads(2);
    EXPECT(!memcmp(near, near1, 18 * sizeof *near));
    free(near), free(near1);
    group[0] = 6;
    EXPECT(irra_caption_neighbours(tok, group, 12, CTX, V, 6, 3, &near, &e) < 0 && strstr(e.msg, "identity 6"));
}

/* 32 identities in 8 clusters of 4, 8 samples each, interleaved; each one's neighbours are its
 * cluster: batches of 16 = 4 identities x 4 must then each be one whole cluster. */
static void similar_sampler_batches_identities_with_their_neighbours(void)
{
    int n = 0, pids[256], near[32 * 3];
    for (int rep = 0; rep < 8; rep++)
        for (int id = 0; id < 32; id++) pids[n++] = 500 + id;
    for (int id = 0; id < 32; id++)
        for (int q = 0, m = 0; q < 4; q++)
            if (id / 4 * 4 + q != id) near[id * 3 + m++] = id / 4 * 4 + q;
    irra_sampler_cfg c = {IRRA_SAMPLER_SIMILAR, 16, 4, 5, near, 3};
    irra_err e;
    int *o, len;
    EXPECT(irra_sampler_order(&c, pids, n, 0, &o, &len, &e) == 0);
    EXPECTF(len == 256, "len %d", len);
    int bad = 0, *uses = calloc(256, sizeof *uses);
    for (int b = 0; b + 16 <= len; b += 16) {
        int ids[4];
        for (int q = 0; q < 4; q++) {
            ids[q] = pids[o[b + 4 * q]] - 500;
            for (int t = 1; t < 4; t++) bad += pids[o[b + 4 * q + t]] - 500 != ids[q];
            for (int p = 0; p < q; p++) bad += ids[p] == ids[q] || ids[p] / 4 != ids[q] / 4;
        }
    }
    for (int i = 0; i < len; i++) bad += uses[o[i]]++ > 0;
    EXPECTF(bad == 0, "%d violations", bad);
    int *o2, len2;
    EXPECT(irra_sampler_order(&c, pids, n, 1, &o2, &len2, &e) == 0 && len2 == len &&
           memcmp(o, o2, (size_t)len * sizeof *o)); /* another epoch, another order */
    free(uses), free(o), free(o2);
}

/* With no neighbours at all (rows of -1) batches are topped up at random and stay valid; the
 * sampler refuses to run without a table. */
static void similar_sampler_tops_up_at_random(void)
{
    int n = 0, pids[120], near[30 * 2], *o, len;
    for (int rep = 0; rep < 4; rep++)
        for (int id = 0; id < 30; id++) pids[n++] = id;
    for (int i = 0; i < 60; i++) near[i] = -1;
    irra_sampler_cfg c = {IRRA_SAMPLER_SIMILAR, 8, 2, 7, near, 2};
    irra_err e;
    EXPECT(irra_sampler_order(&c, pids, n, 0, &o, &len, &e) == 0 && len == 120);
    int bad = 0, uses[120] = {0};
    for (int b = 0; b < len; b += 8)
        for (int q = 0; q < 4; q++) {
            bad += pids[o[b + 2 * q]] != pids[o[b + 2 * q + 1]];
            for (int p = 0; p < q; p++) bad += pids[o[b + 2 * p]] == pids[o[b + 2 * q]];
        }
    for (int i = 0; i < len; i++) bad += uses[o[i]]++ > 0;
    EXPECTF(bad == 0, "%d violations", bad);
    free(o);
    c.near = NULL;
    EXPECT(irra_sampler_check(&c, pids, n, &e) < 0 && strstr(e.msg, "neighbours"));
    irra_sampler_kind k;
    EXPECT(irra_sampler_parse("similar", &k) == 0 && k == IRRA_SAMPLER_SIMILAR);
    int group[120];
    EXPECT(irra_sampler_identities(pids, n, group) == 30 && group[0] == 0 && group[29] == 29 &&
           group[30] == 0 && group[119] == 29);
}

int main(void)
{
    RUN(masking_labels_15_percent_split_80_10_10);
    RUN(masking_falls_back_to_position_1);
    RUN(masking_follows_a_small_vocabulary);
    RUN(masking_in_place_equals_out_of_place);
    RUN(streams_differ_by_purpose_epoch_and_sample);
    RUN(augment_draws_follow_torchvision_ranges);
    RUN(augment_off_draws_only_the_flip);
    RUN(augment_identity_is_the_eval_transform);
    RUN(augment_flips_shifts_and_erases);
    RUN(augment_refuses_parameters_outside_the_image);
    RUN(random_sampler_visits_every_sample_once);
    RUN(identity_sampler_gives_num_instance_per_identity);
    RUN(identity_sampler_refuses_what_cannot_fill_a_batch);
    RUN(caption_neighbours_rank_by_shared_rare_words);
    RUN(similar_sampler_batches_identities_with_their_neighbours);
    RUN(similar_sampler_tops_up_at_random);
    return DONE();
}
