/* CLIP's byte-level BPE as IRRA uses it (utils/simple_tokenizer.py; spec section 8).
 *
 * Symbols are vocabulary ids, not strings: every merge joins two tokens that earlier lines
 * define, so a word is an array of ids and a merge step is an id-pair lookup. A token is its
 * bytes plus whether it ends a word ("</w>"); the merges file spells bytes through CLIP's
 * bytes_to_unicode alphabet, which the loader checks character by character.
 *
 * The "jekyll" quirk: IRRA pops the last merge's token ("jekyll</w>", id 49405) to make room for
 * <|mask|> but keeps the merge in bpe_ranks, so Python raises KeyError on any caption whose
 * BPE reaches it (e.g. "jekyll"). Here that merge is unranked: it never fires, the word stays
 * "jeky" + "ll</w>", and captions Python would crash on still encode. No other caption
 * changes, as that merge is the highest-ranked and is the last one Python could apply. */
#include "model/bpe.h"
#include "model/pretokenize.h"
#include "model/text_clean.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <utf8proc.h>
#include <zlib.h>

enum {
    NMERGES = 49152 - 256 - 2,  /* at most lines 1..48894 of the file: merges[1:49152-256-2+1] */
    NVOCAB = 49408,             /* at most 512 byte tokens + 48,893 merges + mask, sot, eot */
    PAIR_SLOTS = 1 << 17,       /* open addressing, load under 0.4 */
    TOK_SLOTS = 1 << 17,
};
#define MAX_TEXT ((size_t)64 << 20) /* a merges file is 1.3 MB gzipped, 3.2 MB plain */

struct irra_bpe {
    char *merges;           /* header + the merge lines read, "A B\n" */
    size_t merges_len;
    int nvocab;             /* 512 + the merges with a token + 3 */
    int32_t byte_id[256];   /* id of byte b inside a word; + 256 at the end of a word */
    uint32_t *pair_key;     /* (a << 16 | b), UINT32_MAX when empty */
    int32_t *pair_rank, *pair_id;
    char *disp;             /* display strings, NUL-separated */
    uint32_t disp_off[NVOCAB];
    irra_pretok *pre;
};

/* ---- the byte alphabet ------------------------------------------------------------------- */

static int printable(int b) { return (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255); }

/* bytes_to_unicode: printable bytes keep their code point, the other 68 go to 256.. in order.
 * order[i] is the byte of token id i (dict order: printable bytes first). */
static void byte_alphabet(int order[256], int16_t cp_to_byte[324])
{
    int n = 0, extra = 0;
    for (int i = 0; i < 324; i++) cp_to_byte[i] = -1;
    for (int b = 0; b < 256; b++)
        if (printable(b)) order[n++] = b, cp_to_byte[b] = (int16_t)b;
    for (int b = 0; b < 256; b++)
        if (!printable(b)) order[n++] = b, cp_to_byte[256 + extra++] = (int16_t)b;
}

int irra_bpe_byte_codepoint(unsigned char byte)
{
    if (printable(byte)) return byte;
    int k = 0;
    for (int b = 0; b < byte; b++) k += !printable(b);
    return 256 + k;
}

/* ---- tokens during loading ---------------------------------------------------------------- */

typedef struct {
    unsigned char *bytes;   /* all tokens' bytes */
    size_t nbytes, cap;
    uint32_t off[NVOCAB + 1];
    uint8_t final[NVOCAB];
    int32_t *slot;          /* hash of (bytes, final) -> id */
    int ntok;
} vocab;

static uint32_t tok_hash(const unsigned char *p, size_t n, int final)
{
    uint32_t h = 2166136261u ^ (uint32_t)final;
    for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 16777619u;
    return h;
}

static int tok_find(const vocab *v, const unsigned char *p, size_t n, int final, uint32_t *at)
{
    uint32_t i = tok_hash(p, n, final) & (TOK_SLOTS - 1);
    for (;; i = (i + 1) & (TOK_SLOTS - 1)) {
        int32_t id = v->slot[i];
        *at = i;
        if (id < 0) return -1;
        if (v->final[id] == final && v->off[id + 1] - v->off[id] == n &&
            !memcmp(v->bytes + v->off[id], p, n))
            return id;
    }
}

