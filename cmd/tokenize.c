/* irra tokenize: captions to CLIP token ids, the way IRRA feeds its text tower. */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "model/bpe.h"
#include "model/tensors.h"

#include <getopt.h>
#include <json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: irra tokenize [--vocab FILE | --model M] [--context N] TEXT...\n"
    "       irra tokenize [--vocab FILE | --model M] [--context N] --jsonl < strings.jsonl\n\n"
    "Prints the CLIP token ids of each TEXT as one JSON array per line: <|startoftext|>,\n"
    "the BPE ids, <|endoftext|>, truncated to N ids with <|endoftext|> kept last (no padding).\n\n"
    "  --vocab FILE    a merges file: CLIP's bpe_simple_vocab_16e6.txt[.gz] (the default,\n"
    "                  shipped) or one learned by irra vocab\n"
    "  --model M       use the vocabulary embedded in an irra model file\n"
    "  --context N     at most N ids per text (default 77, IRRA's text length)\n"
    "  --jsonl         read one JSON string per line from standard input\n";

static void print_ids(const int32_t *ids, int n)
{
    putchar('[');
    for (int i = 0; i < n; i++) printf(i ? ", %d" : "%d", ids[i]);
    fputs("]\n", stdout);
}

/* ftfy drops U+0000, so a JSON "\u0000" in a caption goes before it reaches the C string */
static void drop_nuls(char *s, size_t n)
{
    size_t o = 0;
    for (size_t i = 0; i < n; i++)
        if (s[i]) s[o++] = s[i];
    s[o] = 0;
}

/* The vocabulary: --vocab, else the one embedded in --model, else the shipped merges file. */
static irra_bpe *load_vocab(const char *vocab, const char *model, irra_err *e)
{
    char shipped[4096];
    if (vocab) return irra_bpe_load_file(vocab, e);
    if (!model) {
        if (cli_asset_path("bpe_simple_vocab_16e6.txt.gz", shipped, sizeof shipped))
            return irra_fail(e, "no --vocab given and no shipped vocabulary found"), NULL;
        return irra_bpe_load_file(shipped, e);
    }
    irra_tensors *ts = irra_tensors_open(model, e);
    if (!ts) return NULL;
    const char *merges = irra_tensors_meta(ts, "irra.bpe_merges");
    irra_bpe *b = merges ? irra_bpe_load_mem_named(merges, strlen(merges), model, e) : NULL;
    if (!merges) irra_fail(e, "%s: the model file has no vocabulary (irra.bpe_merges): give --vocab", model);
    irra_tensors_free(ts);
    return b;
}

static int tokenize_jsonl(const irra_bpe *b, int32_t *ids, int context)
{
    char *line = NULL;
    size_t cap = 0;
    long lineno = 0;
    int rc = 0;
    json_tokener *tok = json_tokener_new();
    if (!tok) return cli_error("tokenize: out of memory");
    for (ssize_t len; !rc && (len = getline(&line, &cap, stdin)) > 0;) {
        lineno++;
        json_tokener_reset(tok);
        json_object *o = json_tokener_parse_ex(tok, line, (int)len);
        enum json_tokener_error je = json_tokener_get_error(tok);
        size_t used = json_tokener_get_parse_end(tok);
        while (used < (size_t)len && strchr(" \t\r\n", line[used])) used++;
        if (!o || je != json_tokener_success || used < (size_t)len || !json_object_is_type(o, json_type_string)) {
            rc = cli_error("tokenize: stdin line %ld: not a JSON string%s%s", lineno, o ? "" : ": ",
                           o ? "" : json_tokener_error_desc(je));
        } else {
            size_t n = (size_t)json_object_get_string_len(o);
            char *s = malloc(n + 1);
            irra_err e = {{0}};
            int k = s ? (memcpy(s, json_object_get_string(o), n + 1), drop_nuls(s, n),
                         irra_bpe_encode(b, s, ids, context, &e)) : -1;
            if (k < 0) rc = cli_error("tokenize: stdin line %ld: %s", lineno, s ? e.msg : "out of memory");
            else print_ids(ids, k);
            free(s);
        }
        json_object_put(o);
    }
    free(line);
    json_tokener_free(tok);
    return rc;
}

int cmd_tokenize(int argc, char **argv)
{
    static const struct option opts[] = {{"vocab", required_argument, 0, 'v'},
                                         {"model", required_argument, 0, 'm'},
                                         {"context", required_argument, 0, 'c'},
                                         {"jsonl", no_argument, 0, 'j'},
                                         {"help", no_argument, 0, 'h'},
                                         {0, 0, 0, 0}};
    if (cli_wants_help(argc, argv, usage)) return 0;
    const char *vocab = NULL, *model = NULL;
    long context = 77;
    int jsonl = 0, c;
    optind = 1;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":", opts, NULL)) != -1) {
        char *end;
        switch (c) {
        case 'v': vocab = optarg; break;
        case 'm': model = optarg; break;
        case 'j': jsonl = 1; break;
        case 'c':
            context = strtol(optarg, &end, 10);
            if (*optarg == 0 || *end || context < 2 || context > 1 << 20)
                return cli_error("tokenize: --context '%s': want a whole number from 2 to %d", optarg, 1 << 20);
            break;
        default: return cli_bad_option("tokenize", "irra tokenize --help", ":", argv);
        }
    }
    if (vocab && model) return cli_error("tokenize: give --vocab or --model, not both");
    if (jsonl == (optind < argc))
        return cli_error(jsonl ? "tokenize: --jsonl reads standard input: give no TEXT"
                               : "tokenize: no TEXT (or --jsonl to read standard input)");
    irra_err e = {{0}};
    irra_bpe *b = load_vocab(vocab, model, &e);
    if (!b) return cli_error("%s", e.msg);
    int32_t *ids = malloc((size_t)context * sizeof *ids), rc = 0;
    if (!ids) rc = cli_error("tokenize: out of memory");
    else if (jsonl) rc = tokenize_jsonl(b, ids, (int)context);
    for (int i = optind; ids && !jsonl && !rc && i < argc; i++) {
        int k = irra_bpe_encode(b, argv[i], ids, (int)context, &e);
        if (k < 0) rc = cli_error("tokenize: argument %d: %s", i - optind + 1, e.msg);
        else print_ids(ids, k);
    }
    free(ids);
    irra_bpe_free(b);
    if (!rc && fflush(stdout)) rc = cli_error("tokenize: cannot write the output");
    return rc;
}
