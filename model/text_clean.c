/* Caption cleaning as IRRA's tokenizer does it:
 *   ftfy.fix_text -> html.unescape twice -> strip + collapse \s+ to ' ' -> str.lower().
 *
 * ftfy 6's fix_text is followed fix by fix, in its order, line by line and repeated until
 * nothing changes, as ftfy does: HTML references decoded (ftfy's stricter decoder, and only
 * until a line holds a '<'), C1 controls read as Windows-1252, Latin ligatures split,
 * fullwidth forms narrowed, curly quotes straightened, line breaks unified, terminal escapes,
 * control characters and byte-order marks removed, NFC. Left out: ftfy's mojibake repair
 * (fix_encoding, re-decoding "Ã©" as "é"), which rests on its statistical badness model;
 * captions typed by people do not carry mojibake, and for them ftfy leaves the text alone. */
#include "model/text_clean.h"
#include "model/html_unescape.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

typedef struct {
    char *p;
    size_t n, cap;
} sbuf;

static int sb_reserve(sbuf *b, size_t extra)
{
    if (b->n + extra + 1 <= b->cap) return 0;
    size_t cap = (b->n + extra + 1) * 2;
    char *p = realloc(b->p, cap);
    if (!p) return -1;
    b->p = p, b->cap = cap;
    return 0;
}

static void sb_cp(sbuf *b, int32_t cp) /* room reserved by the caller */
{
    b->n += (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)b->p + b->n);
}

int irra_is_space(int c)
{
    return (c >= 0x09 && c <= 0x0d) || (c >= 0x1c && c <= 0x20) || c == 0x85 || c == 0xa0 ||
           c == 0x1680 || (c >= 0x2000 && c <= 0x200a) || c == 0x2028 || c == 0x2029 ||
           c == 0x202f || c == 0x205f || c == 0x3000;
}

/* ftfy's remove_control_chars: C0 controls but \t \n \f \r, DEL, the deprecated format
 * characters U+206A..206F, the byte-order mark, interlinear annotation U+FFF9..FFFC. */
static int ftfy_control(int32_t c)
{
    return (c <= 0x08) || c == 0x0b || (c >= 0x0e && c <= 0x1f) || c == 0x7f ||
           (c >= 0x206a && c <= 0x206f) || c == 0xfeff || (c >= 0xfff9 && c <= 0xfffc);
}

/* ftfy's LIGATURES: the Latin ligatures whose NFKC is plain letters. */
static const char *ligature(int32_t c)
{
    switch (c) {
    case 0x132: return "IJ";
    case 0x133: return "ij";
    case 0x149: return "\xca\xbcn";
    case 0x1c4: return "D\xc5\xbd";
    case 0x1c5: return "D\xc5\xbe";
    case 0x1c6: return "d\xc5\xbe";
    case 0x1c7: return "LJ";
    case 0x1c8: return "Lj";
    case 0x1c9: return "lj";
    case 0x1ca: return "NJ";
    case 0x1cb: return "Nj";
    case 0x1cc: return "nj";
    case 0xfb00: return "ff";
    case 0xfb01: return "fi";
    case 0xfb02: return "fl";
    case 0xfb03: return "ffi";
    case 0xfb04: return "ffl";
    case 0xfb05: return "\xc5\xbft";
    case 0xfb06: return "st";
    }
    return NULL;
}

/* fix_c1_controls: a C1 control is read as the Windows-1252 byte it would be, which is the
 * table html.unescape uses for "&#128;".."&#159;" (the five undefined bytes stay). */
static int32_t c1_control(int32_t c)
{
    for (int i = 0; i < irra_html_ncharrefs; i++)
        if ((int32_t)irra_html_charrefs[i].ref == c) return (int32_t)irra_html_charrefs[i].cp;
    return c;
}

