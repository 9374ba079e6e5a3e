#include "train/synth_caption.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* A caption under construction: text plus what it has said so far. */
typedef struct {
    char text[SYN_CAPTION_MAX];
    size_t len;
    syn_claims said;
} draft;

/* The finished caption into the caller's buffer, and what it says into said (when not NULL). */
static void hand_over(const draft *d, char *buf, syn_claims *said)
{
    memcpy(buf, d->text, d->len + 1);
    if (said) *said = d->said;
}

static void put(draft *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void put(draft *d, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(d->text + d->len, sizeof d->text - d->len, fmt, ap);
    va_end(ap);
    if (n > 0) d->len += (size_t)n;
    if (d->len >= sizeof d->text) d->len = sizeof d->text - 1;
}

static const char *pick(syn_rng *r, const char *const *words, int n) { return words[syn_below(r, n)]; }
#define PICK(r, ...) pick(r, (const char *const[]){__VA_ARGS__}, \
                          sizeof((const char *const[]){__VA_ARGS__}) / sizeof(const char *))

static const char *colour_word(syn_rng *r, int c)
{
    if (c == SYN_GREY) return PICK(r, "grey", "gray");
    if (c == SYN_PURPLE) return PICK(r, "purple", "violet");
    if (c == SYN_BEIGE) return PICK(r, "beige", "cream");
    return syn_colour_name[c];
}

static const char *hair_colour_word(syn_rng *r, int c)
{
    switch (c) {
    case SYN_HC_BLONDE: return PICK(r, "blonde", "blond");
    case SYN_HC_GREY: return PICK(r, "grey", "gray");
    case SYN_HC_RED: return PICK(r, "red", "ginger", "auburn");
    default: return syn_hair_colour_name[c];
    }
}

typedef struct {
    const char *he, *his, *He, *His, *noun;
} persona;

static persona persona_of(const syn_person *p, syn_rng *r)
{
    if (p->gender == SYN_MAN) {
        persona q = {"he", "his", "He", "His", PICK(r, "man", "man", "guy", "male", "gentleman")};
        return q;
    }
    persona q = {"she", "her", "She", "Her", PICK(r, "woman", "woman", "lady", "female")};
    return q;
}

/* The noun for a garment and whether it is plural ("trousers" take no article). */
static const char *garment_noun(syn_rng *r, int cls, int gender, int *plural)
{
    *plural = 0;
    switch (cls) {
    case SYN_TSHIRT: return PICK(r, "t-shirt", "t-shirt", "tee", "top");
    case SYN_PULLOVER: return PICK(r, "pullover", "sweater", "jumper", "sweatshirt");
    case SYN_COAT: return PICK(r, "coat", "jacket", "coat", "overcoat");
    case SYN_SHIRT: return gender == SYN_WOMAN ? PICK(r, "shirt", "blouse", "button-up shirt")
                                               : PICK(r, "shirt", "button-up shirt", "shirt");
    case SYN_DRESS: return PICK(r, "dress", "dress", "knee-length dress");
    case SYN_TROUSERS: *plural = 1; return PICK(r, "trousers", "pants", "slacks");
    case SYN_SANDAL: *plural = 1; return PICK(r, "sandals", "sandals", "strappy sandals");
    case SYN_SNEAKER: *plural = 1; return PICK(r, "sneakers", "trainers", "running shoes", "tennis shoes");
    case SYN_BOOT: *plural = 1; return PICK(r, "ankle boots", "boots", "booties");
    default: return PICK(r, "bag", "handbag", "purse", "shoulder bag");
    }
}

static void claim_piece(draft *d, const syn_piece *pc, int colour)
{
    syn_claims *s = &d->said;
    unsigned cls = 1u << pc->cls, col = colour ? 1u << pc->colour : 0;
    switch (pc->cls) {
    case SYN_TROUSERS: case SYN_DRESS: s->lower_cls |= cls; s->lower_colour |= col; break;
    case SYN_SANDAL: case SYN_SNEAKER: case SYN_BOOT:
        s->shoes = 1; s->shoes_cls |= cls; s->shoes_colour |= col; break;
    case SYN_BAG: s->bag |= 2; s->bag_colour |= col; break;
    default: s->upper_cls |= cls; s->upper_colour |= col;
    }
}

/* A noun phrase for a worn item: "a red coat", "a coat in red", "black trousers", "a pair of
 * white sneakers", or with no colour at all (annotators often leave it out). */
