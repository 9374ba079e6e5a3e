#include "train/synth_attrs.h"

#include <string.h>

const char *const syn_colour_name[SYN_NCOLOURS] = {
    "black", "white", "grey", "red", "blue", "green",
    "yellow", "orange", "pink", "purple", "brown", "beige"};
/* Dyed-cloth colours rather than pure primaries, so tinted garments look like fabric. */
const uint8_t syn_colour_rgb[SYN_NCOLOURS][3] = {
    {30, 30, 34}, {238, 238, 232}, {130, 130, 132}, {192, 32, 38}, {36, 82, 178}, {38, 128, 62},
    {238, 204, 46}, {238, 122, 30}, {240, 146, 180}, {112, 52, 146}, {112, 72, 42}, {214, 194, 156}};
const char *const syn_class_name[SYN_FMNIST_CLASSES] = {
    "t-shirt", "trousers", "pullover", "dress", "coat", "sandals", "shirt", "sneakers", "bag",
    "ankle boots"};
const char *const syn_build_name[SYN_NBUILDS] = {"slim", "average", "heavy"};
const char *const syn_skin_name[SYN_NSKINS] = {"fair", "olive", "tan", "dark"};
const uint8_t syn_skin_rgb[SYN_NSKINS][3] = {
    {242, 208, 186}, {214, 172, 132}, {176, 126, 88}, {104, 68, 46}};
const char *const syn_hair_style_name[SYN_NHAIRSTYLES] = {"short", "long", "ponytail", "bun", "bald"};
const char *const syn_hair_colour_name[SYN_NHAIRCOLOURS] = {"black", "brown", "blonde", "grey", "red"};
const uint8_t syn_hair_rgb[SYN_NHAIRCOLOURS][3] = {
    {26, 22, 22}, {92, 58, 32}, {222, 188, 110}, {168, 166, 162}, {160, 62, 28}};

static const int uppers[] = {SYN_TSHIRT, SYN_PULLOVER, SYN_COAT, SYN_SHIRT};
static const int footwear[] = {SYN_SANDAL, SYN_SNEAKER, SYN_BOOT};

/* Picks index i with probability w[i] / sum(w). */
static int weighted(syn_rng *r, const int *w, int n)
{
    int total = 0;
    for (int i = 0; i < n; i++) total += w[i];
    int x = syn_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < w[i]) return i;
        x -= w[i];
    }
    return n - 1;
}

static syn_piece piece(syn_rng *r, const syn_fmnist *pool, int cls, int colour)
{
    syn_piece p = {cls, pool->by_class[cls][syn_below(r, pool->count[cls])], colour};
    return p;
}

static int other_colour(syn_rng *r, int old)
{
    int c = syn_below(r, SYN_NCOLOURS - 1);
    return c >= old ? c + 1 : c;
}

static int hair_style(syn_rng *r, int gender)
{
    static const int man[SYN_NHAIRSTYLES] = {70, 8, 5, 0, 17};
    static const int woman[SYN_NHAIRSTYLES] = {18, 45, 22, 15, 0};
    return weighted(r, gender == SYN_MAN ? man : woman, SYN_NHAIRSTYLES);
}

static void fresh_person(syn_person *p, syn_rng *r, const syn_fmnist *pool)
{
    static const int builds[SYN_NBUILDS] = {30, 50, 20};
    static const int hair_colours[SYN_NHAIRCOLOURS] = {35, 30, 15, 10, 10};
    memset(p, 0, sizeof *p);
    p->gender = syn_below(r, 2);
    p->build = weighted(r, builds, SYN_NBUILDS);
    p->skin = syn_below(r, SYN_NSKINS);
    p->hair_style = hair_style(r, p->gender);
    p->hair_colour = weighted(r, hair_colours, SYN_NHAIRCOLOURS);
    if (p->gender == SYN_WOMAN && syn_chance(r, 0.35)) {
        p->upper.cls = -1;
        p->lower = piece(r, pool, SYN_DRESS, syn_below(r, SYN_NCOLOURS));
    } else {
        p->upper = piece(r, pool, uppers[syn_below(r, 4)], syn_below(r, SYN_NCOLOURS));
        p->lower = piece(r, pool, SYN_TROUSERS, syn_below(r, SYN_NCOLOURS));
    }
    p->shoes = piece(r, pool, footwear[syn_below(r, 3)], syn_below(r, SYN_NCOLOURS));
    p->bag.cls = -1;
    if (syn_chance(r, 0.4)) p->bag = piece(r, pool, SYN_BAG, syn_below(r, SYN_NCOLOURS));
    p->parent = -1;
    p->differs = NULL;
}

