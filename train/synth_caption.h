/* Captions of synthetic people, written the way CUHK-PEDES annotators write: a sentence naming
 * the person and their clothes, then details (hair, shoes, bag, skin, build) in varied order,
 * wording and completeness, 15 to 40 words, naming only what is there. */
#ifndef SYN_CAPTION_H
#define SYN_CAPTION_H

#include "train/synth_attrs.h"
#include "train/synth_rng.h"

#include <stddef.h>

/* What a caption says about a person, as sets: bit v of a field is set when the caption says
 * the attribute has value v (a colour, a Fashion-MNIST class, a hair style...). A caption that
 * says nothing of an attribute leaves its field 0; one that contradicts itself sets two bits. */
typedef struct {
    unsigned gender, build, skin, hair_style, hair_colour;
    unsigned upper_cls, upper_colour;  /* a named upper garment (no bits when none is named) */
    unsigned lower_cls, lower_colour;  /* trousers or a dress */
    unsigned shoes, shoes_cls, shoes_colour; /* shoes: 1 when footwear is named at all */
    unsigned bag;                      /* bit 0: "carries nothing", bit 1: a bag is named */
    unsigned bag_colour;
    unsigned unbound;                  /* descriptive words the reader could not attach */
} syn_claims;

/* A bit no real value has: a colour word attached where it cannot apply ("blonde trousers"). */
#define SYN_CLAIM_INVALID (1u << 31)

#define SYN_CAPTION_MAX 512
#define SYN_CAPTION_MIN_WORDS 15
#define SYN_CAPTION_MAX_WORDS 40
#define SYN_SHORT_MIN_WORDS 3 /* syn_short_caption */
#define SYN_SHORT_MAX_WORDS 24

/* Writes a caption of p into buf (at least SYN_CAPTION_MAX bytes) using r for every choice, and
 * records in said (when not NULL) exactly what it says. */
void syn_caption(const syn_person *p, syn_rng *r, char *buf, syn_claims *said);

/* Writes a short description of p into buf the way a searcher types one ("a man in a blue
 * shirt and grey trousers", "a woman with a green bag"): one to three worn items, every one with
 * its colour, SYN_SHORT_MIN_WORDS to SYN_SHORT_MAX_WORDS words. The same contract as syn_caption otherwise. */
void syn_short_caption(const syn_person *p, syn_rng *r, char *buf, syn_claims *said);

/* The worn items of p in a fixed order: the upper garment (none under a dress), the lower
 * garment, the shoes, the bag (when p carries one). Returns how many (2 to 4). */
#define SYN_MAX_ITEMS 4
int syn_worn_items(const syn_person *p, const syn_piece *items[SYN_MAX_ITEMS]);

/* A short description that names one worn item of p (one of syn_worn_items) with its colour,
 * as a searcher asks for it alone ("a person wearing red sneakers", "a man with a black
 * bag"). The same contract as syn_short_caption otherwise. */
void syn_item_caption(const syn_person *p, const syn_piece *item, syn_rng *r, char *buf,
                      syn_claims *said);

/* Splits a caption into words (runs of letters, digits, hyphens, apostrophes) and sentence
 * ends (". ! ? ;" as one-character tokens), calling emit for each; other punctuation is dropped.
 * The one tokenizer of captions: the reader, the word count and processed_tokens use it. */
void syn_tokenize(const char *text, void (*emit)(const char *tok, size_t len, void *ctx), void *ctx);

/* The number of words (sentence ends excluded). */
int syn_count_words(const char *text);

#endif
