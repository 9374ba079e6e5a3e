/* The pre-tokenizer regex. The `regex` module tries the alternatives in order at each position
 * and the first that matches wins, as PCRE2 does; \p{L}/\p{N} need PCRE2_UCP. Digits are one
 * per token. Whitespace matches no alternative and is skipped by the search. */
#define PCRE2_CODE_UNIT_WIDTH 8
#include "model/pretokenize.h"

#include <pcre2.h>
#include <stdlib.h>

static const char pattern[] =
    "<\\|startoftext\\|>|<\\|mask\\|>|<\\|endoftext\\|>|'s|'t|'re|'ve|'m|'ll|'d|"
    "[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+";

struct irra_pretok {
    pcre2_code *re;
};

irra_pretok *irra_pretok_new(irra_err *e)
{
    int err;
    PCRE2_SIZE at;
    irra_pretok *p = calloc(1, sizeof *p);
    if (!p) {
        irra_fail(e, "out of memory");
        return NULL;
    }
    p->re = pcre2_compile((PCRE2_SPTR)pattern, PCRE2_ZERO_TERMINATED,
                          PCRE2_UTF | PCRE2_UCP | PCRE2_CASELESS | PCRE2_NO_UTF_CHECK, &err, &at, NULL);
    if (!p->re) {
        PCRE2_UCHAR msg[120];
        pcre2_get_error_message(err, msg, sizeof msg);
        irra_fail(e, "pre-tokenizer regex: %s at %zu", (char *)msg, (size_t)at);
        free(p);
        return NULL;
    }
    pcre2_jit_compile(p->re, PCRE2_JIT_COMPLETE); /* optional: plain matching works without */
    return p;
}

void irra_pretok_free(irra_pretok *p)
{
    if (!p) return;
    pcre2_code_free(p->re);
    free(p);
}

int irra_pretok_each(const irra_pretok *p, const char *s, size_t n,
                     int (*fn)(void *ctx, const char *tok, size_t len), void *ctx, irra_err *e)
{
    /* match data is per call: the compiled pattern is shared and read-only */
    pcre2_match_data *md = pcre2_match_data_create_from_pattern(p->re, NULL);
    if (!md) return irra_fail(e, "out of memory");
    int rc = 0;
    for (size_t pos = 0; pos < n;) {
        int m = pcre2_match(p->re, (PCRE2_SPTR)s, n, pos, 0, md, NULL);
        if (m == PCRE2_ERROR_NOMATCH) break;
        if (m < 0) {
            PCRE2_UCHAR msg[120];
            pcre2_get_error_message(m, msg, sizeof msg);
            rc = irra_fail(e, "pre-tokenizer: %s", (char *)msg);
            break;
        }
        PCRE2_SIZE *ov = pcre2_get_ovector_pointer(md);
        if (ov[1] <= ov[0]) break; /* no alternative matches empty; guard the loop anyway */
        if (fn(ctx, s + ov[0], ov[1] - ov[0])) break;
        pos = ov[1];
    }
    pcre2_match_data_free(md);
    return rc;
}
