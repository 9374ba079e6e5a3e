/* BPE learning over the distinct words of the captions: each word is its symbols (token ids)
 * and its count; every round counts the adjacent pairs of all words afresh, merges the best
 * pair everywhere and drops the words that became one token. The captions of a person-search
 * dataset hold a few thousand distinct words, so counting afresh is fast enough (CUHK-PEDES
 * size: seconds) and keeps the ranking exact. */
#include "train/vocab_learn.h"
#include "model/bpe.h"
#include "model/pretokenize.h"
#include "model/text_clean.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Strings with a flag (a token's "</w>"), interned: ids in order of adding. Holds both the
 * distinct words (flag 0) and the tokens. */
typedef struct {
    unsigned char *bytes;
    size_t nbytes, cap;
    uint32_t *off;
    uint8_t *final;
    int n, capn;
    int32_t *slot;
    size_t nslot; /* a power of two, over twice n */
} strset;

static uint64_t str_hash(const unsigned char *p, size_t n, int final)
{
    uint64_t h = 1469598103934665603ull ^ (uint64_t)final;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ull;
    return h;
}

static size_t str_slot(const strset *s, const unsigned char *p, size_t n, int final)
{
    size_t i = (size_t)str_hash(p, n, final) & (s->nslot - 1);
    for (;; i = (i + 1) & (s->nslot - 1)) {
        int32_t id = s->slot[i];
        if (id < 0 || (s->final[id] == final && s->off[id + 1] - s->off[id] == n &&
                       !memcmp(s->bytes + s->off[id], p, n)))
            return i;
    }
}

static int str_grow(strset *s)
{
    size_t ns = s->nslot ? s->nslot * 2 : 1024;
    int32_t *slot = malloc(ns * sizeof *slot);
    int capn = s->capn ? s->capn * 2 : 512;
    uint32_t *off = realloc(s->off, ((size_t)capn + 1) * sizeof *off);
    if (off) s->off = off;
    uint8_t *final = realloc(s->final, (size_t)capn);
    if (final) s->final = final;
    if (!slot || !off || !final) return free(slot), -1;
    s->capn = capn;
    free(s->slot);
    s->slot = slot, s->nslot = ns;
    memset(slot, 0xff, ns * sizeof *slot);
    for (int id = 0; id < s->n; id++) {
        const unsigned char *p = s->bytes + s->off[id];
        s->slot[str_slot(s, p, s->off[id + 1] - s->off[id], s->final[id])] = id;
    }
    return 0;
}

/* The id of the string a[0..na) b[0..nb) with flag final, added if new (*added set); -1 when
 * out of memory. */
static int str_add(strset *s, const unsigned char *a, size_t na, const unsigned char *b, size_t nb,
                   int final, int *added)
{
    *added = 0;
    if (2 * ((size_t)s->n + 1) > s->nslot && str_grow(s)) return -1;
    if (s->nbytes + na + nb > s->cap) {
        size_t cap = (s->nbytes + na + nb) * 2 + 4096;
        unsigned char *p = realloc(s->bytes, cap);
        if (!p) return -1;
        s->bytes = p, s->cap = cap;
    }
    unsigned char *dst = s->bytes + s->nbytes;
    memcpy(dst, a, na);
    if (nb) memcpy(dst + na, b, nb);
    size_t at = str_slot(s, dst, na + nb, final);
    if (s->slot[at] >= 0) return s->slot[at];
    int id = s->n++;
    s->off[id] = (uint32_t)s->nbytes;
    s->nbytes += na + nb;
    s->off[id + 1] = (uint32_t)s->nbytes;
    s->final[id] = (uint8_t)final;
    s->slot[at] = id;
    *added = 1;
    return id;
}

static void str_free(strset *s)
{
    free(s->bytes), free(s->off), free(s->final), free(s->slot);
}

/* ---- the words ---------------------------------------------------------------------------- */

typedef struct {
    strset words;
    long *count; /* [words.n] occurrences */
    size_t capc;
    long total;
    int oom;
} corpus;

static int add_word(void *ctx, const char *tok, size_t n)
{
    corpus *c = ctx;
    if ((n == 15 && !memcmp(tok, "<|startoftext|>", 15)) ||
        (n == 13 && !memcmp(tok, "<|endoftext|>", 13)) || (n == 8 && !memcmp(tok, "<|mask|>", 8)))
        return 0; /* the tokenizer keeps these whole */
    int added, id = str_add(&c->words, (const unsigned char *)tok, n, NULL, 0, 0, &added);
    if (id >= 0 && (size_t)id >= c->capc) {
        size_t cap = c->capc ? c->capc * 2 : 1024;
        long *p = realloc(c->count, cap * sizeof *p);
        if (p) c->count = p, c->capc = cap;
    }
    if (id < 0 || (size_t)id >= c->capc) return c->oom = 1;
    if (added) c->count[id] = 0;
    c->count[id]++, c->total++;
    return 0;
}