/* Appends a token (bytes a then b) and indexes it. Returns its id, -1 when out of memory, or
 * -2 when it exists already. */
static int tok_add(vocab *v, const unsigned char *a, size_t na, const unsigned char *b, size_t nb, int final)
{
    if (v->nbytes + na + nb > v->cap) {
        size_t cap = (v->nbytes + na + nb) * 2 + 4096;
        unsigned char *p = realloc(v->bytes, cap);
        if (!p) return -1;
        v->bytes = p, v->cap = cap;
    }
    int id = v->ntok++;
    unsigned char *dst = v->bytes + v->nbytes;
    memcpy(dst, a, na);
    if (nb) memcpy(dst + na, b, nb); /* b is NULL for the byte tokens */
    v->nbytes += na + nb;
    v->off[id + 1] = (uint32_t)v->nbytes;
    v->final[id] = (uint8_t)final;
    uint32_t at;
    if (tok_find(v, dst, na + nb, final, &at) >= 0) {
        v->ntok--, v->nbytes -= na + nb;
        return -2;
    }
    v->slot[at] = id;
    return id;
}

/* ---- parsing the merges text -------------------------------------------------------------- */

typedef struct {
    const char *name;
    irra_err *e;
    int16_t cp_to_byte[324];
    unsigned char buf[2][1024];
} parser;

/* One field of a merge line: alphabet characters, optionally ending in "</w>". Writes its bytes;
 * returns their count, or -1 with the error set. */
static int field(parser *ps, int line, const char *f, size_t n, unsigned char *out, int *final)
{
    *final = n >= 4 && !memcmp(f + n - 4, "</w>", 4);
    if (*final) n -= 4;
    int m = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)f + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0 || c >= 324 || ps->cp_to_byte[c] < 0)
            return irra_fail(ps->e, "%s: line %d: '%.*s' is not a token of the byte alphabet",
                             ps->name, line, (int)(n < 40 ? n : 40), f);
        if (m == (int)sizeof ps->buf[0])
            return irra_fail(ps->e, "%s: line %d: a token over %zu bytes", ps->name, line, sizeof ps->buf[0]);
        out[m++] = (unsigned char)ps->cp_to_byte[c];
        i += (size_t)k;
    }
    if (m == 0) return irra_fail(ps->e, "%s: line %d: empty token", ps->name, line);
    return m;
}

static int is_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

/* Splits "A B" as Python's str.split() does (runs of white space). Returns 0, or -1 unless
 * there are exactly two fields. */
static int split2(const char *s, size_t n, const char *f[2], size_t len[2])
{
    int k = 0;
    for (size_t i = 0; i < n;) {
        while (i < n && is_ws(s[i])) i++;
        if (i == n) break;
        size_t j = i;
        while (j < n && !is_ws(s[j])) j++;
        if (k == 2) return -1;
        f[k] = s + i, len[k] = j - i, k++;
        i = j;
    }
    return k == 2 ? 0 : -1;
}

static void pair_put(irra_bpe *b, int32_t a, int32_t c, int32_t rank, int32_t id)
{
    uint32_t key = (uint32_t)a << 16 | (uint32_t)c, i = (key * 2654435761u) >> 15;
    while (b->pair_key[i] != UINT32_MAX && b->pair_key[i] != key) i = (i + 1) & (PAIR_SLOTS - 1);
    b->pair_key[i] = key; /* a pair comes once: each makes a new token */
    b->pair_rank[i] = rank;
    b->pair_id[i] = id;
}

