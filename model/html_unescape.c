/* Python's html.unescape and ftfy's unescape_html, byte for byte on UTF-8. Entity names are
 * ASCII, so everything else is copied through untouched. */
#include "model/html_unescape.h"

#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

static int cmp_entity(const void *key, const void *elem)
{
    const char *k = key;
    const irra_html_entity *en = elem;
    return strcmp(k, en->name);
}

/* The value of the entity named by the n bytes at s in table t, or NULL. */
static const char *lookup(const irra_html_entity *t, int nt, const char *s, size_t n)
{
    char key[40];
    if (n == 0 || n >= sizeof key) return NULL;
    memcpy(key, s, n);
    key[n] = 0;
    const irra_html_entity *en = bsearch(key, t, (size_t)nt, sizeof *t, cmp_entity);
    return en ? en->value : NULL;
}

static const char *entity(const char *s, size_t n)
{
    return lookup(irra_html_entities, irra_html_nentities, s, n);
}

static size_t put_cp(char *out, int32_t cp)
{
    return (size_t)utf8proc_encode_char(cp, (utf8proc_uint8_t *)out);
}

/* html._invalid_codepoints: C0/C1 controls other than whitespace, and the noncharacters. */
static int invalid_cp(uint32_t c)
{
    return (c >= 0x1 && c <= 0x8) || c == 0xb || (c >= 0xe && c <= 0x1f) ||
           (c >= 0x7f && c <= 0x9f) || (c >= 0xfdd0 && c <= 0xfdef) || (c & 0xfffe) == 0xfffe;
}

/* Python's _replace_charref for "#digits" / "#xhex": num saturates, as Python's int does
 * not overflow and anything above 0x10FFFF becomes U+FFFD anyway. */
static size_t numeric(uint32_t num, char *out)
{
    for (int i = 0; i < irra_html_ncharrefs; i++)
        if (irra_html_charrefs[i].ref == num) return put_cp(out, (int32_t)irra_html_charrefs[i].cp);
    if ((num >= 0xd800 && num <= 0xdfff) || num > 0x10ffff) return put_cp(out, 0xfffd);
    if (invalid_cp(num)) return 0;
    return put_cp(out, (int32_t)num);
}

static int isalnum_ascii(char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int hexval(int c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Parses "#123" or "#x7b" (plus an optional ';') at s; returns the bytes used or 0. */
static size_t parse_numeric(const char *s, size_t n, uint32_t *num)
{
    size_t i = 1, start;
    int base = 10;
    if (n < 2 || s[0] != '#') return 0;
    if (s[1] == 'x' || s[1] == 'X') base = 16, i = 2;
    start = i;
    uint64_t v = 0;
    for (; i < n; i++) {
        int d = base == 16 ? hexval((unsigned char)s[i]) : (s[i] >= '0' && s[i] <= '9' ? s[i] - '0' : -1);
        if (d < 0) break;
        v = v * (uint64_t)base + (uint64_t)d;
        if (v > 0x7fffffff) v = 0x7fffffff;
    }
    if (i == start) return 0;
    if (i < n && s[i] == ';') i++;
    *num = (uint32_t)v;
    return i;
}

/* After '&': the named-reference run [^\t\n\f <&#;]{1,32};? of Python's _charref regex,
 * counted in characters. Returns its length in bytes (0 if empty). */
static size_t name_run(const char *s, size_t n)
{
    size_t i = 0;
    int chars = 0;
    while (i < n && chars < 32 && !strchr("\t\n\f <&#;", s[i])) {
        i++;
        while (i < n && ((unsigned char)s[i] & 0xc0) == 0x80) i++; /* whole UTF-8 character */
        chars++;
    }
    if (i > 0 && i < n && s[i] == ';') i++;
    return i;
}

/* Named reference s[0..len): the whole name, else the longest prefix of at least 2 characters
 * (Python's loop over s[:x]); writes the replacement, returns the bytes of s replaced or 0. */
static size_t named(const char *s, size_t len, char *out, size_t *outn)
{
    const char *v = entity(s, len);
    size_t x = len;
    if (!v) {
        /* prefixes are tried longest first; a name is ASCII, so a prefix cut inside a UTF-8
         * character cannot match and costs nothing to try */
        for (x = len - 1; x >= 2 && !v; x--) v = entity(s, x);
        x++;
        if (!v) return 0;
    }
    size_t vn = strlen(v);
    memcpy(out, v, vn);
    *outn = vn;
    return x;
}

size_t irra_html_unescape(const char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        if (s[i] != '&') {
            out[o++] = s[i++];
            continue;
        }
        uint32_t num;
        size_t used = parse_numeric(s + i + 1, n - i - 1, &num);
        if (used) {
            o += numeric(num, out + o);
            i += 1 + used;
            continue;
        }
        size_t run = i + 1 < n && s[i + 1] != '#' ? name_run(s + i + 1, n - i - 1) : 0, vn = 0;
        used = run ? named(s + i + 1, run, out + o, &vn) : 0;
        if (used) {
            o += vn;
            i += 1 + used;
        } else {
            /* an unknown name stays as it is; the run holds no '&', so copying just this '&'
             * and scanning on gives the same text */
            out[o++] = s[i++];
        }
    }
    out[o] = 0;
    return o;
}

size_t irra_ftfy_unescape(const char *s, size_t n, char *out)
{
    size_t i = 0, o = 0;
    while (i < n) {
        /* HTML_ENTITY_RE = &#?[0-9A-Za-z]{1,24}; */
        size_t j = i + 1, k;
        if (s[i] == '&' && j < n && s[j] == '#') j++;
        for (k = j; s[i] == '&' && k < n && k - j < 25 && isalnum_ascii(s[k]); k++) {}
        if (s[i] != '&' || k == j || k - j > 24 || k >= n || s[k] != ';') {
            out[o++] = s[i++];
            continue;
        }
        size_t len = k + 1 - i; /* "&...;" */
        const char *v = NULL;
        if (s[i + 1] != '#' && !(v = entity(s + i + 1, len - 1)))
            v = lookup(irra_ftfy_capitals, irra_ftfy_ncapitals, s + i + 1, len - 1);
        size_t vn;
        if (v) {
            vn = strlen(v);
            memcpy(out + o, v, vn);
        } else if (s[i + 1] == '#') {
            /* html.unescape of the match, kept only when it consumed the ';' */
            uint32_t num;
            size_t used = parse_numeric(s + i + 1, len - 1, &num);
            vn = used == len - 1 ? numeric(num, out + o) : 0;
            if (used != len - 1 || memchr(out + o, ';', vn)) memcpy(out + o, s + i, vn = len);
        } else {
            memcpy(out + o, s + i, vn = len);
        }
        o += vn;
        i += len;
    }
    out[o] = 0;
    return o;
}
