/* The synthetic dataset: Fashion-MNIST reading, identities with hard negatives, rendering,
 * and captions that say exactly what is there (checked by reading them back). */
#include "cmd/progress.h"
#include "model/image.h"
#include "tests/check.h"
#include "train/fmnist.h"
#include "train/synth_attrs.h"
#include "train/synth_caption.h"
#include "train/synth_dataset.h"
#include "train/synth_parse.h"
#include "train/synth_png.h"
#include "train/synth_render.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

static syn_fmnist pool; /* the Fashion-MNIST test set, loaded once */

static void fmnist_test_set_has_1000_items_per_class(void)
{
    EXPECT(pool.n == 10000);
    for (int c = 0; c < SYN_FMNIST_CLASSES; c++) EXPECTF(pool.count[c] == 1000, "class %d", c);
    /* Item 0 of t10k is an ankle boot (label 9) in the Fashion-MNIST release. */
    EXPECT(pool.labels[0] == SYN_BOOT);
}

/* Writes a gzipped file of the given bytes into dir/name. */
static void write_gz(const char *dir, const char *name, const void *bytes, size_t n)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    gzFile f = gzopen(path, "wb");
    gzwrite(f, bytes, (unsigned)n);
    gzclose(f);
}

static void put32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24), p[1] = (uint8_t)(v >> 16), p[2] = (uint8_t)(v >> 8), p[3] = (uint8_t)v;
}

/* Writes a 10-image set (one of each class) whose header fields can be spoiled. */
static void write_idx(const char *dir, uint32_t magic, uint32_t rows, uint32_t count, int cut)
{
    enum { N = 10, PX = 28 * 28 };
    static uint8_t img[16 + N * PX], lab[8 + N];
    memset(img, 0, sizeof img);
    put32(img, magic), put32(img + 4, count), put32(img + 8, rows), put32(img + 12, 28);
    put32(lab, 0x801), put32(lab + 4, N);
    for (int i = 0; i < N; i++) lab[8 + i] = (uint8_t)i;
    write_gz(dir, "x-images-idx3-ubyte.gz", img, sizeof img - (size_t)cut);
    write_gz(dir, "x-labels-idx1-ubyte.gz", lab, sizeof lab);
}

static void fmnist_rejects_bad_idx_files(void)
{
    char dir[] = "/tmp/irra-synth-XXXXXX";
    if (!mkdtemp(dir)) return;
    syn_fmnist fm;
    irra_err e;
    write_idx(dir, 0x803, 28, 10, 0);
    EXPECTF(syn_fmnist_load(&fm, dir, "x", &e) == 0, "%s", e.msg);
    EXPECT(fm.n == 10 && fm.count[SYN_BAG] == 1);
    syn_fmnist_free(&fm);
    write_idx(dir, 0x801, 28, 10, 0); /* a labels magic on an images file */
    EXPECT(syn_fmnist_load(&fm, dir, "x", &e) < 0 && strstr(e.msg, "not an IDX file"));
    write_idx(dir, 0x803, 32, 10, 0);
    EXPECT(syn_fmnist_load(&fm, dir, "x", &e) < 0 && strstr(e.msg, "not 28x28"));
    write_idx(dir, 0x803, 28, 11, 0); /* more images claimed than labels */
    EXPECT(syn_fmnist_load(&fm, dir, "x", &e) < 0);
    write_idx(dir, 0x803, 28, 0xffffffffu, 0); /* a count that must not reach malloc */
    EXPECT(syn_fmnist_load(&fm, dir, "x", &e) < 0 && strstr(e.msg, "images (expected"));
    write_idx(dir, 0x803, 28, 10, 100);
    EXPECT(syn_fmnist_load(&fm, dir, "x", &e) < 0 && strstr(e.msg, "truncated"));
    EXPECT(strstr(e.msg, dir) != NULL); /* the message names the file */
    EXPECT(syn_fmnist_load(&fm, "/nonexistent", "x", &e) < 0 && strstr(e.msg, "cannot open"));
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    EXPECT(system(cmd) == 0);
}

/* Caption-visible differences between two people (a colour swap counts as two). */
static int differences(const syn_person *a, const syn_person *b)
{
    int n = (a->gender != b->gender) + (a->build != b->build) + (a->skin != b->skin) +
            (a->hair_style != b->hair_style) +
            (a->hair_style != SYN_HAIR_BALD && b->hair_style != SYN_HAIR_BALD &&
             a->hair_colour != b->hair_colour);
    const syn_piece *pa[4] = {&a->upper, &a->lower, &a->shoes, &a->bag};
    const syn_piece *pb[4] = {&b->upper, &b->lower, &b->shoes, &b->bag};
    for (int i = 0; i < 4; i++)
        n += pa[i]->cls != pb[i]->cls || (pa[i]->cls >= 0 && pa[i]->colour != pb[i]->colour);
    return n;
}

