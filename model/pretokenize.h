/* CLIP's pre-tokenizer: the ordered alternation regex of simple_tokenizer.py (IGNORECASE),
 * with IRRA's <|mask|> added, through PCRE2 with UTF and Unicode properties. */
#ifndef IRRA_PRETOKENIZE_H
#define IRRA_PRETOKENIZE_H

#include "model/err.h"

#include <stddef.h>

typedef struct irra_pretok irra_pretok;

irra_pretok *irra_pretok_new(irra_err *e);
void irra_pretok_free(irra_pretok *p);

/* Calls fn on each pre-token of the n bytes of cleaned UTF-8 at s, left to right, skipping
 * whitespace; stops early when fn returns non-zero. Returns 0, or -1 with e set. */
int irra_pretok_each(const irra_pretok *p, const char *s, size_t n,
                     int (*fn)(void *ctx, const char *tok, size_t len), void *ctx, irra_err *e);

#endif