/* Changes exactly one caption-visible attribute of p; returns its name, or NULL when the kind
 * drawn does not apply to p (the caller draws again). */
static const char *change_kind(syn_person *p, syn_rng *r, const syn_fmnist *pool, int kind)
{
    switch (kind) {
    case 0:
        if (p->upper.cls < 0) return NULL;
        p->upper.colour = other_colour(r, p->upper.colour);
        return "upper colour";
    case 1:
        p->lower.colour = other_colour(r, p->lower.colour);
        return p->lower.cls == SYN_DRESS ? "dress colour" : "trousers colour";
    case 2: {
        if (p->upper.cls < 0) return NULL;
        int cls = p->upper.cls;
        while (cls == p->upper.cls) cls = uppers[syn_below(r, 4)];
        p->upper = piece(r, pool, cls, p->upper.colour);
        return "upper garment";
    }
    case 3: {
        int cls = p->shoes.cls;
        while (cls == p->shoes.cls) cls = footwear[syn_below(r, 3)];
        p->shoes = piece(r, pool, cls, p->shoes.colour);
        return "footwear";
    }
    case 4:
        p->shoes.colour = other_colour(r, p->shoes.colour);
        return "footwear colour";
    case 5:
        if (p->hair_style == SYN_HAIR_BALD) return NULL;
        p->hair_colour = (p->hair_colour + 1 + syn_below(r, SYN_NHAIRCOLOURS - 1)) % SYN_NHAIRCOLOURS;
        return "hair colour";
    case 6: {
        int old = p->hair_style;
        for (int tries = 0; tries < 50 && p->hair_style == old; tries++)
            p->hair_style = hair_style(r, p->gender);
        return p->hair_style == old ? NULL : "hair style";
    }
    default:
        if (p->bag.cls >= 0 && syn_chance(r, 0.5)) {
            p->bag.colour = other_colour(r, p->bag.colour);
            return "bag colour";
        }
        if (p->bag.cls >= 0) {
            p->bag.cls = -1;
            return "bag removed";
        }
        p->bag = piece(r, pool, SYN_BAG, syn_below(r, SYN_NCOLOURS));
        return "bag added";
    }
}

static const char *change_one(syn_person *p, syn_rng *r, const syn_fmnist *pool)
{
    return change_kind(p, r, pool, syn_below(r, 8));
}

/* Changes one small or look-alike item of p: the upper garment's type, the footwear's type or
 * colour, or the bag (its colour, or one added); NULL when the kind drawn does not apply. */
static const char *change_item(syn_person *p, syn_rng *r, const syn_fmnist *pool)
{
    static const int kinds[3] = {2, 3, 4}; /* change_kind's upper garment, footwear, its colour */
    int k = syn_below(r, 4);
    if (k < 3) return change_kind(p, r, pool, kinds[k]);
    if (p->bag.cls < 0) {
        p->bag = piece(r, pool, SYN_BAG, syn_below(r, SYN_NCOLOURS));
        return "bag added";
    }
    p->bag.colour = other_colour(r, p->bag.colour);
    return "bag colour";
}

void syn_sample_item_twins(syn_person *out, int n, int first, const syn_person *parents,
                           int n_parents, uint64_t seed, const syn_fmnist *pool)
{
    for (int i = 0; i < n; i++) {
        syn_rng r = syn_rng_key(seed, SYN_STREAM_ITEM_TWIN, (uint64_t)(first + i));
        int parent = syn_below(&r, n_parents);
        syn_person p = parents[parent];
        p.parent = parent;
        p.differs = NULL;
        while (!p.differs) p.differs = change_item(&p, &r, pool);
        out[i] = p;
    }
}