static void hard_negatives_differ_in_exactly_one_attribute(void)
{
    enum { N = 2000 };
    static syn_person p[N];
    syn_sample_identities(p, N, 0, 42, &pool);
    int derived = 0, swaps = 0;
    for (int i = 0; i < N; i++) {
        if (p[i].parent < 0) continue;
        derived++;
        const syn_person *q = &p[p[i].parent];
        EXPECT(p[i].parent < i);
        if (!strcmp(p[i].differs, "colour swap")) {
            swaps++;
            EXPECT(p[i].upper.colour == q->lower.colour && p[i].lower.colour == q->upper.colour);
            EXPECT(p[i].upper.colour != p[i].lower.colour);
            EXPECTF(differences(&p[i], q) == 2, "swap %d", i);
        } else {
            EXPECTF(differences(&p[i], q) == 1, "identity %d (%s) differs in %d", i, p[i].differs,
                    differences(&p[i], q));
        }
        EXPECT(!syn_same_attributes(&p[i], q));
    }
    /* A third are derived (0.36 by design), of them about a quarter are swaps. */
    EXPECTF(derived > N / 4 && derived < N / 2, "derived %d", derived);
    EXPECTF(swaps > N / 40, "swaps %d", swaps);
}

/* An item twin is a training identity with exactly one of the things the two main colours do
 * not tell apart changed, each kind drawn often, and always a different person. */
static void item_twins_differ_from_their_parent_in_one_small_item(void)
{
    enum { N = 500, T = 2000 };
    static syn_person p[N], t[T], again[T];
    syn_sample_identities(p, N, 0, 42, &pool);
    syn_sample_item_twins(t, T, 0, p, N, 42, &pool);
    syn_sample_item_twins(again, T, 0, p, N, 42, &pool);
    EXPECT(!memcmp(t, again, sizeof t));
    const char *names[5] = {"upper garment", "footwear", "footwear colour", "bag colour", "bag added"};
    int kinds[5] = {0}, other = 0;
    for (int i = 0; i < T; i++) {
        EXPECT(t[i].parent >= 0 && t[i].parent < N);
        if (t[i].parent < 0 || t[i].parent >= N) continue;
        const syn_person *q = &p[t[i].parent];
        EXPECTF(differences(&t[i], q) == 1, "twin %d (%s) differs in %d", i, t[i].differs,
                differences(&t[i], q));
        EXPECT(!syn_same_attributes(&t[i], q));
        EXPECT(t[i].lower.cls == q->lower.cls && t[i].lower.colour == q->lower.colour &&
               t[i].upper.colour == q->upper.colour && t[i].gender == q->gender);
        int k = 0;
        while (k < 5 && strcmp(t[i].differs, names[k])) k++;
        if (k < 5) kinds[k]++;
        else other++;
    }
    EXPECTF(other == 0, "%d twins of another kind", other);
    EXPECTF(kinds[0] > T / 8 && kinds[1] > T / 6 && kinds[2] > T / 6 && kinds[3] > T / 40 &&
            kinds[4] > T / 40, "upper %d, footwear %d and its colour %d, bag colour %d, added %d",
            kinds[0], kinds[1], kinds[2], kinds[3], kinds[4]);
}

/* The files number train (the twins last of it), val, test; syn_id_at undoes syn_file_id. */
static void item_twins_are_numbered_with_the_training_split(void)
{
    syn_dataset d = {.n_ids = 60, .n_train = 48, .n_val = 5, .n_test = 7, .n_twins = 20};
    int seen[60] = {0}, last_split = SYN_TRAIN, ordered = 1;
    for (int i = 0; i < 60; i++) {
        int f = syn_file_id(&d, i);
        EXPECT(f >= 0 && f < 60 && syn_id_at(&d, f) == i);
        if (f >= 0 && f < 60) seen[f]++;
        int s = syn_split_of(&d, syn_id_at(&d, i));
        ordered &= s >= last_split && (s == SYN_TRAIN) == (i < 48);
        last_split = s;
    }
    for (int f = 0; f < 60; f++) EXPECTF(seen[f] == 1, "file id %d numbered %d times", f, seen[f]);
    EXPECT(ordered);
    EXPECT(syn_file_id(&d, 27) == 27 && syn_file_id(&d, 40) == 28 && syn_file_id(&d, 28) == 48);
    EXPECT(syn_split_of(&d, 40) == SYN_TRAIN && syn_split_of(&d, 28) == SYN_VAL &&
           syn_split_of(&d, 33) == SYN_TEST);
}

