#include "train/evaluate.h"

#include "gallery/build.h"
#include "gallery/gallery_cmd.h"
#include "model/blas.h"
#include "model/image.h"

#include <stdlib.h>
#include <string.h>

#define IMAGE_BATCH 32

int irra_evaluator_open(irra_evaluator *ev, const char *spec, const char *split, int H, int W,
                        irra_err *e)
{
    memset(ev, 0, sizeof *ev);
    if (!(ev->ds = gal_dataset_open(spec, split, e))) return -1;
    if (ev->ds->n_images == 0 || ev->ds->n_captions == 0) {
        irra_fail(e, "%s: the %s split is empty: nothing to evaluate on", spec, split);
        irra_evaluator_free(ev);
        return -1;
    }
    size_t px = (size_t)3 * H * W;
    ev->H = H, ev->W = W;
    if (!(ev->pixels = malloc((size_t)ev->ds->n_images * px * sizeof *ev->pixels))) {
        irra_evaluator_free(ev);
        return irra_fail(e, "out of memory for %d %s images", ev->ds->n_images, split);
    }
    int bad = -1;
    irra_err ie = {{0}};
#pragma omp parallel for schedule(dynamic)
    for (int i = 0; i < ev->ds->n_images; i++) {
        irra_err le;
        if (irra_image_load_input(ev->ds->images[i].path, H, W, ev->pixels + i * px, &le) < 0) {
#pragma omp critical
            if (bad < 0) bad = i, ie = le;
        }
    }
    if (bad >= 0) {
        irra_fail(e, "%s", ie.msg);
        irra_evaluator_free(ev);
        return -1;
    }
    return 0;
}

void irra_evaluator_free(irra_evaluator *ev)
{
    gal_dataset_free(ev->ds);
    free(ev->pixels);
    memset(ev, 0, sizeof *ev);
}

int irra_evaluate(irra_evaluator *ev, irra_model *m, gal_metrics *out, irra_err *e)
{
    const gal_dataset *d = ev->ds;
    int dim = irra_model_config(m)->embed_dim, ng = d->n_images, nq = d->n_captions, rc = -1;
    size_t px = (size_t)3 * ev->H * ev->W;
    float *g = malloc((size_t)ng * dim * sizeof *g), *q = malloc((size_t)nq * dim * sizeof *q);
    float *sim = malloc((size_t)nq * ng * sizeof *sim);
    int *gp = malloc((size_t)ng * sizeof *gp), *qp = malloc((size_t)nq * sizeof *qp);
    const char **texts = malloc((size_t)nq * sizeof *texts);
    if (!g || !q || !sim || !gp || !qp || !texts) {
        irra_fail(e, "out of memory for the evaluation (%d captions x %d images)", nq, ng);
        goto out;
    }
    irra_model_prepare(m, IRRA_PREPARE_IMAGE | IRRA_PREPARE_TEXT);
    for (int i = 0; i < ng; i += IMAGE_BATCH) {
        int b = ng - i < IMAGE_BATCH ? ng - i : IMAGE_BATCH;
        if (irra_encode_image(m, ev->pixels + i * px, b, g + (size_t)i * dim, NULL, e) < 0) goto out;
    }
    for (int i = 0; i < ng; i++) gal_normalise(g + (size_t)i * dim, dim), gp[i] = d->images[i].pid;
    for (int i = 0; i < nq; i++) texts[i] = d->captions[i].text, qp[i] = d->captions[i].pid;
    if (gal_encode_texts(m, texts, nq, q, NULL, 1) < 0) {
        irra_fail(e, "encoding the captions failed");
        goto out;
    }
    irra_gemm(nq, ng, dim, 1.0f, q, dim, g, dim, 1, 0.0f, sim, ng);
    rc = gal_eval_metrics(sim, nq, ng, qp, gp, out, NULL, e);
out:
    free(g), free(q), free(sim), free(gp), free(qp), free(texts);
    return rc;
}