/* The rank of merging ids a and c, or INT32_MAX; the merged id in *id. */
static int32_t pair_get(const irra_bpe *b, int32_t a, int32_t c, int32_t *id)
{
    uint32_t key = (uint32_t)a << 16 | (uint32_t)c, i = (key * 2654435761u) >> 15;
    for (; b->pair_key[i] != UINT32_MAX; i = (i + 1) & (PAIR_SLOTS - 1))
        if (b->pair_key[i] == key) {
            *id = b->pair_id[i];
            return b->pair_rank[i];
        }
    return INT32_MAX;
}

/* The canonical merges text has "A B\n" lines, whatever white space the file had. */
static void append_merge(irra_bpe *b, const char *f[2], const size_t fl[2])
{
    char *o = b->merges + b->merges_len;
    memcpy(o, f[0], fl[0]);
    o[fl[0]] = ' ';
    memcpy(o + fl[0] + 1, f[1], fl[1]);
    o[fl[0] + 1 + fl[1]] = '\n';
    b->merges_len += fl[0] + fl[1] + 2;
}

/* One element of the text after the header split on '\n', as Python's split gives them: the
 * last runs to the end and may be empty. Sets *next past it (or to NULL after the last). */
static size_t element(const char *p, const char *end, const char **next)
{
    const char *q = memchr(p, '\n', (size_t)(end - p));
    *next = q ? q + 1 : NULL;
    return q ? (size_t)(q - p) : (size_t)(end - p);
}

static int blank(const char *p, size_t n)
{
    while (n > 0 && is_ws(p[n - 1])) n--;
    return n == 0;
}

/* Reads the merges as IRRA does: the elements after the header, at most NMERGES of them
 * (merges[1:49152-256-2+1]); every one but the last makes a token, and the last is popped to
 * make room for <|mask|> (see the top comment). That last element is the "jekyll" merge of
 * CLIP's file, or, in a shorter file that ends with a newline, the empty element after it, so
 * that every merge line of a learned vocabulary makes a token. Checks that each merge joins
 * two earlier tokens; builds the vocabulary in v and the canonical merges text in b, which
 * keeps the file's final newline or its absence, so that it loads as the same tokenizer. */
static int parse_merges(irra_bpe *b, vocab *v, int32_t (*parts)[2], int *nparts, parser *ps,
                        const char *t, size_t n)
{
    const char *nl = memchr(t, '\n', n), *end = t + n, *p;
    if (!nl) return irra_fail(ps->e, "%s: %s", ps->name, n ? "no merge lines after the header" : "empty file");
    size_t hdr = (size_t)(nl - t);
    while (hdr > 0 && t[hdr - 1] == '\r') hdr--;
    b->merges = malloc(hdr + 1 + (size_t)(end - t) + 2);
    if (!b->merges) return irra_fail(ps->e, "%s: out of memory", ps->name);
    memcpy(b->merges, t, hdr);
    b->merges[hdr] = '\n';
    b->merges_len = hdr + 1;
    int i = 0;
    for (p = nl + 1; p && i < NMERGES; i++) {
        const char *next, *f[2];
        size_t len = element(p, end, &next), fl[2];
        int last = !next || i == NMERGES - 1;
        if (last && blank(p, len)) break; /* the empty element after a final newline: popped */
        if (split2(p, len, f, fl))
            return irra_fail(ps->e, "%s: line %d: not a merge of two tokens: '%.*s'", ps->name, i + 2,
                             (int)(len < 40 ? len : 40), p);
        int fin[2], m[2];
        for (int k = 0; k < 2; k++) {
            if ((m[k] = field(ps, i + 2, f[k], fl[k], ps->buf[k], &fin[k])) < 0) return -1;
            uint32_t at;
            if ((parts[i][k] = tok_find(v, ps->buf[k], (size_t)m[k], fin[k], &at)) < 0)
                return irra_fail(ps->e, "%s: line %d: '%.*s' is not a token made by an earlier line",
                                 ps->name, i + 2, (int)(fl[k] < 40 ? fl[k] : 40), f[k]);
        }
        if (fin[0]) return irra_fail(ps->e, "%s: line %d: '</w>' ends the first token", ps->name, i + 2);
        /* The popped merge gets no id. A token made twice would let a merge rank below the one
         * making its part, which CLIP's file never does and the heap in bpe_word relies on. */
        int id = !last ? tok_add(v, ps->buf[0], (size_t)m[0], ps->buf[1], (size_t)m[1], fin[1]) : 0;
        if (id == -2) return irra_fail(ps->e, "%s: line %d: '%.*s%.*s' is made by an earlier line already",
                                       ps->name, i + 2, (int)(fl[0] < 40 ? fl[0] : 40), f[0],
                                       (int)(fl[1] < 40 ? fl[1] : 40), f[1]);
        if (id < 0) return irra_fail(ps->e, "%s: out of memory", ps->name);
        append_merge(b, f, fl);
        if (last) { /* popped: it stays unranked and never fires */
            if (i < NMERGES - 1) b->merges_len--; /* no final newline, as in the file */
            break;
        }
        p = next;
    }
    *nparts = i; /* element i, the last one read, was popped */
    b->merges[b->merges_len] = 0;
    b->nvocab = 512 + i + 3;
    return 0;
}