static void identities_are_a_function_of_the_seed(void)
{
    syn_person a[50], b[50], c[50];
    syn_sample_identities(a, 50, 0, 7, &pool);
    syn_sample_identities(b, 50, 0, 7, &pool);
    syn_sample_identities(c, 50, 0, 8, &pool);
    EXPECT(!memcmp(a, b, sizeof a));
    EXPECT(memcmp(a, c, sizeof a) != 0);
}

static void captions_say_exactly_what_the_writer_meant(void)
{
    enum { N = 3000 };
    static syn_person p[N];
    syn_sample_identities(p, N, 0, 3, &pool);
    int wrong = 0, short_or_long = 0;
    for (int i = 0; i < N * 2; i++) {
        syn_rng r = syn_rng_key(3, SYN_STREAM_CAPTION, (uint64_t)i);
        char cap[SYN_CAPTION_MAX], why[128];
        syn_claims said, read;
        syn_caption(&p[i / 2], &r, cap, &said);
        syn_parse_caption(cap, &read);
        int words = syn_count_words(cap);
        short_or_long += words < SYN_CAPTION_MIN_WORDS || words > SYN_CAPTION_MAX_WORDS;
        if (memcmp(&said, &read, sizeof said) || syn_check_claims(&read, &p[i / 2], why, sizeof why)) {
            if (wrong++ < 5) printf("  misread: %s\n", cap);
        }
    }
    EXPECTF(wrong == 0, "%d captions misread", wrong);
    EXPECTF(short_or_long == 0, "%d captions outside 15..40 words", short_or_long);
}

/* What a caption names of each worn slot (upper, lower, shoes, bag) and the colours it gives it. */
static void item_slots(const syn_claims *c, unsigned named[4], unsigned colour[4])
{
    unsigned n[4] = {c->upper_cls, c->lower_cls, c->shoes, c->bag & 2};
    unsigned k[4] = {c->upper_colour, c->lower_colour, c->shoes_colour, c->bag_colour};
    memcpy(named, n, sizeof n);
    memcpy(colour, k, sizeof k);
}

/* Short captions are as truthful as long ones, name a colour for every item they name, and
 * cover every item kind (upper, lower, shoes, bag) and one to three items. */
static void short_captions_are_true_and_name_colours(void)
{
    enum { N = 3000 };
    static syn_person p[N];
    syn_sample_identities(p, N, 0, 4, &pool);
    int wrong = 0, uncoloured = 0, seen[4] = {0}, items[4] = {0};
    for (int i = 0; i < N; i++) {
        syn_rng r = syn_rng_key(4, SYN_STREAM_SHORT_CAPTION, (uint64_t)i);
        char cap[SYN_CAPTION_MAX], why[128];
        syn_claims said, read;
        syn_short_caption(&p[i], &r, cap, &said);
        syn_parse_caption(cap, &read);
        int words = syn_count_words(cap);
        if (memcmp(&said, &read, sizeof said) || syn_check_claims(&read, &p[i], why, sizeof why) ||
            words < SYN_SHORT_MIN_WORDS || words > SYN_SHORT_MAX_WORDS) {
            if (wrong++ < 5) printf("  misread: %s\n", cap);
        }
        unsigned named[4], colour[4];
        item_slots(&read, named, colour);
        int k = 0;
        for (int j = 0; j < 4; j++) {
            if (!named[j]) continue;
            k++;
            seen[j]++;
            if (!colour[j]) uncoloured++;
        }
        if (k >= 1 && k <= 3) items[k]++;
        else wrong++;
    }
    EXPECTF(wrong == 0, "%d short captions misread or out of shape", wrong);
    EXPECTF(uncoloured == 0, "%d items named without a colour", uncoloured);
    EXPECTF(seen[0] && seen[1] && seen[2] && seen[3], "kinds %d %d %d %d", seen[0], seen[1],
            seen[2], seen[3]);
    EXPECTF(items[1] > N / 3 && items[2] > N / 5 && items[3] > N / 20, "1/2/3 items: %d %d %d",
            items[1], items[2], items[3]);
}

