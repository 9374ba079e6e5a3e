/* irra search: text queries against a gallery, from the command line or one per line on stdin. */
#include "cmd/cli.h"
#include "gallery/gallery_cmd.h"
#include "gallery/search.h"
#include "model/fingerprint.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: irra search [--model M] --gallery G.db [--top-k K] [--json] [QUERY...]\n\n"
    "Ranks the gallery's images by cosine similarity to each QUERY (exact, over every image),\n"
    "or to each line of standard input when no QUERY is given. Equal scores rank the image\n"
    "added first higher.\n\n"
    "  --gallery G.db     a gallery made by irra gallery build with the same model\n"
    "  -k, --top-k K      results per query (default 10)\n"
    "  --json             one JSON object per query and line: {query, results: [{rank, score,\n"
    "                     path, file, identity}]}\n" CLI_MODEL_USAGE;

typedef struct {
    irra_model *m;
    gal_index ix;
    char root[1100];
    int k, json;
    gal_search_accel *accel; /* NULL: plain gal_search */
    gal_hit *hits;
    float *q;
} searcher;

static void print_results(searcher *s, const char *query, int n)
{
    if (!s->json) {
        printf("query: %s\n", query);
        for (int r = 0; r < n; r++) {
            int i = s->hits[r].idx;
            printf("%3d  %.4f  %6d  %s/%s\n", r + 1, s->hits[r].score, s->ix.pid[i], s->root,
                   s->ix.path[i]);
        }
        return;
    }
    json_object *o = json_object_new_object(), *res = json_object_new_array();
    json_object_object_add(o, "query", json_object_new_string(query));
    for (int r = 0; r < n; r++) {
        int i = s->hits[r].idx;
        char file[4200];
        snprintf(file, sizeof file, "%s/%s", s->root, s->ix.path[i]);
        json_object *h = json_object_new_object();
        json_object_object_add(h, "rank", json_object_new_int(r + 1));
        json_object_object_add(h, "score", json_object_new_double(s->hits[r].score));
        json_object_object_add(h, "path", json_object_new_string(s->ix.path[i]));
        json_object_object_add(h, "file", json_object_new_string(file));
        json_object_object_add(h, "identity", json_object_new_int(s->ix.pid[i]));
        json_object_array_add(res, h);
    }
    json_object_object_add(o, "results", res);
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

static int run_query(searcher *s, const char *query)
{
    const char *texts[1] = {query};
    if (gal_encode_texts(s->m, texts, 1, s->q, NULL, 1)) return -1;
    int n = s->accel ? gal_search_accel_run(s->accel, &s->ix, s->q, s->k, s->hits)
                     : gal_search(&s->ix, s->q, s->k, s->hits);
    if (n < 0) return cli_error("out of memory"), -1;
    print_results(s, query, n);
    fflush(stdout);
    return 0;
}

/* Queries from stdin, one per line; blank lines are skipped. */
static int run_stdin(searcher *s)
{
    char *line = NULL;
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    while (!rc && (len = getline(&line, &cap, stdin)) != -1) {
        while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) line[--len] = 0;
        if (len > 0) rc = run_query(s, line);
    }
    free(line);
    return rc;
}

/* Loads the model and the gallery, refusing features made by another model. */
static int open_searcher(searcher *s, const cli_model_opts *ma, const char *gallery)
{
    if (!(s->m = cli_model_load(ma))) return -1;
    irra_err e;
    char fp[32];
    irra_model_fingerprint(s->m, fp);
    gal_store *st = gal_store_open(gallery, 0, &e);
    gal_info in;
    int rc = !st || gal_store_info(st, &in, &e);
    if (!rc && in.incomplete)
        fprintf(stderr, "irra: warning: %s: its build did not finish (%d of %d images encoded): "
                        "results leave out the rest\n", gallery, in.n_encoded, in.n_images);
    rc = rc || gal_index_load(st, fp, &s->ix, &e) ||
             gal_store_meta_get(st, "root", s->root, sizeof s->root, &e);
    gal_store_close(st);
    if (rc) return cli_error("%s", e.msg), -1;
    if (s->ix.dim != irra_model_config(s->m)->embed_dim)
        return cli_error("%s: %d-d features, the model makes %d-d", gallery, s->ix.dim,
                         irra_model_config(s->m)->embed_dim), -1;
    /* The fp16 copy pays for itself on large galleries only (it is made once per run). */
    if (s->ix.n >= 50000) s->accel = gal_search_accel_new(&s->ix);
    s->hits = malloc((size_t)s->k * sizeof *s->hits);
    s->q = malloc((size_t)s->ix.dim * sizeof *s->q);
    if (!s->hits || !s->q) return cli_error("out of memory"), -1;
    return 0;
}

int cmd_search(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    static const struct option longopts[] = {
        CLI_MODEL_LONGOPTS,
        {"gallery", required_argument, NULL, 'g'},
        {"top-k", required_argument, NULL, 'k'},
        {"json", no_argument, NULL, 'j'},
        {NULL, 0, NULL, 0},
    };
    cli_model_opts ma = {0};
    const char *gallery = NULL;
    searcher s = {.k = 10};
    int c, r;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:", longopts, NULL)) != -1) {
        if ((r = cli_model_opt(&ma, c, optarg))) {
            if (r < 0) return CLI_EXIT_ERROR;
            continue;
        }
        switch (c) {
        case 'g': gallery = optarg; break;
        case 'j': s.json = 1; break;
        case 'k':
            s.k = atoi(optarg);
            if (s.k < 1 || s.k > 100000) return cli_error("--top-k: '%s' is not 1..100000", optarg);
            break;
        default: return cli_bad_option("search", "irra search --help", "k:", argv);
        }
    }
    if (!gallery) return cli_error("search: no gallery: pass --gallery G.db");
    int rc = open_searcher(&s, &ma, gallery);
    if (!rc) {
        if (optind < argc)
            for (int i = optind; i < argc && !rc; i++) rc = run_query(&s, argv[i]);
        else
            rc = run_stdin(&s);
    }
    gal_search_accel_free(s.accel);
    gal_index_free(&s.ix);
    irra_model_free(s.m);
    free(s.hits);
    free(s.q);
    return rc ? CLI_EXIT_ERROR : 0;
}
