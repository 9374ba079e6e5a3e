/* The caption cleaning of IRRA's tokenizer (utils/simple_tokenizer.py, spec section 8):
 * ftfy.fix_text, html.unescape twice, whitespace collapsed and stripped, Unicode lowercase. */
#ifndef IRRA_TEXT_CLEAN_H
#define IRRA_TEXT_CLEAN_H

#include "model/err.h"

#include <stddef.h>

/* Cleans the n bytes of UTF-8 at text. Returns a malloc'd NUL-terminated string and its length
 * in *len, or NULL with e set (text that is not UTF-8, out of memory). */
char *irra_text_clean(const char *text, size_t n, size_t *len, irra_err *e);

/* Python's str.isspace(): the characters that \s+ collapses and strip() removes. */
int irra_is_space(int cp);

#endif