static void build_pairs(irra_bpe *b, int32_t (*parts)[2], int nparts)
{
    for (int i = 0; i < nparts; i++) pair_put(b, parts[i][0], parts[i][1], i, 512 + i);
}

/* Display text: the token's bytes, "</w>" dropped; a byte that is not part of valid UTF-8 (a
 * token can hold half a character) shows as <0xNN>. */
static int build_display(irra_bpe *b, const vocab *v)
{
    static const char *special[3] = {"<|mask|>", "<|startoftext|>", "<|endoftext|>"};
    size_t cap = v->nbytes * 6 + NVOCAB + 64, o = 0; /* <0xNN> per byte at worst */
    if (!(b->disp = malloc(cap))) return -1;
    for (int id = 0; id < b->nvocab; id++) {
        b->disp_off[id] = (uint32_t)o;
        if (id >= irra_bpe_mask(b)) {
            o += (size_t)sprintf(b->disp + o, "%s", special[id - irra_bpe_mask(b)]) + 1;
            continue;
        }
        const unsigned char *s = v->bytes + v->off[id];
        size_t n = v->off[id + 1] - v->off[id];
        for (size_t i = 0; i < n;) {
            utf8proc_int32_t c;
            utf8proc_ssize_t k = utf8proc_iterate(s + i, (utf8proc_ssize_t)(n - i), &c);
            if (k > 0) {
                memcpy(b->disp + o, s + i, (size_t)k), o += (size_t)k, i += (size_t)k;
            } else {
                o += (size_t)sprintf(b->disp + o, "<0x%02X>", s[i]), i++;
            }
        }
        b->disp[o++] = 0;
    }
    return 0;
}

void irra_bpe_free(irra_bpe *b)
{
    if (!b) return;
    free(b->merges);
    free(b->pair_key);
    free(b->pair_rank);
    free(b->pair_id);
    free(b->disp);
    irra_pretok_free(b->pre);
    free(b);
}