/* ftfy's per-character fixes, in its order: C1 controls, ligatures, width, quotes, breaks. */
static int ftfy_chars(const char *s, size_t n, sbuf *out)
{
    utf8proc_int32_t c;
    if (sb_reserve(out, 0)) return -1; /* the text may be empty */
    for (size_t i = 0; i < n;) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0 || sb_reserve(out, 16)) return -1;
        i += (size_t)k;
        if (c >= 0x80 && c <= 0x9f) c = c1_control(c);
        const char *lig = ligature(c);
        if (lig) {
            size_t ln = strlen(lig);
            memcpy(out->p + out->n, lig, ln);
            out->n += ln;
            continue;
        }
        if (c == 0x3000) c = ' ';
        if (c >= 0xff01 && c <= 0xffef) { /* fix_character_width: NFKC of the fullwidth form */
            utf8proc_uint8_t one[4], *nfkc;
            utf8proc_ssize_t m = utf8proc_encode_char(c, one);
            if (utf8proc_map(one, m, &nfkc, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_COMPAT) < 0)
                return -1;
            size_t ln = strlen((char *)nfkc);
            int ok = ln <= 16;
            if (ok) memcpy(out->p + out->n, nfkc, ln), out->n += ln;
            free(nfkc);
            if (!ok) return -1;
            continue;
        }
        if (c >= 0x2018 && c <= 0x201b) c = '\'';
        if (c >= 0x201c && c <= 0x201f) c = '"';
        if (c == '\r') {
            if (i < n && s[i] == '\n') i++;
            c = '\n';
        }
        if (c == 0x2028 || c == 0x2029 || c == 0x85) c = '\n';
        sb_cp(out, c);
    }
    out->p[out->n] = 0;
    return 0;
}

/* ANSI_RE = \033\[((?:\d|;)*)([a-zA-Z]) */
static size_t remove_escapes(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == 0x1b && i + 1 < n && s[i + 1] == '[') {
            size_t j = i + 2;
            while (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == ';')) j++;
            if (j < n && ((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z')) {
                i = j + 1;
                continue;
            }
        }
        s[o++] = s[i++];
    }
    s[o] = 0;
    return o;
}

static size_t remove_controls(char *s, size_t n) /* valid UTF-8 in, shrinks in place */
{
    size_t o = 0;
    utf8proc_int32_t c;
    for (size_t i = 0; i < n;) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0) k = 1;
        if (!ftfy_control(c)) memmove(s + o, s + i, (size_t)k), o += (size_t)k;
        i += (size_t)k;
    }
    s[o] = 0;
    return o;
}

/* ftfy's fix_and_explain on one segment: every fix, then NFC, until nothing changes. A pass
 * decodes one level of HTML escaping ("&amp;amp;" needs two); ftfy has no bound, and 16 here
 * only differs on text escaped more than 16 times, while it keeps a hostile megabyte of
 * "&amp;amp;..." from taking quadratic time. */
static int fix_segment(const char *text, size_t n, int entities, sbuf *dst)
{
    sbuf cur = {0}, tmp = {0};
    int rc = -1;
    if (sb_reserve(&cur, n)) return -1;
    memcpy(cur.p, text, n);
    cur.n = n;
    cur.p[n] = 0;
    for (int pass = 0; pass < 16; pass++) {
        if (sb_reserve(&tmp, irra_html_bound(cur.n))) goto out;
        memcpy(tmp.p, cur.p, cur.n + 1); /* tmp keeps this pass's input */
        tmp.n = cur.n;
        if (entities) {
            char *p = realloc(cur.p, irra_html_bound(tmp.n) + 1);
            if (!p) goto out;
            cur.p = p, cur.cap = irra_html_bound(tmp.n) + 1;
            cur.n = irra_ftfy_unescape(tmp.p, tmp.n, cur.p);
        }
        sbuf fixed = {0};
        if (ftfy_chars(cur.p, cur.n, &fixed)) {
            free(fixed.p);
            goto out;
        }
        fixed.n = remove_escapes(fixed.p, fixed.n);
        fixed.n = remove_controls(fixed.p, fixed.n);
        utf8proc_uint8_t *nfc;
        utf8proc_ssize_t m = utf8proc_map((utf8proc_uint8_t *)fixed.p, (utf8proc_ssize_t)fixed.n, &nfc,
                                          UTF8PROC_STABLE | UTF8PROC_COMPOSE);
        free(fixed.p);
        if (m < 0) goto out;
        free(cur.p);
        cur.p = (char *)nfc, cur.n = (size_t)m, cur.cap = (size_t)m + 1;
        if (cur.n == tmp.n && !memcmp(cur.p, tmp.p, cur.n)) break;
    }
    if (sb_reserve(dst, cur.n)) goto out;
    memcpy(dst->p + dst->n, cur.p, cur.n + 1);
    dst->n += cur.n;
    rc = 0;
out:
    free(cur.p);
    free(tmp.p);
    return rc;
}

/* ftfy.fix_text: line by line (each segment keeps its '\n'); HTML decoding stops for good at
 * the first line holding a '<' (ftfy's unescape_html="auto"). */
