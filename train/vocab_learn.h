/* Learning a byte-level BPE vocabulary from captions (irra vocab), written in CLIP's merges
 * format so that irra's tokenizer (model/bpe.c) and IRRA's simple_tokenizer.py read it alike.
 *
 * The words are what the tokenizer will see: CLIP's pre-tokens of the cleaned captions (ftfy,
 * HTML entities, white space, lower case). Starting from their bytes, with the last byte of a
 * word marked "</w>", the most frequent adjacent pair of tokens, counted over every occurrence
 * of every word, is merged into a new token, until no pair occurs min_count times or
 * max_merges are made (Sennrich et al.'s BPE). Ties go to the pair of smaller ids, so the
 * result depends only on the captions. A pair whose joined token exists already is skipped:
 * the tokenizer refuses a file that makes a token twice.
 *
 * The text ends with a newline, so every merge line makes a token (simple_tokenizer.py pops
 * the empty element after it for <|mask|>): 512 + merges + 3 ids in all. */
#ifndef IRRA_VOCAB_LEARN_H
#define IRRA_VOCAB_LEARN_H

#include "model/err.h"

#include <stddef.h>

/* CLIP's number of merge tokens: a learned vocabulary is never larger than CLIP's 49,408 ids. */
#define IRRA_VOCAB_MAX_MERGES (49152 - 256 - 2 - 1)

typedef struct {
    int min_count;  /* merge pairs that occur at least this often (>= 1) */
    int max_merges; /* at most this many merges (1 .. IRRA_VOCAB_MAX_MERGES) */
} irra_vocab_opts;

typedef struct {
    long words;      /* pre-tokens in the captions */
    int distinct;    /* distinct words */
    int merges;      /* merge lines written */
    long whole;      /* pre-tokens that end as one token */
} irra_vocab_stats;

/* Learns the merges from n texts; returns the merges text (a header line, then "A B\n" per
 * merge; free it), its length in *len, or NULL with e set (a text that is not UTF-8 names its
 * index). */
char *irra_vocab_learn(const char *const *texts, int n, const irra_vocab_opts *o,
                       irra_vocab_stats *st, size_t *len, irra_err *e);

#endif
