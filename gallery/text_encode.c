/* Captions and queries to normalised features, shared by search and eval. */
#include "cmd/cli.h"
#include "cmd/progress.h"
#include "gallery/gallery_cmd.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define TEXT_BATCH 32

int gal_encode_texts(irra_model *m, const char *const *texts, int n, float *feat,
                     const char *bar_label, int quiet)
{
    const irra_config *c = irra_model_config(m);
    const irra_bpe *bpe = irra_model_bpe(m);
    int ctx = c->context, dim = c->embed_dim;
    int32_t *ids = malloc((size_t)TEXT_BATCH * ctx * sizeof *ids);
    if (!ids) return cli_error("out of memory"), -1;
    progress bar;
    int show = bar_label && !quiet && isatty(STDERR_FILENO); /* as in the gallery build */
    if (show) progress_start(&bar, bar_label, "captions", n);
    irra_err e;
    int rc = 0;
    if (n > IRRA_PREPARE_AFTER) irra_model_prepare(m, IRRA_PREPARE_TEXT);
    for (int i = 0; i < n && !rc; i += TEXT_BATCH) {
        int b = n - i < TEXT_BATCH ? n - i : TEXT_BATCH;
        memset(ids, 0, (size_t)b * ctx * sizeof *ids);
        for (int j = 0; j < b && !rc; j++)
            if (irra_bpe_encode(bpe, texts[i + j], ids + (size_t)j * ctx, ctx, &e) < 0)
                rc = cli_error("text %d ('%.60s'): %s", i + j + 1, texts[i + j], e.msg);
        if (!rc && irra_encode_text(m, ids, b, feat + (size_t)i * dim, NULL, &e))
            rc = cli_error("%s", e.msg);
        for (int j = 0; j < b && !rc; j++) gal_normalise(feat + (size_t)(i + j) * dim, dim);
        if (show) progress_update(&bar, i + b);
    }
    if (show) progress_finish(&bar);
    free(ids);
    return rc ? -1 : 0;
}