static char *ftfy(const char *text, size_t n, size_t *len)
{
    sbuf out = {0};
    int entities = 1;
    if (sb_reserve(&out, n)) return NULL;
    out.p[0] = 0;
    for (size_t pos = 0; pos < n;) {
        const char *nl = memchr(text + pos, '\n', n - pos);
        size_t end = nl ? (size_t)(nl - text) + 1 : n;
        if (memchr(text + pos, '<', end - pos)) entities = 0;
        if (fix_segment(text + pos, end - pos, entities, &out)) {
            free(out.p);
            return NULL;
        }
        pos = end;
    }
    *len = out.n;
    return out.p;
}

static char *unescape_twice(char *s, size_t *n)
{
    for (int k = 0; k < 2; k++) {
        if (!memchr(s, '&', *n)) break;
        char *o = malloc(irra_html_bound(*n) + 1);
        if (!o) {
            free(s);
            return NULL;
        }
        *n = irra_html_unescape(s, *n, o);
        free(s);
        s = o;
    }
    return s;
}

/* Decodes s into code points with every \s run as one space and the ends stripped. */
static int32_t *collapse_spaces(const char *s, size_t n, size_t *count)
{
    int32_t *cp = malloc((n + 1) * sizeof *cp), c;
    size_t m = 0;
    if (!cp) return NULL;
    for (size_t i = 0; i < n;) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0) {
            free(cp);
            return NULL;
        }
        i += (size_t)k;
        if (!irra_is_space(c)) cp[m++] = c;
        else if (m > 0 && cp[m - 1] != ' ') cp[m++] = ' ';
    }
    if (m > 0 && cp[m - 1] == ' ') m--;
    *count = m;
    return cp;
}

/* Unicode properties for the final-sigma rule of str.lower(), as CPython approximates them:
 * cased letters, and the case-ignorable marks, format characters, modifiers and apostrophes. */
static int cased(int32_t c)
{
    utf8proc_category_t g = utf8proc_category(c);
    return g == UTF8PROC_CATEGORY_LU || g == UTF8PROC_CATEGORY_LL || g == UTF8PROC_CATEGORY_LT ||
           utf8proc_tolower(c) != c || utf8proc_toupper(c) != c;
}

static int case_ignorable(int32_t c)
{
    utf8proc_category_t g = utf8proc_category(c);
    return g == UTF8PROC_CATEGORY_MN || g == UTF8PROC_CATEGORY_ME || g == UTF8PROC_CATEGORY_CF ||
           g == UTF8PROC_CATEGORY_LM || g == UTF8PROC_CATEGORY_SK || c == '\'' || c == '.' ||
           c == ':' || c == '^' || c == '`' || c == 0xb7 || c == 0x2019 || c == 0x2024;
}

/* CPython's handle_capital_sigma: Σ is final after a cased letter and before none. */
static int final_sigma(const int32_t *cp, size_t n, size_t i)
{
    size_t j = i;
    while (j > 0 && case_ignorable(cp[j - 1])) j--;
    if (j == 0 || !cased(cp[j - 1])) return 0;
    for (j = i + 1; j < n && case_ignorable(cp[j]); j++) {}
    return j == n || !cased(cp[j]);
}

/* Python's str.lower(): simple mappings, plus the one full mapping (U+0130 -> "i̇") and the
 * final sigma. Writes UTF-8 into a new string. */
static char *lower(const int32_t *cp, size_t n, size_t *len)
{
    sbuf out = {0};
    if (sb_reserve(&out, 4 * n + 4)) return NULL;
    for (size_t i = 0; i < n; i++) {
        if (cp[i] == 0x130) {
            sb_cp(&out, 'i');
            sb_cp(&out, 0x307);
        } else if (cp[i] == 0x3a3) {
            sb_cp(&out, final_sigma(cp, n, i) ? 0x3c2 : 0x3c3);
        } else {
            sb_cp(&out, utf8proc_tolower(cp[i]));
        }
    }
    out.p[out.n] = 0;
    *len = out.n;
    return out.p;
}

char *irra_text_clean(const char *text, size_t n, size_t *len, irra_err *e)
{
    utf8proc_int32_t c;
    for (size_t i = 0; i < n;) {
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)text + i, (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0) {
            irra_fail(e, "text is not valid UTF-8 (byte %zu)", i);
            return NULL;
        }
        i += (size_t)k;
    }
    size_t m, count;
    char *s = ftfy(text, n, &m);
    if (s) s = unescape_twice(s, &m);
    int32_t *cp = s ? collapse_spaces(s, m, &count) : NULL;
    free(s);
    s = cp ? lower(cp, count, len) : NULL;
    free(cp);
    if (!s) irra_fail(e, "out of memory cleaning text");
    return s;
}