static void garment(draft *d, syn_rng *r, const syn_piece *pc, int gender, double p_colour)
{
    int plural, colour = syn_chance(r, p_colour);
    const char *noun = garment_noun(r, pc->cls, gender, &plural);
    const char *col = colour ? colour_word(r, pc->colour) : NULL;
    claim_piece(d, pc, colour);
    int after = !colour || syn_chance(r, 0.2); /* "a coat in red" */
    const char *first = after ? noun : col;
    const char *art = plural ? (syn_chance(r, 0.3) ? "a pair of " : "")
                             : strchr("aeiou", first[0]) ? "an " : "a ";
    if (!colour) put(d, "%s%s", art, noun);
    else if (after) put(d, "%s%s in %s", art, noun, col);
    else put(d, "%s%s %s", art, col, noun);
}

static void outfit(draft *d, syn_rng *r, const syn_person *p, int *lower_said)
{
    *lower_said = 1;
    if (p->upper.cls < 0) {
        garment(d, r, &p->lower, p->gender, 0.95);
        return;
    }
    garment(d, r, &p->upper, p->gender, 0.92);
    if (syn_chance(r, 0.15)) {
        *lower_said = 0;
        return;
    }
    put(d, "%s", PICK(r, " and ", " with ", " and ", " paired with "));
    garment(d, r, &p->lower, p->gender, 0.9);
}

static const char *style_word(syn_rng *r, int style)
{
    return style == SYN_HAIR_SHORT ? PICK(r, "short", "short", "cropped")
                                   : PICK(r, "long", "long", "shoulder-length");
}

/* Hair as a phrase after "with": "short black hair", "long hair", "red hair in a ponytail". */
static void hair_phrase(draft *d, syn_rng *r, const syn_person *p)
{
    int st = p->hair_style, col = syn_chance(r, 0.8), style = syn_chance(r, 0.8) || !col;
    if (col) d->said.hair_colour |= 1u << p->hair_colour;
    if (style) d->said.hair_style |= 1u << st;
    const char *cw = col ? hair_colour_word(r, p->hair_colour) : "";
    const char *sp = col ? " " : "";
    if (st == SYN_HAIR_SHORT || st == SYN_HAIR_LONG)
        put(d, "%s%s%s hair", style ? style_word(r, st) : "", style && col ? " " : "", cw);
    else if (!style)
        put(d, "%s hair", cw);
    else
        put(d, "%s%shair %s", cw, sp,
            st == SYN_HAIR_PONYTAIL ? PICK(r, "in a ponytail", "tied in a ponytail")
                                    : PICK(r, "in a bun", "tied up in a bun"));
}

static void cap_first(draft *d, size_t at)
{
    d->text[at] = (char)toupper((unsigned char)d->text[at]);
}

static void opening(draft *d, syn_rng *r, const syn_person *p, const persona *q, int *lower_said,
                    int *hair_said, int *build_said)
{
    size_t at = d->len;
    const char *build = NULL;
    if (p->build != SYN_AVERAGE && syn_chance(r, 0.4)) {
        build = p->build == SYN_SLIM ? PICK(r, "slim", "thin", "slender")
                                     : PICK(r, "heavyset", "stocky", "heavy-set");
        d->said.build |= 1u << p->build;
        *build_said = 1;
    }
    int form = syn_below(r, 4);
    put(d, "%s", form == 1 ? "the " : form == 2 ? "this " : "a ");
    if (build) put(d, "%s ", build);
    put(d, "%s", q->noun);
    d->said.gender |= 1u << p->gender;
    if (form != 1 && p->hair_style != SYN_HAIR_BALD && syn_chance(r, 0.35)) {
        put(d, " with ");
        hair_phrase(d, r, p);
        *hair_said = 1;
    }
    const char *verb = form == 0 ? PICK(r, "wearing", "dressed in", "in")
                       : form == 3 ? PICK(r, "is wearing", "wears", "is dressed in")
                                   : PICK(r, "is wearing", "has on", "wears");
    if (p->upper.cls < 0 && (strstr(verb, "dressed") || !strcmp(verb, "in")))
        verb = form == 0 ? "wearing" : "wears"; /* not "dressed in a dress" */
    put(d, " %s ", verb);
    outfit(d, r, p, lower_said);
    put(d, ". ");
    cap_first(d, at);
}

static void hair_sentence(draft *d, syn_rng *r, const syn_person *p, const persona *q)
{
    if (p->hair_style == SYN_HAIR_BALD) {
        d->said.hair_style |= 1u << SYN_HAIR_BALD;
        put(d, "%s %s. ", q->He, PICK(r, "is bald", "has a bald head", "is completely bald"));
        return;
    }
    if ((p->hair_style == SYN_HAIR_SHORT || p->hair_style == SYN_HAIR_LONG) && syn_chance(r, 0.4)) {
        d->said.hair_style |= 1u << p->hair_style;
        d->said.hair_colour |= 1u << p->hair_colour;
        put(d, "%s hair is %s and %s. ", q->His, style_word(r, p->hair_style),
            hair_colour_word(r, p->hair_colour));
        return;
    }
    put(d, "%s has ", q->He);
    hair_phrase(d, r, p);
    put(d, ". ");
}