/* An item caption names its one item, with its colour, and nothing else that is worn; every
 * worn item of a person gets one, in syn_worn_items order, and they read back true. */
static void item_captions_name_one_item_each(void)
{
    enum { N = 2000 };
    static syn_person p[N];
    syn_sample_identities(p, N, 0, 5, &pool);
    int wrong = 0, bags = 0, dresses = 0, gendered = 0, total = 0;
    for (int i = 0; i < N; i++) {
        const syn_piece *items[SYN_MAX_ITEMS];
        int n = syn_worn_items(&p[i], items);
        int want = 2 + (p[i].upper.cls >= 0) + (p[i].bag.cls >= 0);
        if (n != want) wrong++;
        for (int j = 0; j < n; j++) {
            syn_rng r = syn_rng_key(5, SYN_STREAM_ITEM_CAPTION, (uint64_t)i * SYN_MAX_ITEMS + j);
            char cap[SYN_CAPTION_MAX], why[128];
            syn_claims said, read;
            syn_item_caption(&p[i], items[j], &r, cap, &said);
            syn_parse_caption(cap, &read);
            int words = syn_count_words(cap), cls = items[j]->cls;
            unsigned named[4], colour[4];
            item_slots(&read, named, colour);
            int slot = items[j] == &p[i].upper ? 0 : items[j] == &p[i].lower ? 1
                       : items[j] == &p[i].shoes ? 2 : 3, others = 0;
            for (int k = 0; k < 4; k++) others += k != slot && named[k];
            int bad = memcmp(&said, &read, sizeof said) ||
                      syn_check_claims(&read, &p[i], why, sizeof why) || others ||
                      !named[slot] || colour[slot] != 1u << items[j]->colour ||
                      words < SYN_SHORT_MIN_WORDS || words > SYN_SHORT_MAX_WORDS;
            if (bad && wrong++ < 5) printf("  misread: %s\n", cap);
            bags += cls == SYN_BAG;
            dresses += cls == SYN_DRESS;
            gendered += read.gender != 0;
            total++;
        }
    }
    EXPECTF(wrong == 0, "%d item captions misread or out of shape", wrong);
    EXPECTF(bags > N / 5 && dresses > N / 10, "%d bags, %d dresses", bags, dresses);
    EXPECTF(gendered > total / 2 && gendered < total * 3 / 4, "%d of %d name the gender",
            gendered, total);
}

static void captions_vary(void)
{
    syn_person p[1];
    syn_sample_identities(p, 1, 0, 5, &pool);
    char a[SYN_CAPTION_MAX], b[SYN_CAPTION_MAX];
    syn_rng r1 = syn_rng_key(5, SYN_STREAM_CAPTION, 0), r2 = syn_rng_key(5, SYN_STREAM_CAPTION, 1);
    syn_caption(p, &r1, a, NULL);
    syn_caption(p, &r2, b, NULL);
    EXPECT(strcmp(a, b) != 0);
}

/* A caption that names both garment colours must be caught when the colours are swapped. */
static void reader_catches_swapped_colours(void)
{
    enum { N = 1000 };
    static syn_person p[N];
    syn_sample_identities(p, N, 0, 9, &pool);
    int tried = 0, caught = 0;
    for (int i = 0; i < N; i++) {
        if (p[i].upper.cls < 0 || p[i].upper.colour == p[i].lower.colour) continue;
        syn_rng r = syn_rng_key(9, SYN_STREAM_CAPTION, (uint64_t)i);
        char cap[SYN_CAPTION_MAX], why[128];
        syn_claims c;
        syn_caption(&p[i], &r, cap, NULL);
        syn_parse_caption(cap, &c);
        if (!c.upper_colour || !c.lower_colour) continue;
        syn_person swapped = p[i];
        swapped.upper.colour = p[i].lower.colour;
        swapped.lower.colour = p[i].upper.colour;
        tried++;
        caught += syn_check_claims(&c, &swapped, why, sizeof why) < 0;
    }
    EXPECTF(tried > 200 && caught == tried, "caught %d of %d", caught, tried);
}

static void person(syn_person *p, int gender, int upper, int upper_col, int lower, int lower_col)
{
    memset(p, 0, sizeof *p);
    p->gender = gender, p->build = SYN_AVERAGE, p->hair_style = SYN_HAIR_SHORT;
    p->hair_colour = SYN_HC_BLACK;
    p->upper = (syn_piece){upper, 0, upper_col};
    p->lower = (syn_piece){lower, 0, lower_col};
    p->shoes = (syn_piece){SYN_SNEAKER, 0, SYN_WHITE};
    p->bag = (syn_piece){-1, 0, 0};
}