static int collect(corpus *c, const char *const *texts, int n, irra_err *e)
{
    irra_pretok *pre = irra_pretok_new(e);
    if (!pre) return -1;
    int rc = 0;
    for (int i = 0; i < n && !rc; i++) {
        size_t len;
        char *s = irra_text_clean(texts[i], strlen(texts[i]), &len, e);
        if (!s) {
            char why[sizeof e->msg];
            snprintf(why, sizeof why, "%s", e->msg);
            rc = irra_fail(e, "caption %d: %s", i + 1, why);
        } else if (irra_pretok_each(pre, s, len, add_word, c, e) || c->oom) {
            rc = c->oom ? irra_fail(e, "out of memory for the words") : -1;
        }
        free(s);
    }
    irra_pretok_free(pre);
    return rc;
}

/* ---- merging ------------------------------------------------------------------------------ */

typedef struct {
    strset tok;           /* ids 0..255 bytes, 256..511 bytes + </w>, then the merges' */
    int32_t *sym;         /* every word's symbols, word w at start[w] */
    size_t *start;
    int *len, *live;      /* live: words of two or more symbols */
    int nlive;
    uint64_t *key;        /* pair counts: open addressing, key a << 32 | b, UINT64_MAX empty */
    long *cnt;
    size_t nkey;
    int32_t (*merge)[2];
    int nmerge;
} learner;

static int learner_init(learner *l, const corpus *c)
{
    int added;
    for (int fin = 0; fin < 2; fin++)
        for (int b = 0; b < 256; b++) {
            unsigned char byte = (unsigned char)b;
            if (str_add(&l->tok, &byte, 1, NULL, 0, fin, &added) < 0) return -1;
        }
    int nw = c->words.n;
    size_t nsym = c->words.nbytes;
    l->sym = malloc((nsym + 1) * sizeof *l->sym);
    l->start = malloc(((size_t)nw + 1) * sizeof *l->start);
    l->len = malloc(((size_t)nw + 1) * sizeof *l->len);
    l->live = malloc(((size_t)nw + 1) * sizeof *l->live);
    for (l->nkey = 1024; l->nkey < 4 * nsym; l->nkey *= 2) {}
    l->key = malloc(l->nkey * sizeof *l->key);
    l->cnt = malloc(l->nkey * sizeof *l->cnt);
    if (!l->sym || !l->start || !l->len || !l->live || !l->key || !l->cnt) return -1;
    for (int w = 0; w < nw; w++) {
        const unsigned char *p = c->words.bytes + c->words.off[w];
        int n = (int)(c->words.off[w + 1] - c->words.off[w]);
        l->start[w] = c->words.off[w], l->len[w] = n;
        for (int i = 0; i < n; i++) l->sym[l->start[w] + (size_t)i] = p[i] + (i == n - 1 ? 256 : 0);
        if (n >= 2) l->live[l->nlive++] = w;
    }
    return 0;
}

static void count_pairs(learner *l, const corpus *c)
{
    memset(l->key, 0xff, l->nkey * sizeof *l->key);
    for (int k = 0; k < l->nlive; k++) {
        int w = l->live[k];
        const int32_t *s = l->sym + l->start[w];
        for (int i = 0; i + 1 < l->len[w]; i++) {
            uint64_t key = (uint64_t)(uint32_t)s[i] << 32 | (uint32_t)s[i + 1];
            size_t j = (size_t)((key * 0x9E3779B97F4A7C15ull) >> 32) & (l->nkey - 1);
            while (l->key[j] != UINT64_MAX && l->key[j] != key) j = (j + 1) & (l->nkey - 1);
            if (l->key[j] == UINT64_MAX) l->key[j] = key, l->cnt[j] = 0;
            l->cnt[j] += c->count[w];
        }
    }
}

/* The most frequent pair not in skip[0..nskip), ties to the smaller key; 0 when none. */
static int best_pair(const learner *l, const uint64_t *skip, int nskip, uint64_t *key, long *count)
{
    int found = 0;
    for (size_t j = 0; j < l->nkey; j++) {
        if (l->key[j] == UINT64_MAX) continue;
        if (found && (l->cnt[j] < *count || (l->cnt[j] == *count && l->key[j] > *key))) continue;
        int skipped = 0;
        for (int k = 0; k < nskip && !skipped; k++) skipped = skip[k] == l->key[j];
        if (skipped) continue;
        *key = l->key[j], *count = l->cnt[j], found = 1;
    }
    return found;
}