static void shoes_sentence(draft *d, syn_rng *r, const syn_person *p, const persona *q)
{
    if (syn_chance(r, 0.15)) {
        d->said.shoes = 1;
        d->said.shoes_colour |= 1u << p->shoes.colour;
        put(d, "%s shoes are %s. ", q->His, colour_word(r, p->shoes.colour));
        return;
    }
    size_t at = d->len;
    int form = syn_below(r, 3);
    if (form == 0) put(d, "%s %s ", q->he, PICK(r, "is wearing", "wears", "has on"));
    else if (form == 1) put(d, "on %s feet %s wears ", q->his, q->he);
    else put(d, "%s %s ", q->he, PICK(r, "also wears", "is also wearing"));
    garment(d, r, &p->shoes, p->gender, 0.85);
    put(d, ". ");
    cap_first(d, at);
}

static void bag_sentence(draft *d, syn_rng *r, const syn_person *p, const persona *q)
{
    if (p->bag.cls < 0) {
        d->said.bag |= 1;
        put(d, "%s %s. ", q->He, PICK(r, "is not carrying anything", "carries nothing",
                                      "is empty-handed", "is not holding anything"));
        return;
    }
    size_t at = d->len;
    int form = syn_below(r, 3);
    if (form == 0) {
        put(d, "%s %s ", q->he, PICK(r, "is carrying", "carries", "has"));
        garment(d, r, &p->bag, p->gender, 0.85);
    } else if (form == 1) {
        garment(d, r, &p->bag, p->gender, 0.85);
        put(d, " hangs from %s %s", q->his, PICK(r, "shoulder", "arm"));
    } else {
        put(d, "%s %s ", q->he, PICK(r, "holds", "is holding", "has"));
        garment(d, r, &p->bag, p->gender, 0.85);
        put(d, " over %s shoulder", q->his);
    }
    put(d, ". ");
    cap_first(d, at);
}

static void lower_sentence(draft *d, syn_rng *r, const syn_person *p, const persona *q)
{
    int plural;
    const char *noun = garment_noun(r, p->lower.cls, p->gender, &plural);
    claim_piece(d, &p->lower, 1);
    if (syn_chance(r, 0.5))
        put(d, "%s %s %s %s. ", q->His, noun, plural ? "are" : "is", colour_word(r, p->lower.colour));
    else
        put(d, "%s also wears %s %s. ", q->He, colour_word(r, p->lower.colour), noun);
}

static void skin_sentence(draft *d, syn_rng *r, const syn_person *p, const persona *q)
{
    static const char *const tone[SYN_NSKINS][2] = {
        {"fair", "pale"}, {"olive", "olive"}, {"tan", "tanned"}, {"dark", "dark"}};
    d->said.skin |= 1u << p->skin;
    if (syn_chance(r, 0.5)) put(d, "%s has %s skin. ", q->He, tone[p->skin][syn_below(r, 2)]);
    else put(d, "%s is %s-skinned. ", q->He, tone[p->skin][0]);
}

static void build_sentence(draft *d, syn_rng *r, const syn_person *p, const persona *q)
{
    d->said.build |= 1u << p->build;
    if (p->build == SYN_AVERAGE) put(d, "%s is of average build. ", q->He);
    else if (p->build == SYN_SLIM) put(d, "%s is %s. ", q->He, PICK(r, "slim", "thin", "slender"));
    else put(d, "%s has a %s build. ", q->He, PICK(r, "heavy", "stocky", "heavyset"));
}

