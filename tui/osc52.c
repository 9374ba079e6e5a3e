/* OSC 52 with base64. */
#include "tui/osc52.h"

#include <string.h>

int tui_osc52_copy(FILE *f, const char *text)
{
    static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const unsigned char *s = (const unsigned char *)text;
    size_t n = strlen(text);
    int out = fprintf(f, "\033]52;c;");
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = s[i] << 16 | (i + 1 < n ? s[i + 1] << 8 : 0) | (i + 2 < n ? s[i + 2] : 0);
        char q[4] = {b64[v >> 18 & 63], b64[v >> 12 & 63], i + 1 < n ? b64[v >> 6 & 63] : '=',
                     i + 2 < n ? b64[v & 63] : '='};
        out += (int)fwrite(q, 1, 4, f);
    }
    out += fprintf(f, "\a");
    return out;
}
