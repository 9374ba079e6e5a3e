/* HTML character references as Python decodes them: html.unescape (which IRRA's tokenizer
 * applies twice to every caption) and ftfy's stricter unescape_html (part of ftfy.fix_text).
 * Both work on UTF-8 and write at most irra_html_bound(n) bytes plus a terminating NUL. */
#ifndef IRRA_HTML_UNESCAPE_H
#define IRRA_HTML_UNESCAPE_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
    const char *name; /* "amp;", and "amp" for the legacy names that work without ';' */
    const char *value;
} irra_html_entity;

typedef struct {
    uint32_t ref, cp; /* &#ref; means code point cp (Windows-1252 for 0x80..0x9f) */
} irra_html_charref;

extern const irra_html_entity irra_html_entities[]; /* sorted by strcmp of name */
extern const int irra_html_nentities;
extern const irra_html_charref irra_html_charrefs[]; /* sorted by ref */
extern const int irra_html_ncharrefs;
extern const irra_html_entity irra_ftfy_capitals[]; /* "EACUTE;" -> "É", sorted by name */
extern const int irra_ftfy_ncapitals;

/* A safe output size for n input bytes: no named reference grows by more than 6/5 ("&nLt;"),
 * nor a numeric one or one of ftfy's capitals by more than 1. */
static inline size_t irra_html_bound(size_t n) { return 2 * n + 16; }

/* Python's html.unescape(s): numeric references with or without ';', the HTML5 names, and
 * the longest legacy name that prefixes an unknown one ("&ampx" -> "&x"). Returns the length. */
size_t irra_html_unescape(const char *s, size_t n, char *out);

/* ftfy's unescape_html: only "&name;" and "&#...;" forms of at most 24 characters, a name
 * also in capitals ("&EACUTE;" -> "É"). Returns the length. */
size_t irra_ftfy_unescape(const char *s, size_t n, char *out);

#endif