/* Builds the tokenizer from the plain merges text t[0..n). */
static irra_bpe *from_text(const char *t, size_t n, const char *name, irra_err *e)
{
    irra_bpe *b = calloc(1, sizeof *b);
    vocab *v = calloc(1, sizeof *v);
    parser *ps = calloc(1, sizeof *ps);
    int32_t (*parts)[2] = malloc(NMERGES * sizeof *parts);
    int order[256], ok = 0, nparts = 0;
    if (!b || !v || !ps || !parts || !(v->slot = malloc(TOK_SLOTS * sizeof *v->slot)) ||
        !(b->pair_key = malloc(PAIR_SLOTS * sizeof *b->pair_key)) ||
        !(b->pair_rank = malloc(PAIR_SLOTS * sizeof *b->pair_rank)) ||
        !(b->pair_id = malloc(PAIR_SLOTS * sizeof *b->pair_id))) {
        irra_fail(e, "%s: out of memory", name);
        goto done;
    }
    memset(v->slot, 0xff, TOK_SLOTS * sizeof *v->slot);
    memset(b->pair_key, 0xff, PAIR_SLOTS * sizeof *b->pair_key);
    ps->name = name, ps->e = e;
    byte_alphabet(order, ps->cp_to_byte);
    for (int fin = 0; fin < 2; fin++)
        for (int i = 0; i < 256; i++) {
            unsigned char byte = (unsigned char)order[i];
            if (tok_add(v, &byte, 1, NULL, 0, fin) < 0) goto oom;
            if (!fin) b->byte_id[byte] = i;
        }
    if (parse_merges(b, v, parts, &nparts, ps, t, n)) goto done;
    build_pairs(b, parts, nparts);
    if (build_display(b, v)) goto oom;
    if (!(b->pre = irra_pretok_new(e))) goto done;
    ok = 1;
    goto done;
oom:
    irra_fail(e, "%s: out of memory", name);
done:
    if (v) free(v->slot), free(v->bytes);
    free(v);
    free(ps);
    free(parts);
    if (!ok) irra_bpe_free(b), b = NULL;
    return b;
}

/* ---- loading ------------------------------------------------------------------------------ */

/* Inflates a whole gzip stream, at most MAX_TEXT bytes out; checks its CRC by reaching the end. */
static char *gunzip(const unsigned char *in, size_t n, size_t *outn, const char *name, irra_err *e)
{
    z_stream z = {0};
    size_t cap = 4 << 20, o = 0;
    char *out = malloc(cap + 1);
    if (!out || inflateInit2(&z, 16 + MAX_WBITS) != Z_OK) {
        free(out);
        irra_fail(e, "%s: out of memory", name);
        return NULL;
    }
    z.next_in = (unsigned char *)in;
    int rc = Z_OK;
    while (rc == Z_OK) {
        if (o == cap) {
            char *p = cap < MAX_TEXT ? realloc(out, cap * 2 + 1) : NULL;
            if (!p) {
                irra_fail(e, "%s: decompresses to over %zu MiB: not a merges file", name, MAX_TEXT >> 20);
                goto fail;
            }
            out = p, cap *= 2;
        }
        size_t in_left = n - (size_t)(z.next_in - in);
        z.avail_in = in_left > (1u << 30) ? 1u << 30 : (uInt)in_left;
        z.next_out = (unsigned char *)out + o;
        z.avail_out = (uInt)(cap - o);
        rc = inflate(&z, Z_NO_FLUSH);
        o = cap - z.avail_out;
        if (rc == Z_BUF_ERROR && z.avail_out > 0) break; /* no input left before the end */
        if (rc == Z_BUF_ERROR) rc = Z_OK;
    }
    if (rc != Z_STREAM_END) {
        if (rc == Z_BUF_ERROR || rc == Z_OK)
            irra_fail(e, "%s: truncated gzip data (%zu bytes decompressed)", name, o);
        else
            irra_fail(e, "%s: corrupt gzip data: %s", name, z.msg ? z.msg : "inflate failed");
        goto fail;
    }
    inflateEnd(&z);
    out[o] = 0;
    *outn = o;
    return out;
fail:
    inflateEnd(&z);
    free(out);
    return NULL;
}

irra_bpe *irra_bpe_load_mem_named(const void *data, size_t n, const char *name, irra_err *e)
{
    const unsigned char *d = data;
    if (!data && n) {
        irra_fail(e, "%s: no data", name);
        return NULL;
    }
    if (n >= 2 && d[0] == 0x1f && d[1] == 0x8b) {
        size_t m;
        char *t = gunzip(d, n, &m, name, e);
        irra_bpe *b = t ? from_text(t, m, name, e) : NULL;
        free(t);
        return b;
    }
    if (n > MAX_TEXT) {
        irra_fail(e, "%s: over %zu MiB: not a merges file", name, MAX_TEXT >> 20);
        return NULL;
    }
    return from_text(n ? data : "", n, name, e);
}