/* One attempt: the opening sentence, then a random subset of details in random order. */
static void attempt(draft *d, const syn_person *p, syn_rng *r)
{
    memset(d, 0, sizeof *d);
    persona q = persona_of(p, r);
    int lower_said, hair_said = 0, build_said = 0;
    opening(d, r, p, &q, &lower_said, &hair_said, &build_said);
    enum { HAIR, SHOES, BAG, LOWER, SKIN, BUILD, N };
    int order[N] = {HAIR, SHOES, BAG, LOWER, SKIN, BUILD};
    static const double p_say[N] = {0.75, 0.7, 0.65, 0.9, 0.15, 0.12};
    for (int i = N - 1; i > 0; i--) {
        int j = syn_below(r, i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    for (int i = 0; i < N; i++) {
        if (!syn_chance(r, p_say[order[i]])) continue;
        switch (order[i]) {
        case HAIR: if (!hair_said) hair_sentence(d, r, p, &q); break;
        case SHOES: shoes_sentence(d, r, p, &q); break;
        case BAG: bag_sentence(d, r, p, &q); break;
        case LOWER: if (!lower_said) lower_sentence(d, r, p, &q); break;
        case SKIN: skin_sentence(d, r, p, &q); break;
        case BUILD: if (!build_said) build_sentence(d, r, p, &q); break;
        }
    }
    while (d->len > 0 && d->text[d->len - 1] == ' ') d->text[--d->len] = 0;
}

int syn_worn_items(const syn_person *p, const syn_piece *items[SYN_MAX_ITEMS])
{
    int n = 0;
    if (p->upper.cls >= 0) items[n++] = &p->upper;
    items[n++] = &p->lower;
    items[n++] = &p->shoes;
    if (p->bag.cls >= 0) items[n++] = &p->bag;
    return n;
}

/* A searcher's phrase for k worn items: the gender noun or "person", the garments, each with
 * its colour, then the bag: "a woman in a red coat carrying a black bag". */
static void searcher_phrase(draft *d, const syn_person *p, syn_rng *r,
                            const syn_piece *const *items, int k)
{
    if (syn_chance(r, 0.35)) {
        put(d, "a %s", PICK(r, "person", "person", "pedestrian"));
    } else {
        put(d, "a %s", persona_of(p, r).noun);
        d->said.gender |= 1u << p->gender;
    }
    int worn = 0;
    for (int i = 0; i < k; i++) {
        if (items[i]->cls == SYN_BAG) continue;
        put(d, "%s", worn++ ? " and "
                        : PICK(r, " in ", " wearing ", " dressed in ", " with "));
        garment(d, r, items[i], p->gender, 1.0);
    }
    for (int i = 0; i < k; i++) {
        if (items[i]->cls != SYN_BAG) continue;
        put(d, "%s", PICK(r, " carrying ", " with ", " holding "));
        garment(d, r, items[i], p->gender, 1.0);
    }
}

/* One to three of the person's worn items, drawn at random. */
static void short_attempt(draft *d, const syn_person *p, syn_rng *r)
{
    memset(d, 0, sizeof *d);
    const syn_piece *items[SYN_MAX_ITEMS];
    int n = syn_worn_items(p, items);
    for (int i = n - 1; i > 0; i--) {
        int j = syn_below(r, i + 1);
        const syn_piece *t = items[i];
        items[i] = items[j];
        items[j] = t;
    }
    int k = syn_chance(r, 0.5) ? 1 : syn_chance(r, 0.7) ? 2 : 3;
    if (k > n) k = n;
    searcher_phrase(d, p, r, items, k);
}

void syn_short_caption(const syn_person *p, syn_rng *r, char *buf, syn_claims *said)
{
    draft d;
    short_attempt(&d, p, r);
    hand_over(&d, buf, said);
}

void syn_item_caption(const syn_person *p, const syn_piece *item, syn_rng *r, char *buf,
                      syn_claims *said)
{
    draft d;
    memset(&d, 0, sizeof d);
    searcher_phrase(&d, p, r, &item, 1);
    hand_over(&d, buf, said);
}

void syn_tokenize(const char *text, void (*emit)(const char *tok, size_t len, void *ctx), void *ctx)
{
    for (const char *s = text; *s;) {
        if (strchr(".!?;", *s)) {
            emit(s++, 1, ctx);
            continue;
        }
        const char *w = s;
        while (isalnum((unsigned char)*s) || *s == '-' || *s == '\'') s++;
        if (s > w) emit(w, (size_t)(s - w), ctx);
        else s++;
    }
}

static void count_word(const char *tok, size_t len, void *ctx)
{
    (void)len;
    if (!strchr(".!?;", *tok)) ++*(int *)ctx;
}

int syn_count_words(const char *text)
{
    int n = 0;
    syn_tokenize(text, count_word, &n);
    return n;
}

void syn_caption(const syn_person *p, syn_rng *r, char *buf, syn_claims *said)
{
    /* Draw whole captions until one has an annotator's length; keep the closest otherwise. */
    draft d, best;
    int best_miss = 1 << 30;
    for (int tries = 0; tries < 30 && best_miss > 0; tries++) {
        attempt(&d, p, r);
        int words = syn_count_words(d.text);
        int miss = words < SYN_CAPTION_MIN_WORDS ? SYN_CAPTION_MIN_WORDS - words
                   : words > SYN_CAPTION_MAX_WORDS ? words - SYN_CAPTION_MAX_WORDS : 0;
        if (miss < best_miss) {
            best = d;
            best_miss = miss;
        }
    }
    hand_over(&best, buf, said);
}