static int holds(const char *caption, const syn_person *p)
{
    syn_claims c;
    char why[128];
    syn_parse_caption(caption, &c);
    return syn_check_claims(&c, p, why, sizeof why) == 0;
}

/* Hand-written captions, as an annotator might phrase them, against a known person. */
static void reader_binds_words_to_the_right_part(void)
{
    syn_person red_coat, black_coat, dress;
    person(&red_coat, SYN_MAN, SYN_COAT, SYN_RED, SYN_TROUSERS, SYN_BLACK);
    person(&black_coat, SYN_MAN, SYN_COAT, SYN_BLACK, SYN_TROUSERS, SYN_RED);
    person(&dress, SYN_WOMAN, -1, 0, SYN_DRESS, SYN_BLUE);
    const char *a = "A man in a red coat and black trousers.";
    const char *b = "His coat is red and his trousers are black.";
    const char *c = "The man wears a jacket in red with pants in black; he has short black hair.";
    EXPECT(holds(a, &red_coat) && !holds(a, &black_coat));
    EXPECT(holds(b, &red_coat) && !holds(b, &black_coat));
    EXPECT(holds(c, &red_coat) && !holds(c, &black_coat));
    EXPECT(!holds("A woman in a red coat.", &red_coat));            /* gender */
    EXPECT(!holds("He carries a black bag.", &red_coat));           /* no bag */
    EXPECT(holds("He is empty-handed.", &red_coat));
    EXPECT(holds("She is empty-handed.", &dress));
    EXPECT(!holds("She wears a blue dress and a white top.", &dress)); /* nothing under a dress */
    EXPECT(holds("She wears a blue dress and white running shoes.", &dress));
    EXPECT(!holds("She wears a blue dress and white sandals.", &dress));
    EXPECT(!holds("She has long black hair.", &dress));             /* hair is short */
    EXPECT(!holds("A man with blonde trousers.", &red_coat));       /* hair colour on cloth */
    EXPECT(!holds("A red man.", &red_coat));                        /* attached to nothing */
}

static void render_is_deterministic_and_size_checked(void)
{
    syn_person p[1];
    syn_sample_identities(p, 1, 0, 11, &pool);
    syn_nuisance nu1, nu2;
    syn_rng r = syn_rng_key(11, SYN_STREAM_IMAGE, 0);
    syn_sample_nuisance(&nu1, &r);
    r = syn_rng_key(11, SYN_STREAM_IMAGE, 1);
    syn_sample_nuisance(&nu2, &r);
    enum { H = 384, W = 128 };
    static uint8_t a[H * W * 3], b[H * W * 3], c[H * W * 3];
    EXPECT(syn_render(&pool, p, &nu1, 0, a, H, W) == 0);
    EXPECT(syn_render(&pool, p, &nu1, 0, b, H, W) == 0);
    EXPECT(syn_render(&pool, p, &nu2, 0, c, H, W) == 0);
    EXPECT(!memcmp(a, b, sizeof a));
    EXPECT(memcmp(a, c, sizeof a) != 0); /* another shot of the same person */
    EXPECT(syn_render(&pool, p, &nu1, 0, a, 96, 32) == 0);
    EXPECT(syn_render(&pool, p, &nu1, 0, a, 100, 32) < 0);
    EXPECT(syn_render(&pool, p, &nu1, 0, a, 390, 130) < 0);
}

/* The upper garment's colour shows where the torso is: a red coat makes the chest red. */
static void garment_colour_lands_on_its_body_part(void)
{
    syn_person p;
    person(&p, SYN_MAN, SYN_COAT, SYN_RED, SYN_TROUSERS, SYN_BLUE);
    p.upper.item = pool.by_class[SYN_COAT][0];
    p.lower.item = pool.by_class[SYN_TROUSERS][0];
    p.shoes.item = pool.by_class[SYN_SNEAKER][0];
    syn_nuisance nu = {.height = 0.9f, .cx = 0.5f, .top = 0.05f, .light = 1, .tint = {1, 1, 1},
                       .wall = {{128, 128, 128}, {128, 128, 128}}, .floor = {128, 128, 128},
                       .horizon = 0.9f};
    enum { H = 384, W = 128 };
    static uint8_t img[H * W * 3];
    EXPECT(syn_render(&pool, &p, &nu, 0, img, H, W) == 0);
    const uint8_t *chest = img + ((size_t)(H * (0.05 + 0.9 * 0.33)) * W + W / 2) * 3;
    const uint8_t *knee = img + ((size_t)(H * (0.05 + 0.9 * 0.7)) * W + W / 2 - 15) * 3; /* the left leg */
    EXPECTF(chest[0] > chest[1] + 40 && chest[0] > chest[2] + 40, "chest %d %d %d", chest[0], chest[1], chest[2]);
    EXPECTF(knee[2] > knee[0] + 40, "knee %d %d %d", knee[0], knee[1], knee[2]);
}