irra_bpe *irra_bpe_load_mem(const void *data, size_t n, irra_err *e)
{
    return irra_bpe_load_mem_named(data, n, "merges text", e);
}

irra_bpe *irra_bpe_load_file(const char *path, irra_err *e)
{
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) {
        irra_fail(e, "%s: %s", path, strerror(errno));
        return NULL;
    }
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || (uint64_t)st.st_size > MAX_TEXT) {
        irra_fail(e, "%s: %s", path, !S_ISREG(st.st_mode) ? "not a regular file" : "over 64 MiB: not a merges file");
        fclose(f);
        return NULL;
    }
    size_t n = (size_t)st.st_size;
    char *d = malloc(n + 1);
    if (!d || fread(d, 1, n, f) != n) {
        irra_fail(e, "%s: %s", path, d ? "read failed" : "out of memory");
        free(d);
        fclose(f);
        return NULL;
    }
    fclose(f);
    irra_bpe *b = irra_bpe_load_mem_named(d, n, path, e);
    free(d);
    return b;
}

const char *irra_bpe_merges_text(const irra_bpe *b, size_t *len)
{
    if (len) *len = b->merges_len;
    return b->merges;
}

const char *irra_bpe_token(const irra_bpe *b, int id)
{
    return id >= 0 && id < b->nvocab ? b->disp + b->disp_off[id] : NULL;
}

int irra_bpe_vocab_size(const irra_bpe *b) { return b->nvocab; }
int irra_bpe_mask(const irra_bpe *b) { return b->nvocab - 3; }
int irra_bpe_sot(const irra_bpe *b) { return b->nvocab - 2; }
int irra_bpe_eot(const irra_bpe *b) { return b->nvocab - 1; }

/* ---- encoding ----------------------------------------------------------------------------- */

/* Scratch for BPE of words up to n bytes: the symbols as a linked list, and a min-heap of
 * candidate merges keyed (rank, position). */
typedef struct {
    int32_t *sym, *next, *prev;
    uint64_t *heap;
    size_t nheap;
} scratch;

static void heap_push(scratch *s, uint64_t key)
{
    size_t i = s->nheap++;
    for (; i > 0 && s->heap[(i - 1) / 2] > key; i = (i - 1) / 2) s->heap[i] = s->heap[(i - 1) / 2];
    s->heap[i] = key;
}

static uint64_t heap_pop(scratch *s)
{
    uint64_t top = s->heap[0], last = s->heap[--s->nheap];
    size_t i = 0, n = s->nheap;
    for (size_t c; (c = 2 * i + 1) < n; i = c) {
        if (c + 1 < n && s->heap[c + 1] < s->heap[c]) c++;
        if (s->heap[c] >= last) break;
        s->heap[i] = s->heap[c];
    }
    if (n) s->heap[i] = last;
    return top;
}

static void push_pair(const irra_bpe *b, scratch *s, int32_t i)
{
    int32_t id, j = s->next[i];
    int32_t r = j < 0 ? INT32_MAX : pair_get(b, s->sym[i], s->sym[j], &id);
    if (r != INT32_MAX) heap_push(s, (uint64_t)r << 32 | (uint32_t)i);
}

/* BPE of one pre-token w[0..n): Python's loop merges the lowest-ranked pair at every
 * non-overlapping place, left to right, then looks again. Popping (rank, position) from a heap
 * does the same in O(n log n), because the loader checked that every merge joins tokens made
 * by earlier lines: a pair that a merge creates ranks after it, so all places of one rank are
 * merged before any later rank, leftmost first. Writes the ids to out; returns their count. */
