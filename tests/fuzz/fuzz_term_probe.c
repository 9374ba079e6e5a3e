/* The terminal's replies to the start-up probe (tui/term_probe.c): DA1, XTVERSION,
 * XTSMGRAPHICS, CSI 14/16/18 t, in any order, partial or garbled, and the decision made from
 * them. A terminal (or whatever sits between it and irra) writes these bytes. */
#define FUZZ_SEEDS make_seeds
#include "tests/fuzz/fuzz.h"
#include "tui/term_probe.h"

static void make_seeds(const char *dir)
{
    static const char *s[] = {
        "\033[?62;4;22c",
        ("\033P>|XTerm(390)\033\\\033[?1;0;1024S\033[?2;0;1000;1000S\033[6;20;10t\033[4;800;1200t"
         "\033[8;40;120t\033[?63;1;4c"),
        "\033[?1;3;0S\033[?64;22c",
        "\033P>|WezTerm 20230408\033\\\033[6;0;0t\033[?65;1;9c",
    };
    for (int i = 0; i < 4; i++) fuzz_seed(dir, i, s[i], strlen(s[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    if (n > 1 << 16) return 0;
    tui_caps c;
    memset(&c, 0, sizeof c);
    /* byte 0 splits the rest in two reads, as replies arrive in pieces */
    if (n == 0) return 0;
    size_t cut = 1 + data[0] % n; /* 1..n */
    tui_probe_parse((const char *)data + 1, (int)(cut - 1), &c);
    tui_probe_parse((const char *)data + cut, (int)(n - cut), &c);
    tui_caps_decide(&c, NULL, NULL);
    return 0;
}
