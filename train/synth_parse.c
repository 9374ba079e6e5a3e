#include "train/synth_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

/* What a word can mean. The reader knows the annotators' vocabulary (synth_caption.c writes
 * it); words it does not know are ignored, so they can never create a claim. */
enum kind {
    K_OTHER, K_END, K_COLOUR, K_HAIRCOL, K_LENGTH, K_TONE, K_MOD,
    K_UPPER, K_LOWER, K_SHOES, K_BAG, K_HAIR, K_SKIN,
    K_GENDER, K_BUILD, K_BALD, K_EMPTY, K_CARRY, K_NOTHING
};

typedef struct {
    const char *word;
    int kind, value;
} entry;

static const entry lexicon[] = {
    {"black", K_COLOUR, SYN_BLACK}, {"white", K_COLOUR, SYN_WHITE}, {"grey", K_COLOUR, SYN_GREY},
    {"gray", K_COLOUR, SYN_GREY}, {"red", K_COLOUR, SYN_RED}, {"blue", K_COLOUR, SYN_BLUE},
    {"green", K_COLOUR, SYN_GREEN}, {"yellow", K_COLOUR, SYN_YELLOW},
    {"orange", K_COLOUR, SYN_ORANGE}, {"pink", K_COLOUR, SYN_PINK},
    {"purple", K_COLOUR, SYN_PURPLE}, {"violet", K_COLOUR, SYN_PURPLE},
    {"brown", K_COLOUR, SYN_BROWN}, {"beige", K_COLOUR, SYN_BEIGE}, {"cream", K_COLOUR, SYN_BEIGE},
    {"blonde", K_HAIRCOL, SYN_HC_BLONDE}, {"blond", K_HAIRCOL, SYN_HC_BLONDE},
    {"ginger", K_HAIRCOL, SYN_HC_RED}, {"auburn", K_HAIRCOL, SYN_HC_RED},
    {"short", K_LENGTH, SYN_HAIR_SHORT}, {"cropped", K_LENGTH, SYN_HAIR_SHORT},
    {"long", K_LENGTH, SYN_HAIR_LONG}, {"shoulder-length", K_LENGTH, SYN_HAIR_LONG},
    {"fair", K_TONE, SYN_SKIN_FAIR}, {"pale", K_TONE, SYN_SKIN_FAIR}, {"light", K_TONE, SYN_SKIN_FAIR},
    {"olive", K_TONE, SYN_SKIN_OLIVE}, {"tan", K_TONE, SYN_SKIN_TAN},
    {"tanned", K_TONE, SYN_SKIN_TAN}, {"dark", K_TONE, SYN_SKIN_DARK},
    {"t-shirt", K_UPPER, SYN_TSHIRT}, {"tshirt", K_UPPER, SYN_TSHIRT}, {"tee", K_UPPER, SYN_TSHIRT},
    {"top", K_UPPER, SYN_TSHIRT}, {"pullover", K_UPPER, SYN_PULLOVER},
    {"sweater", K_UPPER, SYN_PULLOVER}, {"jumper", K_UPPER, SYN_PULLOVER},
    {"sweatshirt", K_UPPER, SYN_PULLOVER}, {"coat", K_UPPER, SYN_COAT},
    {"jacket", K_UPPER, SYN_COAT}, {"overcoat", K_UPPER, SYN_COAT}, {"shirt", K_UPPER, SYN_SHIRT},
    {"blouse", K_UPPER, SYN_SHIRT}, {"trousers", K_LOWER, SYN_TROUSERS},
    {"pants", K_LOWER, SYN_TROUSERS}, {"slacks", K_LOWER, SYN_TROUSERS},
    {"dress", K_LOWER, SYN_DRESS}, {"sandals", K_SHOES, SYN_SANDAL},
    {"sandal", K_SHOES, SYN_SANDAL}, {"sneakers", K_SHOES, SYN_SNEAKER},
    {"trainers", K_SHOES, SYN_SNEAKER}, {"boots", K_SHOES, SYN_BOOT},
    {"booties", K_SHOES, SYN_BOOT}, {"shoes", K_SHOES, -1}, {"footwear", K_SHOES, -1},
    {"bag", K_BAG, 0}, {"handbag", K_BAG, 0}, {"purse", K_BAG, 0},
    {"hair", K_HAIR, -1}, {"ponytail", K_HAIR, SYN_HAIR_PONYTAIL}, {"bun", K_HAIR, SYN_HAIR_BUN},
    {"skin", K_SKIN, 0},
    {"man", K_GENDER, SYN_MAN}, {"guy", K_GENDER, SYN_MAN}, {"male", K_GENDER, SYN_MAN},
    {"gentleman", K_GENDER, SYN_MAN}, {"boy", K_GENDER, SYN_MAN}, {"he", K_GENDER, SYN_MAN},
    {"his", K_GENDER, SYN_MAN}, {"him", K_GENDER, SYN_MAN},
    {"woman", K_GENDER, SYN_WOMAN}, {"lady", K_GENDER, SYN_WOMAN}, {"female", K_GENDER, SYN_WOMAN},
    {"girl", K_GENDER, SYN_WOMAN}, {"she", K_GENDER, SYN_WOMAN}, {"her", K_GENDER, SYN_WOMAN},
    {"hers", K_GENDER, SYN_WOMAN},
    {"slim", K_BUILD, SYN_SLIM}, {"thin", K_BUILD, SYN_SLIM}, {"slender", K_BUILD, SYN_SLIM},
    {"skinny", K_BUILD, SYN_SLIM}, {"average", K_BUILD, SYN_AVERAGE},
    {"heavy", K_BUILD, SYN_HEAVY}, {"heavyset", K_BUILD, SYN_HEAVY},
    {"heavy-set", K_BUILD, SYN_HEAVY}, {"stocky", K_BUILD, SYN_HEAVY},
    {"bald", K_BALD, SYN_HAIR_BALD}, {"empty-handed", K_EMPTY, 0},
    {"carrying", K_CARRY, 0}, {"carries", K_CARRY, 0}, {"holding", K_CARRY, 0},
    {"holds", K_CARRY, 0}, {"nothing", K_NOTHING, 0}, {"anything", K_NOTHING, 0},
    /* Words that may stand between a colour and its noun: "a pair of red running shoes". */
    {"pair", K_MOD, 0}, {"of", K_MOD, 0}, {"running", K_MOD, 0}, {"tennis", K_MOD, 0},
    {"sports", K_MOD, 0}, {"ankle", K_MOD, 0}, {"strappy", K_MOD, 0}, {"button-up", K_MOD, 0},
    {"knee-length", K_MOD, 0}, {"shoulder", K_MOD, 0}, {"leather", K_MOD, 0},
};

