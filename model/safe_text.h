/* Text from files, datasets, galleries, terminals and arguments made safe to print on a
 * terminal. A file name or a caption may hold ESC ] 52 (a clipboard write), a title change or
 * a lone 0x9B (CSI to a terminal in 8-bit mode); printed raw, the terminal obeys it. */
#ifndef IRRA_SAFE_TEXT_H
#define IRRA_SAFE_TEXT_H

#include <stddef.h>

/* Copies src to dst (n bytes, NUL included; dst may be src itself) with every character a
 * terminal could act on replaced by one '?': C0 controls (tab and newline too: what it makes
 * is one line), DEL, the C1 controls U+0080..U+009F, the line and paragraph separators and the
 * bidirectional embeddings, overrides and isolates, and every byte that is not part of valid
 * UTF-8. Printable UTF-8 is kept as it is. The result is never longer than src, so a string
 * is made safe in place with irra_safe_text(s, strlen(s) + 1, s). A copy that does not fit is
 * cut at a character boundary. Returns the length written. */
size_t irra_safe_text(char *dst, size_t n, const char *src);

/* 1 when irra_safe_text would change nothing in s. */
int irra_text_is_safe(const char *s);

/* Text to be stored (a dataset caption): a NUL-terminated copy of s[0..n) in which every byte
 * that is not part of valid UTF-8, and every NUL, is replaced by U+FFFD, so that the copy is
 * all there is (a NUL would cut it) and every later reader can decode it. *changed (optional)
 * says whether anything was replaced. NULL when out of memory. */
char *irra_utf8_repair(const char *s, size_t n, int *changed);

#endif
