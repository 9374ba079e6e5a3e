/* The tokenizer on caption bytes (model/bpe.c, text_clean.c, html_unescape.c, pretokenize.c):
 * ftfy-style cleaning, HTML entities, the pre-tokenizer's regular expression, UTF-8 checks,
 * BPE, truncation to the context; then every id back to its text. */
#define FUZZ_SEEDS make_seeds
#define FUZZ_INIT() ((void)fuzz_vocab())
#include "tests/fuzz/vocab.h"
#include "tests/fuzz/fuzz.h"

static void make_seeds(const char *dir)
{
    static const char *s[] = {
        "A woman in a red coat carrying a black bag.",
        "the man wears a white t-shirt &amp; blue jeans&#x27;s, he&#39;s walking   fast",
        "一个穿着红色外套的女人 caf\xc3\xa9 na\xc3\xafve \xf0\x9f\x98\x80 jekyll",
        "<|startoftext|> a <|mask|> <|endoftext|> 12345 don't WE'LL",
    };
    for (int i = 0; i < 4; i++) fuzz_seed(dir, i, s[i], strlen(s[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    char *text = malloc(n + 1);
    memcpy(text, data, n);
    text[n] = 0;
    int32_t ids[77];
    irra_err e;
    int k = irra_bpe_encode(fuzz_vocab(), text, ids, 77, &e);
    for (int i = 0; i < k; i++)
        if (!irra_bpe_token(fuzz_vocab(), ids[i])) abort(); /* every id it makes has a text */
    free(text);
    return 0;
}