/* Replaces every (a, b), left to right, by id in the live words; drops words now whole. */
static void apply_merge(learner *l, int32_t a, int32_t b, int32_t id)
{
    int keep = 0;
    for (int k = 0; k < l->nlive; k++) {
        int w = l->live[k], o = 0;
        int32_t *s = l->sym + l->start[w];
        for (int i = 0; i < l->len[w]; i++) {
            if (s[i] == a && i + 1 < l->len[w] && s[i + 1] == b) s[o++] = id, i++;
            else s[o++] = s[i];
        }
        l->len[w] = o;
        if (o >= 2) l->live[keep++] = w;
    }
    l->nlive = keep;
}

static int learn(learner *l, const corpus *c, const irra_vocab_opts *o)
{
    uint64_t *skip = NULL;
    int nskip = 0;
    if (!(l->merge = malloc((size_t)o->max_merges * sizeof *l->merge))) return -1;
    while (l->nmerge < o->max_merges && l->nlive > 0) {
        uint64_t key = 0;
        long count = 0;
        count_pairs(l, c);
        if (!best_pair(l, skip, nskip, &key, &count) || count < o->min_count) break;
        int32_t a = (int32_t)(key >> 32), b = (int32_t)(uint32_t)key;
        const strset *t = &l->tok;
        int added, id = str_add(&l->tok, t->bytes + t->off[a], t->off[a + 1] - t->off[a],
                                t->bytes + t->off[b], t->off[b + 1] - t->off[b], t->final[b], &added);
        if (id < 0) return free(skip), -1;
        if (!added) { /* made by another pair already: never again */
            uint64_t *p = realloc(skip, ((size_t)nskip + 1) * sizeof *p);
            if (!p) return free(skip), -1;
            skip = p, skip[nskip++] = key;
            continue;
        }
        l->merge[l->nmerge][0] = a, l->merge[l->nmerge][1] = b, l->nmerge++;
        apply_merge(l, a, b, id);
    }
    free(skip);
    return 0;
}

/* ---- the merges text ---------------------------------------------------------------------- */

/* A token as the merges file spells it: each byte as its alphabet character, then "</w>". */
static size_t spell(const strset *t, int id, char *out)
{
    size_t o = 0;
    for (uint32_t i = t->off[id]; i < t->off[id + 1]; i++)
        o += (size_t)utf8proc_encode_char(irra_bpe_byte_codepoint(t->bytes[i]), (utf8proc_uint8_t *)out + o);
    if (t->final[id]) memcpy(out + o, "</w>", 4), o += 4;
    return o;
}

static char *write_text(const learner *l, const irra_vocab_opts *o, size_t *len)
{
    const strset *t = &l->tok;
    size_t cap = 200 + (size_t)l->nmerge * 10 + 4 * t->nbytes * 2, n = 0;
    char *s = malloc(cap);
    if (!s) return NULL;
    n += (size_t)snprintf(s, cap, "#version: 0.2 (irra vocab: %d merges of pairs seen %d+ times)\n",
                          l->nmerge, o->min_count);
    for (int m = 0; m < l->nmerge; m++) {
        n += spell(t, l->merge[m][0], s + n);
        s[n++] = ' ';
        n += spell(t, l->merge[m][1], s + n);
        s[n++] = '\n';
    }
    s[n] = 0;
    *len = n;
    return s;
}

static void stats(const learner *l, const corpus *c, irra_vocab_stats *st)
{
    st->words = c->total, st->distinct = c->words.n, st->merges = l->nmerge, st->whole = 0;
    for (int w = 0; w < c->words.n; w++)
        if (l->len[w] == 1) st->whole += c->count[w];
}

char *irra_vocab_learn(const char *const *texts, int n, const irra_vocab_opts *o,
                       irra_vocab_stats *st, size_t *len, irra_err *e)
{
    if (o->min_count < 1 || o->max_merges < 1 || o->max_merges > IRRA_VOCAB_MAX_MERGES) {
        irra_fail(e, "vocab: min count %d, max merges %d: want >= 1 and 1..%d", o->min_count,
                  o->max_merges, IRRA_VOCAB_MAX_MERGES);
        return NULL;
    }
    corpus c = {0};
    learner l = {0};
    char *text = NULL;
    if (collect(&c, texts, n, e) == 0) {
        if (learner_init(&l, &c) || learn(&l, &c, o) || !(text = write_text(&l, o, len)))
            irra_fail(e, "vocab: out of memory");
        else if (st)
            stats(&l, &c, st);
    }
    str_free(&c.words), free(c.count);
    str_free(&l.tok), free(l.sym), free(l.start), free(l.len), free(l.live), free(l.key);
    free(l.cnt), free(l.merge);
    return text;
}
