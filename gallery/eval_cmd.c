/* irra eval: IRRA's text-to-image evaluation (spec section 5) on a gallery built from a dataset
 * split: every caption of the split ranks the whole gallery. */
#include "cmd/cli.h"
#include "gallery/gallery_cmd.h"
#include "gallery/metrics.h"
#include "model/blas.h"
#include "model/fingerprint.h"

#include <getopt.h>
#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char usage[] =
    "usage: irra eval [--model M] (--gallery G.db | --dataset F:DIR [--split S]) [--json]\n"
    "                 [--per-query FILE]\n\n"
    "Encodes every caption of the gallery's dataset split, ranks the whole gallery for each,\n"
    "and reports R@1, R@5, R@10, mAP and mINP (percent) as IRRA's evaluator computes them.\n"
    "Equal scores rank the image that comes first in the annotation file higher.\n\n"
    "  --gallery G.db     a gallery built from a dataset split with the same model\n"
    "  --dataset F:DIR    build a temporary gallery from this dataset first\n"
    "  --split S          test (default), val or train (with --dataset)\n"
    "  --json             the metrics as one JSON object\n"
    "  --per-query FILE   one JSON line per caption: the ranks of its first and last correct\n"
    "                     image, its average precision and its top 10\n"
    "  -q, --quiet        no progress bars\n" CLI_MODEL_USAGE;

#define QUERY_CHUNK 1024 /* captions ranked at once: bounds the similarity matrix */

typedef struct {
    gal_index ix;
    gal_caption *caps;
    int ncaps;
    char root[1100];
    FILE *per_query;
} eval_data;

/* Metrics are means over queries, so chunks combine by weighting with their query counts. */
static void accumulate(gal_metrics *sum, const gal_metrics *m)
{
    sum->r1 += m->r1 * m->nq;
    sum->r5 += m->r5 * m->nq;
    sum->r10 += m->r10 * m->nq;
    sum->map += m->map * m->nq;
    sum->minp += m->minp * m->nq;
    sum->nq += m->nq;
    sum->no_match += m->no_match;
}

static void write_per_query(eval_data *d, int q0, int nq, const float *sim,
                            const gal_query_result *r)
{
    for (int j = 0; j < nq; j++) {
        const gal_caption *c = &d->caps[q0 + j];
        json_object *o = json_object_new_object(), *top = json_object_new_array();
        json_object_object_add(o, "query", json_object_new_int(q0 + j));
        json_object_object_add(o, "caption", json_object_new_string(c->text));
        json_object_object_add(o, "identity", json_object_new_int(c->pid));
        json_object_object_add(o, "first", json_object_new_int(r[j].first));
        json_object_object_add(o, "last", json_object_new_int(r[j].last));
        json_object_object_add(o, "relevant", json_object_new_int(r[j].num_rel));
        json_object_object_add(o, "ap", json_object_new_double(r[j].ap));
        for (int k = 0; k < GAL_TOPK && r[j].top[k] >= 0; k++) {
            int g = r[j].top[k];
            json_object *h = json_object_new_object();
            json_object_object_add(h, "path", json_object_new_string(d->ix.path[g]));
            json_object_object_add(h, "identity", json_object_new_int(d->ix.pid[g]));
            json_object_object_add(h, "score",
                                   json_object_new_double(sim[(size_t)j * d->ix.n + g]));
            json_object_array_add(top, h);
        }
        json_object_object_add(o, "top", top);
        fprintf(d->per_query, "%s\n",
                json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN |
                                                      JSON_C_TO_STRING_NOSLASHESCAPE));
        json_object_put(o);
    }
}

