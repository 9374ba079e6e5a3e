/* The ground truth of a synthetic person: who they are (an identity: body, hair, the exact
 * Fashion-MNIST garments and their colours) and how one photo of them was taken (nuisance
 * factors that never change what a caption may say). */
#ifndef SYN_ATTRS_H
#define SYN_ATTRS_H

#include "train/fmnist.h"
#include "train/synth_rng.h"

#include <stdint.h>

/* The garment palette: named colours with real RGB values. */
enum {
    SYN_BLACK, SYN_WHITE, SYN_GREY, SYN_RED, SYN_BLUE, SYN_GREEN,
    SYN_YELLOW, SYN_ORANGE, SYN_PINK, SYN_PURPLE, SYN_BROWN, SYN_BEIGE, SYN_NCOLOURS
};
enum { SYN_MAN, SYN_WOMAN };
enum { SYN_SLIM, SYN_AVERAGE, SYN_HEAVY, SYN_NBUILDS };
enum { SYN_SKIN_FAIR, SYN_SKIN_OLIVE, SYN_SKIN_TAN, SYN_SKIN_DARK, SYN_NSKINS };
enum { SYN_HAIR_SHORT, SYN_HAIR_LONG, SYN_HAIR_PONYTAIL, SYN_HAIR_BUN, SYN_HAIR_BALD, SYN_NHAIRSTYLES };
enum { SYN_HC_BLACK, SYN_HC_BROWN, SYN_HC_BLONDE, SYN_HC_GREY, SYN_HC_RED, SYN_NHAIRCOLOURS };

extern const char *const syn_colour_name[SYN_NCOLOURS];
extern const uint8_t syn_colour_rgb[SYN_NCOLOURS][3];
extern const char *const syn_class_name[SYN_FMNIST_CLASSES]; /* "t-shirt", "trousers", ... */
extern const char *const syn_build_name[SYN_NBUILDS];
extern const char *const syn_skin_name[SYN_NSKINS];
extern const uint8_t syn_skin_rgb[SYN_NSKINS][3];
extern const char *const syn_hair_style_name[SYN_NHAIRSTYLES];
extern const char *const syn_hair_colour_name[SYN_NHAIRCOLOURS];
extern const uint8_t syn_hair_rgb[SYN_NHAIRCOLOURS][3];

/* One worn item: a Fashion-MNIST class, the image of it (index into the item pool) and a colour.
 * cls is -1 when the item is absent (no upper garment under a dress, no bag). */
typedef struct {
    int cls, item, colour;
} syn_piece;

typedef struct {
    int gender, build, skin, hair_style, hair_colour;
    syn_piece upper;  /* t-shirt, pullover, coat or shirt; absent with a dress */
    syn_piece lower;  /* trousers or dress */
    syn_piece shoes;  /* sandals, sneakers or ankle boots */
    syn_piece bag;    /* optional */
    int parent;       /* identity this one was derived from, or -1 */
    const char *differs; /* what was changed from the parent ("upper colour", "colour swap"...) */
} syn_person;

/* One photo's nuisance factors, in units of the canvas so any size renders the same scene. */
typedef struct {
    int flip;                 /* mirror left-right */
    float height;             /* person height / canvas height */
    float cx, top;            /* centre x and top y of the person, canvas fractions */
    float light, light_slope; /* brightness multiplier and its left-to-right change */
    float tint[3];            /* per-channel colour cast, near 1 */
    uint8_t wall[2][3], floor[3]; /* background: wall gradient (top, bottom) and ground */
    float horizon;            /* where the ground starts, canvas fraction */
    int nstripes;             /* vertical wall features (doors, windows, poles) */
    float stripe[4][2];       /* x0, x1 fractions */
    uint8_t stripe_rgb[4][3];
    int occluder;             /* a pole or sign in front of the person */
    float occ_x0, occ_x1, occ_y0;
    uint8_t occ_rgb[3];
    int blur;                 /* 0 none, 1 slight */
} syn_nuisance;

/* Samples identities 0..n-1 of one split into out[], drawing items from pool. About a third
 * are hard negatives: copies of an earlier identity of the same split with exactly one
 * attribute changed, or with the colours of the upper and lower garment swapped. first is the
 * global number of identity 0, so that every identity has its own random stream. */
void syn_sample_identities(syn_person *out, int n, int first, uint64_t seed, const syn_fmnist *pool);

/* Samples n item twins into out[]: each a copy of one of parents[0..n_parents-1] (identities
 * 0.. of the training split, so parent is its index) with one item that the two main colours do
 * not tell apart changed: the upper garment's type, the footwear's type or colour, or the bag's
 * colour (a bag added where there is none). first numbers their random streams. */
void syn_sample_item_twins(syn_person *out, int n, int first, const syn_person *parents,
                           int n_parents, uint64_t seed, const syn_fmnist *pool);

/* Samples the nuisance factors of one photo. */
void syn_sample_nuisance(syn_nuisance *nu, syn_rng *r);

/* 1 when the two people look the same in every attribute a caption can name. */
int syn_same_attributes(const syn_person *a, const syn_person *b);

#endif