/* A photo on a cyan wall, a colour no garment has, lit evenly, the person upright and centred. */
static const syn_nuisance cyan_wall = {
    .height = 0.9f, .cx = 0.5f, .top = 0.05f, .light = 1, .tint = {1, 1, 1},
    .wall = {{0, 255, 255}, {0, 255, 255}}, .floor = {0, 255, 255}, .horizon = 1};

/* The widest row of the torso (body y 0.16 to 0.5) in pixels, on the cyan wall. */
static int torso_width(const syn_person *p, int cues)
{
    enum { H = 384, W = 128 };
    static uint8_t img[H * W * 3];
    syn_person q = *p;
    q.bag.cls = -1; /* its strap would widen the figure */
    if (syn_render(&pool, &q, &cyan_wall, cues, img, H, W) < 0) return -1;
    int widest = 0;
    for (int y = (int)(H * (0.05 + 0.9 * 0.16)); y < (int)(H * (0.05 + 0.9 * 0.5)); y++) {
        int lo = W, hi = -1;
        for (int x = 0; x < W; x++) {
            const uint8_t *px = img + ((size_t)y * W + x) * 3;
            if (px[0] > 60 || px[1] < 195 || px[2] < 195) {
                if (x < lo) lo = x;
                hi = x;
            }
        }
        if (hi - lo > widest) widest = hi - lo;
    }
    return widest;
}

/* With cues the torso's width tells the gender whatever the build: the narrowest man is wider
 * than the widest woman, by more with bold cues. Without them, the builds overlap (what the
 * shipped stage 8 model was trained on, and why it told genders apart no better than chance). */
static void cues_make_the_genders_tell_apart_by_width(void)
{
    enum { N = 160 };
    static syn_person p[N];
    syn_sample_identities(p, N, 0, 21, &pool);
    int lo[3][2] = {{999, 999}, {999, 999}, {999, 999}}, hi[3][2] = {{0, 0}, {0, 0}, {0, 0}};
    for (int i = 0; i < N; i++)
        for (int cues = 0; cues <= 2; cues++) {
            int w = torso_width(&p[i], cues), g = p[i].gender;
            EXPECT(w > 0);
            if (w < lo[cues][g]) lo[cues][g] = w;
            if (w > hi[cues][g]) hi[cues][g] = w;
        }
    EXPECTF(lo[1][SYN_MAN] > hi[1][SYN_WOMAN], "with cues: men %d..%d px, women %d..%d px",
            lo[1][SYN_MAN], hi[1][SYN_MAN], lo[1][SYN_WOMAN], hi[1][SYN_WOMAN]);
    EXPECTF(lo[2][SYN_MAN] - hi[2][SYN_WOMAN] > lo[1][SYN_MAN] - hi[1][SYN_WOMAN],
            "bold cues: men %d..%d px, women %d..%d px", lo[2][SYN_MAN], hi[2][SYN_MAN],
            lo[2][SYN_WOMAN], hi[2][SYN_WOMAN]);
    EXPECTF(lo[0][SYN_MAN] <= hi[0][SYN_WOMAN], "without: men %d..%d px, women %d..%d px",
            lo[0][SYN_MAN], hi[0][SYN_MAN], lo[0][SYN_WOMAN], hi[0][SYN_WOMAN]);
}

/* The pixels a bag changes at 192x64, and how many of them lie in the last three columns of
 * the frame on the bag's side (a bag cut off by the frame's edge). */
static int bag_pixels(const syn_person *p, int cues, int *outer)
{
    enum { H = 192, W = 64 };
    static uint8_t with[H * W * 3], without[H * W * 3];
    syn_person q = *p;
    q.bag.cls = -1;
    if (syn_render(&pool, p, &cyan_wall, cues, with, H, W) < 0 ||
        syn_render(&pool, &q, &cyan_wall, cues, without, H, W) < 0)
        return -1;
    int n = 0;
    *outer = 0;
    for (int y = 0; y < H; y++)
        for (int x = 0; x < W; x++) {
            size_t i = ((size_t)y * W + x) * 3;
            if (!memcmp(with + i, without + i, 3)) continue;
            n++;
            *outer += x >= W - 3;
        }
    return n;
}

