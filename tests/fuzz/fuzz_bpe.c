/* The BPE merges file (model/bpe.c): gzip or plain text, up to 48,894 merges each made of tokens
 * of earlier lines. A file of random bytes fails on its first line, so most inputs edit the real
 * merges text instead: byte 0 odd, bytes 1-4 a position, the rest written over the text there.
 * Byte 0 even: the rest is the whole file (gzip headers, truncation, sizes). */
#define FUZZ_SEEDS make_seeds
#define FUZZ_INIT() ((void)fuzz_vocab())
#include "tests/fuzz/vocab.h"
#include "tests/fuzz/fuzz.h"

static void make_seeds(const char *dir)
{
    static const uint8_t edits[][12] = {
        {1, 0, 0, 0, 0, 'x'},                       /* the header line */
        {1, 0x40, 0, 0, 0, 'a', ' ', 'b', '\n'},    /* a merge of unknown tokens */
        {1, 0, 0x10, 0, 0, '<', '/', 'w', '>', ' '}, /* "</w>" where it may not be */
        {1, 0xff, 0xff, 0x07, 0, '\n', '\n'},        /* an empty line near the end */
        {0, 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3},    /* a gzip header and nothing after it */
        {0, '#', 'v', 'e', 'r', 's', 'i', 'o', 'n', '\n', 'a', ' '},
    };
    for (int i = 0; i < 6; i++) fuzz_seed(dir, i, edits[i], sizeof edits[i]);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    irra_err e;
    irra_bpe *b;
    if (n < 1) return 0;
    if (!(data[0] & 1)) {
        b = irra_bpe_load_mem_named(data + 1, n - 1, "fuzz.txt", &e);
    } else {
        if (n < 5) return 0;
        size_t len;
        const char *text = irra_bpe_merges_text(fuzz_vocab(), &len);
        uint32_t at;
        memcpy(&at, data + 1, 4);
        size_t pos = at % len, k = n - 5 < len - pos ? n - 5 : len - pos;
        char *t = malloc(len);
        memcpy(t, text, len);
        memcpy(t + pos, data + 5, k);
        b = irra_bpe_load_mem_named(t, len, "fuzz.txt", &e);
        free(t);
    }
    irra_bpe_free(b);
    return 0;
}