/* sim = qfeat . gallery^T chunk by chunk, each chunk through the metrics. */
static int rank_all(eval_data *d, const float *qfeat, gal_metrics *out)
{
    int ng = d->ix.n, dim = d->ix.dim;
    float *sim = malloc((size_t)QUERY_CHUNK * ng * sizeof *sim);
    int *qpid = malloc(QUERY_CHUNK * sizeof *qpid);
    gal_query_result *r = malloc(QUERY_CHUNK * sizeof *r);
    int rc = 0;
    if (!sim || !qpid || !r) rc = cli_error("out of memory for the similarity matrix");
    memset(out, 0, sizeof *out);
    for (int q0 = 0; q0 < d->ncaps && !rc; q0 += QUERY_CHUNK) {
        int nq = d->ncaps - q0 < QUERY_CHUNK ? d->ncaps - q0 : QUERY_CHUNK;
        irra_gemm(nq, ng, dim, 1.0f, qfeat + (size_t)q0 * dim, dim, d->ix.feat, dim, 1, 0.0f, sim,
                  ng);
        for (int j = 0; j < nq; j++) qpid[j] = d->caps[q0 + j].pid;
        gal_metrics m;
        irra_err e;
        if (gal_eval_metrics(sim, nq, ng, qpid, d->ix.pid, &m, r, &e)) {
            rc = cli_error("%s", e.msg);
            break;
        }
        accumulate(out, &m);
        if (d->per_query) write_per_query(d, q0, nq, sim, r);
    }
    if (!rc && out->nq) {
        out->r1 /= out->nq;
        out->r5 /= out->nq;
        out->r10 /= out->nq;
        out->map /= out->nq;
        out->minp /= out->nq;
    }
    out->ng = ng;
    free(sim);
    free(qpid);
    free(r);
    return rc;
}

static void print_metrics(const gal_metrics *m, int json)
{
    if (json) {
        printf("{\"task\":\"t2i\",\"R1\":%.3f,\"R5\":%.3f,\"R10\":%.3f,\"mAP\":%.3f,\"mINP\":%.3f,"
               "\"queries\":%d,\"gallery\":%d,\"no_match\":%d}\n",
               m->r1, m->r5, m->r10, m->map, m->minp, m->nq, m->ng, m->no_match);
        return;
    }
    printf("task  R1       R5       R10      mAP      mINP\n"
           "t2i   %-8.3f %-8.3f %-8.3f %-8.3f %-8.3f\n"
           "(%d captions, %d images)\n",
           m->r1, m->r5, m->r10, m->map, m->minp, m->nq, m->ng);
    if (m->no_match)
        printf("%d captions have no image of their identity in the gallery (counted as misses)\n",
               m->no_match);
}

static int evaluate(irra_model *m, const char *gallery, const char *per_query, int json, int quiet)
{
    eval_data d = {0};
    irra_err e;
    char fp[32];
    irra_model_fingerprint(m, fp);
    gal_store *s = gal_store_open(gallery, 0, &e);
    gal_info in;
    int rc = !s || gal_store_info(s, &in, &e);
    if (!rc && in.incomplete) {
        gal_store_close(s);
        return cli_error("%s: its build did not finish (%d of %d images encoded): run irra gallery "
                         "build again to complete it", gallery, in.n_encoded, in.n_images);
    }
    rc = rc || gal_index_load(s, fp, &d.ix, &e) ||
             gal_store_captions(s, &d.caps, &d.ncaps, &e);
    gal_store_close(s);
    if (rc) return cli_error("%s", e.msg);
    float *qfeat = NULL;
    if (d.ncaps == 0) {
        rc = cli_error("%s: no captions: eval needs a gallery built from a dataset split", gallery);
        goto done;
    }
    if (d.ix.dim != irra_model_config(m)->embed_dim) {
        rc = cli_error("%s: %d-d features, the model makes %d-d", gallery, d.ix.dim,
                       irra_model_config(m)->embed_dim);
        goto done;
    }
    if (per_query && !(d.per_query = fopen(per_query, "w"))) {
        rc = cli_error("%s: cannot write", per_query);
        goto done;
    }
    const char **texts = malloc((size_t)d.ncaps * sizeof *texts);
    qfeat = malloc((size_t)d.ncaps * d.ix.dim * sizeof *qfeat);
    if (!texts || !qfeat) {
        free(texts);
        rc = cli_error("out of memory for %d captions", d.ncaps);
        goto done;
    }
    for (int i = 0; i < d.ncaps; i++) texts[i] = d.caps[i].text;
    rc = gal_encode_texts(m, texts, d.ncaps, qfeat, "captions", quiet) ? CLI_EXIT_ERROR : 0;
    free(texts);
    gal_metrics mt;
    if (!rc && !(rc = rank_all(&d, qfeat, &mt))) print_metrics(&mt, json);
    if (d.per_query && fclose(d.per_query) && !rc) rc = cli_error("%s: write failed", per_query);
    d.per_query = NULL;
done:
    if (d.per_query) fclose(d.per_query);
    free(qfeat);
    gal_index_free(&d.ix);
    gal_captions_free(d.caps, d.ncaps);
    return rc;
}

