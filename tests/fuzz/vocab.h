/* The shipped CLIP merges file, loaded once per fuzzing process (run from the repository root,
 * or with IRRA_FUZZ_VOCAB naming the file). */
#ifndef IRRA_FUZZ_VOCAB_H
#define IRRA_FUZZ_VOCAB_H

#include "model/bpe.h"

#include <stdio.h>
#include <stdlib.h>

static irra_bpe *fuzz_vocab(void)
{
    static irra_bpe *b;
    if (!b) {
        const char *p = getenv("IRRA_FUZZ_VOCAB");
        irra_err e;
        if (!(b = irra_bpe_load_file(p && *p ? p : "assets/bpe_simple_vocab_16e6.txt.gz", &e))) {
            fprintf(stderr, "%s\n", e.msg);
            exit(1);
        }
    }
    return b;
}

#endif