void syn_sample_identities(syn_person *out, int n, int first, uint64_t seed, const syn_fmnist *pool)
{
    for (int i = 0; i < n; i++) {
        syn_rng r = syn_rng_key(seed, SYN_STREAM_IDENTITY, (uint64_t)(first + i));
        double kind = syn_unif(&r);
        if (i == 0 || kind >= 0.36) {
            fresh_person(&out[i], &r, pool);
            continue;
        }
        int parent = syn_below(&r, i);
        syn_person p = out[parent];
        p.parent = first + parent;
        p.differs = NULL;
        if (kind < 0.1 && p.upper.cls >= 0 && p.upper.colour != p.lower.colour) {
            int c = p.upper.colour;
            p.upper.colour = p.lower.colour;
            p.lower.colour = c;
            p.differs = "colour swap";
        }
        while (!p.differs) p.differs = change_one(&p, &r, pool);
        out[i] = p;
    }
}

static void random_rgb(uint8_t rgb[3], syn_rng *r, int lo, int hi)
{
    for (int c = 0; c < 3; c++) rgb[c] = (uint8_t)(lo + syn_below(r, hi - lo + 1));
}

/* Muted, mostly grey-brown scenes like station and campus cameras see; each channel of a
 * background is near the others so that it never reads as a named garment colour. */
static void muted_rgb(uint8_t rgb[3], syn_rng *r, int lo, int hi)
{
    int base = lo + syn_below(r, hi - lo + 1);
    for (int c = 0; c < 3; c++) {
        int v = base + syn_below(r, 31) - 15;
        rgb[c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
}

void syn_sample_nuisance(syn_nuisance *nu, syn_rng *r)
{
    memset(nu, 0, sizeof *nu);
    nu->flip = syn_chance(r, 0.5);
    nu->height = (float)syn_range(r, 0.80, 0.95);
    nu->cx = (float)syn_range(r, 0.44, 0.56);
    nu->top = (float)syn_range(r, 0.01, 0.99 - nu->height);
    nu->light = (float)syn_range(r, 0.82, 1.12);
    nu->light_slope = (float)syn_range(r, -0.12, 0.12);
    for (int c = 0; c < 3; c++) nu->tint[c] = (float)syn_range(r, 0.95, 1.05);
    muted_rgb(nu->wall[0], r, 60, 200);
    muted_rgb(nu->wall[1], r, 60, 200);
    muted_rgb(nu->floor, r, 50, 170);
    nu->horizon = (float)syn_range(r, 0.55, 0.9);
    nu->nstripes = syn_below(r, 5);
    for (int s = 0; s < nu->nstripes; s++) {
        float x0 = (float)syn_range(r, -0.2, 1.0);
        nu->stripe[s][0] = x0;
        nu->stripe[s][1] = x0 + (float)syn_range(r, 0.03, 0.4);
        muted_rgb(nu->stripe_rgb[s], r, 40, 220);
    }
    nu->occluder = syn_chance(r, 0.15);
    if (nu->occluder) {
        /* A pole or sign at the edge: it hides part of the person, never a whole item. */
        float w = (float)syn_range(r, 0.06, 0.16);
        int left = syn_chance(r, 0.5);
        nu->occ_x0 = left ? (float)syn_range(r, -0.02, 0.12) : (float)syn_range(r, 0.72, 0.9);
        nu->occ_x1 = nu->occ_x0 + w;
        nu->occ_y0 = syn_chance(r, 0.5) ? 0.f : (float)syn_range(r, 0.55, 0.75);
        random_rgb(nu->occ_rgb, r, 40, 200);
    }
    nu->blur = syn_chance(r, 0.5);
}

static int same_piece(const syn_piece *a, const syn_piece *b)
{
    if (a->cls != b->cls) return 0;
    return a->cls < 0 || a->colour == b->colour;
}

int syn_same_attributes(const syn_person *a, const syn_person *b)
{
    return a->gender == b->gender && a->build == b->build && a->skin == b->skin &&
           a->hair_style == b->hair_style &&
           (a->hair_style == SYN_HAIR_BALD || a->hair_colour == b->hair_colour) &&
           same_piece(&a->upper, &b->upper) && same_piece(&a->lower, &b->lower) &&
           same_piece(&a->shoes, &b->shoes) && same_piece(&a->bag, &b->bag);
}
