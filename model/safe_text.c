#include "model/safe_text.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* Characters a terminal acts on or that reorder what follows them. */
static int unsafe(utf8proc_int32_t c)
{
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || c == 0x2028 || c == 0x2029 ||
           (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069) || c == 0x061c ||
           c == 0x200e || c == 0x200f;
}

/* Length of the character at s (0 at the end), and whether it may be printed as it is. */
static size_t next(const char *s, int *ok)
{
    if (!*s) return 0;
    utf8proc_int32_t c;
    /* utf8proc_iterate refuses overlong forms, surrogates and code points past U+10FFFF */
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s, -1, &c);
    if (k <= 0) {
        *ok = 0;
        return 1;
    }
    *ok = !unsafe(c);
    return (size_t)k;
}

size_t irra_safe_text(char *dst, size_t n, const char *src)
{
    if (!n) return 0;
    size_t out = 0, k;
    int ok;
    while ((k = next(src, &ok))) {
        size_t w = ok ? k : 1;
        if (out + w >= n) break;
        if (ok) memmove(dst + out, src, k);
        else dst[out] = '?';
        out += w;
        src += k;
    }
    dst[out] = 0;
    return out;
}

int irra_text_is_safe(const char *s)
{
    size_t k;
    int ok = 1;
    while (ok && (k = next(s, &ok))) s += k;
    return ok;
}

char *irra_utf8_repair(const char *s, size_t n, int *changed)
{
    int bad = 0;
    char *out = n < (SIZE_MAX - 1) / 3 ? malloc(3 * n + 1) : NULL; /* a byte grows to 3 at most */
    if (!out) return NULL;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0 || c == 0) {
            memcpy(out + o, "\xef\xbf\xbd", 3);
            o += 3, i++, bad = 1;
        } else {
            memcpy(out + o, s + i, (size_t)k);
            o += (size_t)k, i += (size_t)k;
        }
    }
    out[o] = 0;
    if (changed) *changed = bad;
    return out;
}