/* Bold cues hang the bag over the hip, twice as much of it in sight and clear of the frame's
 * edge; plain cues hang it beside the body, cut off by the edge. */
static void bold_cues_keep_the_bag_in_the_frame(void)
{
    syn_person p;
    person(&p, SYN_MAN, SYN_TSHIRT, SYN_RED, SYN_TROUSERS, SYN_BLACK);
    p.upper.item = pool.by_class[SYN_TSHIRT][0];
    p.lower.item = pool.by_class[SYN_TROUSERS][0];
    p.bag = (syn_piece){SYN_BAG, pool.by_class[SYN_BAG][0], SYN_BLUE};
    int outer1, outer2, plain = bag_pixels(&p, 1, &outer1), bold = bag_pixels(&p, 2, &outer2);
    EXPECTF(plain > 0 && bold > 2 * plain, "bag pixels: %d with cues, %d with bold cues", plain, bold);
    EXPECTF(outer1 > 20 && outer2 == 0, "at the frame's edge: %d of %d with cues, "
            "%d of %d with bold cues", outer1, plain, outer2, bold);
}

/* The marks of each kind of top and footwear show where they belong: a shirt's white buttons
 * down the centre of the chest, a sneaker's white sole under each foot, skin between a
 * sandal's straps, an ankle boot up the shin; none of them without cues. */
static int count_near(const uint8_t *img, int W, int y0, int y1, int x0, int x1,
                      const uint8_t rgb[3], int tol)
{
    int n = 0;
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            const uint8_t *px = img + ((size_t)y * W + x) * 3;
            n += abs(px[0] - rgb[0]) < tol && abs(px[1] - rgb[1]) < tol && abs(px[2] - rgb[2]) < tol;
        }
    return n;
}

static void cues_mark_the_types_of_top_and_footwear(void)
{
    enum { H = 384, W = 128 };
    static uint8_t img[H * W * 3];
    static const uint8_t white[3] = {238, 238, 234}, blue[3] = {0, 0, 200};
    int row = (int)(H * (0.05 + 0.9 * 0.3)), sole = (int)(H * (0.05 + 0.9 * 0.99));
    int shin = (int)(H * (0.05 + 0.9 * 0.9));
    for (int cues = 0; cues <= 1; cues++) {
        syn_person p;
        person(&p, SYN_MAN, SYN_SHIRT, SYN_RED, SYN_TROUSERS, SYN_BLACK);
        p.upper.item = pool.by_class[SYN_SHIRT][0];
        p.lower.item = pool.by_class[SYN_TROUSERS][0];
        p.shoes = (syn_piece){SYN_SNEAKER, pool.by_class[SYN_SNEAKER][0], SYN_RED};
        EXPECT(syn_render(&pool, &p, &cyan_wall, cues, img, H, W) == 0);
        int buttons = count_near(img, W, row - 40, row + 40, W / 2 - 3, W / 2 + 3, white, 30);
        int soles = count_near(img, W, sole - 3, sole + 3, 0, W, white, 30);
        EXPECTF(cues ? buttons > 0 && soles > 20 : buttons == 0 && soles == 0,
                "cues %d: %d button pixels, %d sole pixels", cues, buttons, soles);
        p.shoes = (syn_piece){SYN_SANDAL, pool.by_class[SYN_SANDAL][0], SYN_BLUE};
        EXPECT(syn_render(&pool, &p, &cyan_wall, cues, img, H, W) == 0);
        int bare = count_near(img, W, sole - 12, sole, 0, W, syn_skin_rgb[p.skin], 40);
        p.shoes = (syn_piece){SYN_BOOT, pool.by_class[SYN_BOOT][0], SYN_BLUE};
        EXPECT(syn_render(&pool, &p, &cyan_wall, cues, img, H, W) == 0);
        int boot = count_near(img, W, shin - 3, shin + 3, 0, W, blue, 90);
        EXPECTF(cues ? bare > 10 && boot > 10 : boot == 0, "cues %d: %d skin pixels in sandals, "
                "%d boot pixels at the shin", cues, bare, boot);
    }
}

