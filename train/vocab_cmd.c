/* irra vocab: a BPE vocabulary learned from a dataset's captions, in CLIP's merges format, for
 * irra train --vocab (a model trained with it embeds it). */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "gallery/dataset.h"
#include "gallery/gallery_cmd.h"
#include "model/atomic_file.h"
#include "model/bpe.h"
#include "train/vocab_learn.h"

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char usage[] =
    "usage: irra vocab --dataset SPEC -o FILE [--split S] [--min-count N] [--max-merges N]\n"
    "                  [--force]\n\n"
    "Learns a byte-level BPE vocabulary from the captions of a dataset split and writes it in\n"
    "CLIP's merges format (bpe_simple_vocab_16e6.txt), for irra train --vocab FILE: a model\n"
    "trained with it embeds it. IRRA's simple_tokenizer.py reads the file the same way.\n"
    "A vocabulary of the words a dataset uses is a small fraction of CLIP's 49,408 tokens,\n"
    "and so is the token embedding and the MLM head's output layer of a model trained on it.\n\n"
    "  --dataset SPEC   cuhk-pedes:DIR, icfg-pedes:DIR or rstpreid:DIR\n"
    "  --split S        the split whose captions are read (default train)\n"
    "  -o, --output F   the merges file to write (gzipped when F ends in .gz)\n"
    "  --min-count N    merge pairs seen at least N times (default 2)\n"
    "  --max-merges N   at most N merges (default and largest 48893, CLIP's number)\n"
    "  --force          replace F if it exists\n";

typedef struct {
    const char *dataset, *split, *out;
    irra_vocab_opts v;
    int force;
} options;

static int parse_count(const char *s, const char *what, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < 1 || v > hi)
        return cli_error("vocab: %s '%s' is not a number from 1 to %d", what, s, hi);
    *out = (int)v;
    return 0;
}

static int parse(int argc, char **argv, options *o)
{
    enum { DATASET = 256, SPLIT, MIN, MAX, FORCE };
    static const struct option opts[] = {
        {"dataset", required_argument, 0, DATASET}, {"split", required_argument, 0, SPLIT},
        {"output", required_argument, 0, 'o'}, {"min-count", required_argument, 0, MIN},
        {"max-merges", required_argument, 0, MAX}, {"force", no_argument, 0, FORCE},
        {0, 0, 0, 0}};
    *o = (options){.split = "train", .v = {2, IRRA_VOCAB_MAX_MERGES}};
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, ":o:", opts, NULL)) != -1;) {
        switch (c) {
        case DATASET: o->dataset = optarg; break;
        case SPLIT: o->split = optarg; break;
        case 'o': o->out = optarg; break;
        case MIN: if (parse_count(optarg, "--min-count", 1 << 30, &o->v.min_count)) return -1; break;
        case MAX: if (parse_count(optarg, "--max-merges", IRRA_VOCAB_MAX_MERGES, &o->v.max_merges)) return -1; break;
        case FORCE: o->force = 1; break;
        default: return cli_bad_option("vocab", "irra vocab --help", ":o:", argv), -1;
        }
    }
    if (optind < argc) return cli_error("vocab: unexpected argument '%s'", argv[optind]), -1;
    if (!o->dataset) return cli_error("vocab: no --dataset (cuhk-pedes:DIR, icfg-pedes:DIR, rstpreid:DIR)"), -1;
    if (!o->out) return cli_error("vocab: no -o FILE"), -1;
    if (strncmp(o->dataset, "images:", 7) == 0)
        return cli_error("vocab: %s has no captions: give an annotated dataset", o->dataset), -1;
    struct stat st;
    if (!o->force && stat(o->out, &st) == 0)
        return cli_error("vocab: %s exists (--force replaces it)", o->out), -1;
    return 0;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && !strcmp(s + n - m, tail);
}

/* Writes the text atomically (gzipped for a path ending in .gz, as the official code's
 * gzip.open needs), then reads it back as the tokenizer will. */
static int write_checked(const char *path, const char *text, size_t n, int *nvocab, irra_err *e)
{
    if (irra_atomic_write(path, text, n, ends_with(path, ".gz"), e)) return -1;
    irra_bpe *b = irra_bpe_load_file(path, e);
    if (!b) return -1;
    *nvocab = irra_bpe_vocab_size(b);
    irra_bpe_free(b);
    return 0;
}

int cmd_vocab(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    options o;
    if (parse(argc, argv, &o)) return CLI_EXIT_ERROR;
    irra_err e = {{0}};
    gal_dataset *d = gal_dataset_open(o.dataset, o.split, &e);
    if (!d) return cli_error("%s", e.msg);
    gal_cmd_print_warnings(d);
    int rc = 0, nvocab = 0;
    const char **texts = malloc(((size_t)d->n_captions + 1) * sizeof *texts);
    irra_vocab_stats st;
    size_t n = 0;
    char *text = NULL;
    if (!texts) rc = cli_error("vocab: out of memory");
    else if (d->n_captions == 0) rc = cli_error("%s: the %s split has no captions", o.dataset, o.split);
    if (!rc) {
        for (int i = 0; i < d->n_captions; i++) texts[i] = d->captions[i].text;
        if (!(text = irra_vocab_learn(texts, d->n_captions, &o.v, &st, &n, &e)))
            rc = cli_error("%s (%s split): %s", o.dataset, o.split, e.msg);
        else if (write_checked(o.out, text, n, &nvocab, &e))
            rc = cli_error("%s", e.msg);
    }
    if (!rc) {
        char safe[4200];
        printf("vocab: %d merges from %d captions (%ld words, %d distinct; %.1f%% of the words are one "
               "token): %d ids, written to %s\n", st.merges, d->n_captions, st.words, st.distinct,
               st.words ? 100.0 * (double)st.whole / (double)st.words : 100.0, nvocab,
               cli_safe(o.out, safe, sizeof safe));
    }
    free(text);
    free(texts);
    gal_dataset_free(d);
    return rc;
}