enum { MAX_TOKENS = 256, MAX_WORD = 32 };

typedef struct {
    int kind, value;
} token;

static int lookup(const char *w, const char *prev, token *t)
{
    size_t n = strlen(w), suffix = strlen("-skinned");
    if (n > suffix && !strcmp(w + n - suffix, "-skinned")) {
        char tone[MAX_WORD];
        snprintf(tone, sizeof tone, "%.*s", (int)(n - suffix), w);
        token tt;
        if (lookup(tone, "", &tt) && tt.kind == K_TONE) {
            t->kind = K_SKIN;
            t->value = tt.value + 1; /* a skin noun that carries its own tone */
            return 1;
        }
    }
    for (size_t i = 0; i < sizeof lexicon / sizeof *lexicon; i++)
        if (!strcmp(lexicon[i].word, w)) {
            t->kind = lexicon[i].kind;
            t->value = lexicon[i].value;
            /* "running shoes", "tennis shoes": sneakers by another name */
            if (t->kind == K_SHOES && t->value < 0 &&
                (!strcmp(prev, "running") || !strcmp(prev, "tennis") || !strcmp(prev, "sports")))
                t->value = SYN_SNEAKER;
            return 1;
        }
    return 0;
}

typedef struct {
    token *tok;
    int n;
    char prev[MAX_WORD];
} reader;

static void read_token(const char *w, size_t len, void *ctx)
{
    reader *rd = ctx;
    if (rd->n >= MAX_TOKENS) return;
    if (len == 1 && strchr(".!?;", *w)) {
        rd->tok[rd->n++] = (token){K_END, 0};
        return;
    }
    char word[MAX_WORD];
    if (len >= sizeof word) len = sizeof word - 1; /* no word we know is this long */
    for (size_t i = 0; i < len; i++) word[i] = (char)tolower((unsigned char)w[i]);
    word[len] = 0;
    token t = {K_OTHER, 0};
    lookup(word, rd->prev, &t);
    rd->tok[rd->n++] = t;
    memcpy(rd->prev, word, len + 1);
}

static int is_noun(int kind) { return kind >= K_UPPER && kind <= K_SKIN; }
static int is_descriptor(int kind) { return kind >= K_COLOUR && kind <= K_TONE; }

/* The noun a descriptor at i describes: the next noun when only modifiers and other descriptors
 * stand between, else the last noun before it in the sentence; -1 when there is none. */
static int target_of(const token *tok, int n, int i)
{
    for (int j = i + 1; j < n; j++) {
        if (is_noun(tok[j].kind)) return j;
        if (tok[j].kind != K_MOD && !is_descriptor(tok[j].kind)) break;
    }
    for (int j = i - 1; j >= 0 && tok[j].kind != K_END; j--)
        if (is_noun(tok[j].kind)) return j;
    return -1;
}