/* PNG colour type 2 (RGB, no alpha), from the IHDR chunk that opens every PNG. */
static int png_is_rgb(const char *path)
{
    unsigned char hdr[26];
    FILE *f = fopen(path, "rb");
    int ok = f && fread(hdr, 1, sizeof hdr, f) == sizeof hdr && !memcmp(hdr + 12, "IHDR", 4) &&
             hdr[25] == 2;
    if (f) fclose(f);
    return ok;
}

/* Writes rgb with enc, decodes the file with irra's stb_image and compares every byte. */
static int png_round_trips(syn_png *enc, const char *path, const uint8_t *rgb, int w, int h)
{
    if (syn_png_write(enc, path, rgb) < 0) return 0;
    irra_image got;
    irra_err e;
    if (irra_image_load(path, &got, &e)) return 0;
    int same = got.w == w && got.h == h && png_is_rgb(path) && !memcmp(got.rgb, rgb, (size_t)w * h * 3);
    irra_image_free(&got);
    return same;
}

static void png_files_decode_to_the_same_pixels(void)
{
    enum { H = 384, W = 128 };
    static uint8_t a[H * W * 3], b[H * W * 3];
    syn_person p;
    person(&p, SYN_WOMAN, SYN_PULLOVER, SYN_GREEN, SYN_TROUSERS, SYN_GREY);
    syn_nuisance nu = {.height = 0.9f, .cx = 0.5f, .top = 0.05f, .light = 1, .tint = {1, 1, 1},
                       .wall = {{90, 100, 110}, {150, 140, 130}}, .floor = {100, 90, 80},
                       .horizon = 0.7f, .blur = 1};
    EXPECT(syn_render(&pool, &p, &nu, 0, a, H, W) == 0);
    uint64_t x = 88172645463325252u; /* noise: incompressible, so the stream is at its bound */
    for (size_t i = 0; i < sizeof b; i++) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        b[i] = (uint8_t)(x >> 32);
    }
    char path[] = "/tmp/irra-synth-png-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0) return;
    close(fd);
    syn_png *enc = syn_png_new(W, H);
    EXPECT(enc != NULL);
    if (enc) { /* one encoder, reused: nothing of the first picture may leak into the next */
        EXPECT(png_round_trips(enc, path, b, W, H));
        EXPECT(png_round_trips(enc, path, a, W, H));
        syn_png_free(enc);
    }
    enc = syn_png_new(5, 1); /* a width that is not a multiple of anything */
    EXPECT(enc && png_round_trips(enc, path, a, 5, 1));
    syn_png_free(enc);
    EXPECT(syn_png_new(0, 10) == NULL && syn_png_new(10, 70000) == NULL);
    EXPECT(syn_write_png("/nonexistent/x.png", W, H, a) < 0);
    unlink(path);
}

static void progress_prints_a_summary(void)
{
    progress p;
    progress_start(&p, "job", "things", 10);
    p.out = tmpfile();
    p.tty = 0;
    progress_update(&p, 10);
    progress_finish(&p);
    char line[200] = "";
    rewind(p.out);
    EXPECT(fgets(line, sizeof line, p.out) != NULL);
    EXPECTF(!strncmp(line, "job: 10 things in ", 18), "%s", line);
    fclose(p.out);
}

int main(void)
{
    irra_err e;
    if (syn_fmnist_load(&pool, SYN_FMNIST_DIR, "t10k", &e) < 0) {
        printf("FAIL fashion_mnist_loads: %s\n", e.msg);
        return 1;
    }
    RUN(fmnist_test_set_has_1000_items_per_class);
    RUN(fmnist_rejects_bad_idx_files);
    RUN(hard_negatives_differ_in_exactly_one_attribute);
    RUN(identities_are_a_function_of_the_seed);
    RUN(item_twins_differ_from_their_parent_in_one_small_item);
    RUN(item_twins_are_numbered_with_the_training_split);
    RUN(captions_say_exactly_what_the_writer_meant);
    RUN(short_captions_are_true_and_name_colours);
    RUN(item_captions_name_one_item_each);
    RUN(captions_vary);
    RUN(reader_catches_swapped_colours);
    RUN(reader_binds_words_to_the_right_part);
    RUN(render_is_deterministic_and_size_checked);
    RUN(garment_colour_lands_on_its_body_part);
    RUN(cues_make_the_genders_tell_apart_by_width);
    RUN(cues_mark_the_types_of_top_and_footwear);
    RUN(bold_cues_keep_the_bag_in_the_frame);
    RUN(png_files_decode_to_the_same_pixels);
    RUN(progress_prints_a_summary);
    syn_fmnist_free(&pool);
    return DONE();
}