static size_t bpe_word(const irra_bpe *b, scratch *s, const unsigned char *w, size_t n, int32_t *out)
{
    for (size_t i = 0; i < n; i++) {
        s->sym[i] = b->byte_id[w[i]] + (i + 1 == n ? 256 : 0);
        s->prev[i] = (int32_t)i - 1;
        s->next[i] = i + 1 < n ? (int32_t)i + 1 : -1;
    }
    s->nheap = 0;
    for (size_t i = 0; i + 1 < n; i++) push_pair(b, s, (int32_t)i);
    while (s->nheap) {
        uint64_t key = heap_pop(s);
        int32_t i = (int32_t)(uint32_t)key, j = s->next[i], merged = 0;
        if (s->sym[i] < 0 || j < 0 || pair_get(b, s->sym[i], s->sym[j], &merged) != (int32_t)(key >> 32))
            continue; /* a place already taken by another merge */
        s->sym[i] = merged;
        s->sym[j] = -1;
        s->next[i] = s->next[j];
        if (s->next[j] >= 0) s->prev[s->next[j]] = i;
        if (s->prev[i] >= 0) push_pair(b, s, s->prev[i]);
        push_pair(b, s, i);
    }
    size_t m = 0;
    for (int32_t i = 0; i >= 0; i = s->next[i]) out[m++] = s->sym[i];
    return m;
}

typedef struct {
    const irra_bpe *b;
    int32_t *ids, *word;
    scratch s;
    int n, max;
} encoder;

static int special_id(const irra_bpe *b, const char *tok, size_t n)
{
    if (n == 15 && !memcmp(tok, "<|startoftext|>", 15)) return irra_bpe_sot(b);
    if (n == 13 && !memcmp(tok, "<|endoftext|>", 13)) return irra_bpe_eot(b);
    if (n == 8 && !memcmp(tok, "<|mask|>", 8)) return irra_bpe_mask(b);
    return -1;
}

/* One pre-token: its ids go after those so far; stops once the context is full. */
static int encode_piece(void *ctx, const char *tok, size_t n)
{
    encoder *en = ctx;
    int sp = special_id(en->b, tok, n); /* simple_tokenizer caches the special tokens as themselves */
    if (sp >= 0) {
        en->ids[en->n++] = sp;
    } else {
        size_t m = bpe_word(en->b, &en->s, (const unsigned char *)tok, n, en->word);
        for (size_t i = 0; i < m && en->n < en->max; i++) en->ids[en->n++] = en->word[i];
    }
    return en->n >= en->max;
}

/* Carves the scratch for words of up to n bytes out of one allocation: per byte 2 ids,
 * 2 links, and 3 heap keys (n - 1 first pairs, then at most 2 per merge). */
static int32_t *scratch_new(encoder *en, size_t n)
{
    size_t per = 4 * sizeof(int32_t) + 3 * sizeof(uint64_t);
    int32_t *mem = n < SIZE_MAX / per - 1 ? malloc((n + 1) * per) : NULL;
    if (!mem) return NULL;
    en->word = mem;
    en->s.sym = mem + (n + 1);
    en->s.next = mem + 2 * (n + 1);
    en->s.prev = mem + 3 * (n + 1);
    en->s.heap = (uint64_t *)(mem + 4 * (n + 1)); /* 16 (n + 1) bytes in: 8-byte aligned */
    return mem;
}

int irra_bpe_encode(const irra_bpe *b, const char *text, int32_t *ids, int context, irra_err *e)
{
    if (context < 2) return irra_fail(e, "context %d is too short: SOT and EOT need 2", context);
    if (!text) return irra_fail(e, "no text");
    size_t n;
    char *s = irra_text_clean(text, strlen(text), &n, e);
    if (!s) return -1;
    encoder en = {.b = b, .ids = ids + 1, .max = context - 2};
    int32_t *mem = scratch_new(&en, n);
    int rc = -1;
    if (!mem) {
        irra_fail(e, "out of memory for a text of %zu bytes", n);
    } else if (en.max == 0 || !irra_pretok_each(b->pre, s, n, encode_piece, &en, e)) {
        /* tokens[:context] with the last set to EOT keeps the first context-2 BPE ids */
        ids[0] = irra_bpe_sot(b);
        ids[en.n + 1] = irra_bpe_eot(b);
        rc = en.n + 2;
    }
    free(mem);
    free(s);
    return rc;
}