static unsigned hair_from_colour(int colour)
{
    switch (colour) {
    case SYN_BLACK: return 1u << SYN_HC_BLACK;
    case SYN_BROWN: return 1u << SYN_HC_BROWN;
    case SYN_GREY: return 1u << SYN_HC_GREY;
    case SYN_RED: return 1u << SYN_HC_RED;
    default: return SYN_CLAIM_INVALID;
    }
}

static void describe(syn_claims *c, const token *d, const token *noun)
{
    unsigned *colour = NULL;
    switch (noun->kind) {
    case K_UPPER: colour = &c->upper_colour; break;
    case K_LOWER: colour = &c->lower_colour; break;
    case K_SHOES: colour = &c->shoes_colour; break;
    case K_BAG: colour = &c->bag_colour; break;
    case K_HAIR:
        if (d->kind == K_COLOUR) c->hair_colour |= hair_from_colour(d->value);
        else if (d->kind == K_HAIRCOL) c->hair_colour |= 1u << d->value;
        else if (d->kind == K_LENGTH) c->hair_style |= 1u << d->value;
        else c->unbound++;
        return;
    case K_SKIN:
        if (d->kind == K_TONE) c->skin |= 1u << d->value;
        else c->unbound++;
        return;
    }
    if (d->kind == K_COLOUR) *colour |= 1u << d->value;
    else if (d->kind == K_HAIRCOL) *colour |= SYN_CLAIM_INVALID;
    else c->unbound++;
}

static void name(syn_claims *c, const token *t)
{
    switch (t->kind) {
    case K_UPPER: c->upper_cls |= 1u << t->value; break;
    case K_LOWER: c->lower_cls |= 1u << t->value; break;
    case K_SHOES: c->shoes = 1; if (t->value >= 0) c->shoes_cls |= 1u << t->value; break;
    case K_BAG: c->bag |= 2; break;
    case K_HAIR: if (t->value >= 0) c->hair_style |= 1u << t->value; break;
    case K_SKIN: if (t->value > 0) c->skin |= 1u << (t->value - 1); break;
    case K_GENDER: c->gender |= 1u << t->value; break;
    case K_BUILD: c->build |= 1u << t->value; break;
    case K_BALD: c->hair_style |= 1u << SYN_HAIR_BALD; break;
    case K_EMPTY: c->bag |= 1; break;
    }
}

void syn_parse_caption(const char *text, syn_claims *c)
{
    token tok[MAX_TOKENS];
    reader rd = {tok, 0, ""};
    syn_tokenize(text, read_token, &rd);
    int n = rd.n;
    memset(c, 0, sizeof *c);
    for (int i = 0; i < n; i++) {
        name(c, &tok[i]);
        if (tok[i].kind == K_CARRY && i + 1 < n && tok[i + 1].kind == K_NOTHING) c->bag |= 1;
        if (!is_descriptor(tok[i].kind)) continue;
        int j = target_of(tok, n, i);
        if (j < 0) c->unbound++;
        else describe(c, &tok[i], &tok[j]);
    }
}

/* claimed must be empty or exactly {truth}. */
static int holds(unsigned claimed, int truth)
{
    return claimed == 0 || (truth >= 0 && claimed == 1u << truth);
}

int syn_check_claims(const syn_claims *c, const syn_person *p, char *why, size_t n)
{
    const char *bad = NULL;
    if (c->unbound) bad = "a colour or length word attached to nothing";
    else if (!holds(c->gender, p->gender)) bad = "gender";
    else if (!holds(c->build, p->build)) bad = "build";
    else if (!holds(c->skin, p->skin)) bad = "skin tone";
    else if (!holds(c->hair_style, p->hair_style)) bad = "hair style";
    else if (!holds(c->hair_colour, p->hair_style == SYN_HAIR_BALD ? -1 : p->hair_colour))
        bad = "hair colour";
    else if (!holds(c->upper_cls, p->upper.cls)) bad = "upper garment";
    else if (!holds(c->upper_colour, p->upper.cls < 0 ? -1 : p->upper.colour)) bad = "upper colour";
    else if (!holds(c->lower_cls, p->lower.cls)) bad = "trousers or dress";
    else if (!holds(c->lower_colour, p->lower.colour)) bad = "trousers or dress colour";
    else if (!holds(c->shoes_cls, p->shoes.cls)) bad = "footwear";
    else if (!holds(c->shoes_colour, p->shoes.colour)) bad = "footwear colour";
    else if (!holds(c->bag, p->bag.cls < 0 ? 0 : 1)) bad = "bag";
    else if (!holds(c->bag_colour, p->bag.cls < 0 ? -1 : p->bag.colour)) bad = "bag colour";
    if (!bad) return 0;
    snprintf(why, n, "the caption is wrong about the %s", bad);
    return -1;
}
