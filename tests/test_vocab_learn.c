/* BPE learning (train/vocab_learn.c): the merges of Sennrich et al.'s example in order, the
 * limits, independence from caption order, every word one token, the file read back by the
 * tokenizer, and bad captions named. */
#include "model/bpe.h"
#include "tests/check.h"
#include "train/vocab_learn.h"

#include <stdlib.h>
#include <string.h>

/* low x5, lower x2, newest x6, widest x3: the example of "Neural Machine Translation of Rare
 * Words with Subword Units" */
static const char *example[] = {"low low low low low lower lower", "newest newest newest",
                                "newest newest newest widest widest widest"};

static char *learn(const char *const *texts, int n, int min_count, int max_merges, irra_vocab_stats *st)
{
    irra_vocab_opts o = {min_count, max_merges};
    irra_err e = {{0}};
    size_t len;
    char *t = irra_vocab_learn(texts, n, &o, st, &len, &e);
    if (!t) printf("  learn: %s\n", e.msg);
    else EXPECT(strlen(t) == len);
    return t;
}

static int lines(const char *t)
{
    int n = 0;
    for (; *t; t++) n += *t == '\n';
    return n - 1; /* the header */
}

static irra_bpe *load(const char *t)
{
    irra_err e = {{0}};
    irra_bpe *b = irra_bpe_load_mem(t, strlen(t), &e);
    if (!b) printf("  load: %s\n", e.msg);
    return b;
}

/* The pairs (e,s) and (s,t</w>) occur 9 times; the tie goes to the smaller ids, (e,s); then
 * (es,t</w>) 9, then (l,o) 7. */
static void merges_follow_the_paper_example(void)
{
    irra_vocab_stats st;
    char *t = learn(example, 3, 2, IRRA_VOCAB_MAX_MERGES, &st);
    EXPECT(t != NULL);
    if (!t) return;
    const char *first = strchr(t, '\n') + 1;
    EXPECTF(!strncmp(first, "e s\nes t</w>\nl o\n", 17), "%.40s", first);
    EXPECT(!strncmp(t, "#version: 0.2", 13));
    EXPECT(st.words == 16 && st.distinct == 4 && st.whole == 16 && st.merges == lines(t));
    irra_bpe *b = load(t);
    EXPECT(b && irra_bpe_vocab_size(b) == 512 + st.merges + 3);
    int32_t ids[16];
    irra_err e = {{0}};
    for (int i = 0; b && i < 4; i++) {
        const char *w = (const char *[]){"low", "lower", "newest", "widest"}[i];
        EXPECTF(irra_bpe_encode(b, w, ids, 16, &e) == 3, "%s is not one token", w);
    }
    EXPECT(b && irra_bpe_encode(b, "lowest", ids, 16, &e) > 3); /* never seen: pieces */
    irra_bpe_free(b);
    free(t);
}

static void limits_stop_the_merging(void)
{
    irra_vocab_stats st;
    char *t = learn(example, 3, 1, 2, &st);
    EXPECT(t && lines(t) == 2 && st.merges == 2 && st.whole == 0);
    free(t);
    t = learn(example, 3, 10, IRRA_VOCAB_MAX_MERGES, &st); /* no pair occurs 10 times */
    EXPECT(t && lines(t) == 0 && st.merges == 0);
    irra_bpe *b = t ? load(t) : NULL;
    EXPECT(b && irra_bpe_vocab_size(b) == 515);
    irra_bpe_free(b);
    free(t);
    irra_vocab_opts bad = {0, 10};
    irra_err e = {{0}};
    size_t len;
    EXPECT(!irra_vocab_learn(example, 3, &bad, NULL, &len, &e) && strstr(e.msg, "min count"));
}

static void caption_order_does_not_matter(void)
{
    const char *rev[] = {example[2], example[0], example[1]};
    char *a = learn(example, 3, 1, IRRA_VOCAB_MAX_MERGES, NULL), *b = learn(rev, 3, 1, IRRA_VOCAB_MAX_MERGES, NULL);
    EXPECT(a && b && !strcmp(a, b));
    free(a), free(b);
}

/* With min count 1 every pre-token of the captions ends as one token, whatever its bytes:
 * punctuation runs, digits, contractions, UTF-8 (the merges spell bytes in CLIP's alphabet). */
static void every_word_becomes_one_token(void)
{
    const char *caps[] = {"A man in a T-shirt, she's got 2 bags!", "Caf\xc3\xa9 au lait... ok?",
                          "<|mask|> wears na\xc3\xafve stripes"};
    irra_vocab_stats st;
    char *t = learn(caps, 3, 1, IRRA_VOCAB_MAX_MERGES, &st);
    irra_bpe *b = t ? load(t) : NULL;
    EXPECT(b != NULL);
    const char *words[] = {"man", "shirt", "she", "'s", "2", "bags", "!", "caf\xc3\xa9", "...",
                           "na\xc3\xafve", "stripes", "wears", "<|mask|>"};
    int32_t ids[16];
    irra_err e = {{0}};
    for (size_t i = 0; b && i < sizeof words / sizeof *words; i++)
        EXPECTF(irra_bpe_encode(b, words[i], ids, 16, &e) == 3, "'%s' is not one token", words[i]);
    EXPECT(st.whole == st.words && st.distinct == 22);
    EXPECT(b && irra_bpe_encode(b, "<|mask|>", ids, 16, &e) == 3 && ids[1] == irra_bpe_mask(b));
    irra_bpe_free(b);
    free(t);
}

static void bad_caption_is_named(void)
{
    const char *caps[] = {"fine", "not \xff UTF-8"};
    irra_vocab_opts o = {1, 100};
    irra_err e = {{0}};
    size_t len;
    EXPECT(!irra_vocab_learn(caps, 2, &o, NULL, &len, &e) && strstr(e.msg, "caption 2"));
}

int main(void)
{
    RUN(merges_follow_the_paper_example);
    RUN(limits_stop_the_merging);
    RUN(caption_order_does_not_matter);
    RUN(every_word_becomes_one_token);
    RUN(bad_caption_is_named);
    return DONE();
}