/* --dataset: a gallery in a temporary folder, removed afterwards. */
static int eval_dataset(const cli_model_opts *ma, const char *spec, const char *split,
                        const char *per_query, int json, int quiet)
{
    irra_err e;
    gal_dataset *d = gal_dataset_open(spec, split, &e);
    if (!d) return cli_error("%s", e.msg);
    const char *tmpdir = getenv("TMPDIR");
    char dir[4096], db[4200];
    snprintf(dir, sizeof dir, "%s/irra-eval-XXXXXX", tmpdir && *tmpdir ? tmpdir : "/tmp");
    if (!mkdtemp(dir)) {
        gal_dataset_free(d);
        return cli_error("%s: cannot make a temporary folder", dir);
    }
    snprintf(db, sizeof db, "%s/gallery.db", dir);
    gal_build_stats st;
    gal_list_stats ls;
    char mbuf[4096];
    const char *mpath = cli_model_file(ma, mbuf, sizeof mbuf);
    irra_model *m = mpath ? cli_model_load(ma) : NULL;
    int rc = m ? gal_cmd_build_gallery(m, mpath, d, db, 16, quiet, &ls, &st) : CLI_EXIT_ERROR;
    gal_dataset_free(d);
    if (!rc) rc = evaluate(m, db, per_query, json, quiet);
    irra_model_free(m);
    gal_store_remove(db);
    rmdir(dir);
    return rc;
}

int cmd_eval(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    static const struct option longopts[] = {
        CLI_MODEL_LONGOPTS,
        {"gallery", required_argument, NULL, 'g'},
        {"dataset", required_argument, NULL, 'd'},
        {"split", required_argument, NULL, 's'},
        {"json", no_argument, NULL, 'j'},
        {"per-query", required_argument, NULL, 'p'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    cli_model_opts ma = {0};
    const char *gallery = NULL, *dataset = NULL, *split = "test", *per_query = NULL;
    int json = 0, quiet = 0, c, r;
    optind = 1;
    while ((c = getopt_long(argc, argv, "q", longopts, NULL)) != -1) {
        if ((r = cli_model_opt(&ma, c, optarg))) {
            if (r < 0) return CLI_EXIT_ERROR;
            continue;
        }
        switch (c) {
        case 'g': gallery = optarg; break;
        case 'd': dataset = optarg; break;
        case 's': split = optarg; break;
        case 'j': json = 1; break;
        case 'p': per_query = optarg; break;
        case 'q': quiet = 1; break;
        default: return cli_bad_option("eval", "irra eval --help", "q", argv);
        }
    }
    if (optind < argc) return cli_error("eval: unexpected argument '%s'", argv[optind]);
    if (!gallery == !dataset) return cli_error("eval: pass one of --gallery G.db, --dataset F:DIR");
    if (dataset) return eval_dataset(&ma, dataset, split, per_query, json, quiet);
    irra_model *m = cli_model_load(&ma);
    if (!m) return CLI_EXIT_ERROR;
    int rc = evaluate(m, gallery, per_query, json, quiet);
    irra_model_free(m);
    return rc;
}
