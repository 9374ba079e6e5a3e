#include "train/replay.h"

#include <errno.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int irra_replay_open(irra_replay *r, const char *path, const irra_config *c,
                     const irra_loss_cfg *weights, irra_err *e)
{
    memset(r, 0, sizeof *r);
    r->cfg = c, r->weights = *weights;
    FILE *f = fopen(path, "rb");
    struct stat st;
    if (!f) return irra_fail(e, "%s: %s", path, strerror(errno));
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode) || st.st_size > (1L << 32)) {
        fclose(f);
        return irra_fail(e, "%s: not a regular file below 4 GiB", path);
    }
    size_t n = (size_t)st.st_size;
    r->text = malloc(n + 1);
    r->path = strdup(path);
    char *copy = strdup(path);
    r->dir = copy ? strdup(dirname(copy)) : NULL;
    free(copy);
    if (!r->text || !r->path || !r->dir || fread(r->text, 1, n, f) != n) {
        fclose(f);
        irra_replay_free(r);
        return irra_fail(e, "%s: cannot read it", path);
    }
    fclose(f);
    r->text[n] = 0;
    size_t lines = 1;
    for (size_t i = 0; i < n; i++) lines += r->text[i] == '\n';
    r->off = malloc(lines * sizeof *r->off), r->len = malloc(lines * sizeof *r->len);
    if (!r->off || !r->len) {
        irra_replay_free(r);
        return irra_fail(e, "%s: out of memory", path);
    }
    for (size_t i = 0; i < n;) {
        size_t j = i;
        while (j < n && r->text[j] != '\n') j++;
        size_t k = i;
        while (k < j && (r->text[k] == ' ' || r->text[k] == '\t' || r->text[k] == '\r')) k++;
        if (k < j) r->off[r->n] = i, r->len[r->n++] = j - i;
        i = j + 1;
    }
    if (r->n == 0) {
        irra_replay_free(r);
        return irra_fail(e, "%s: no batches (one JSON object a line, as irra grad reads)", path);
    }
    return 0;
}

void irra_replay_free(irra_replay *r)
{
    irra_batch_free(&r->cur);
    free(r->text), free(r->off), free(r->len), free(r->dir), free(r->path);
    memset(r, 0, sizeof *r);
}

static int steps(void *ctx, int epoch)
{
    (void)epoch;
    return ((irra_replay *)ctx)->n;
}

static long samples(void *ctx)
{
    return ((irra_replay *)ctx)->n; /* batches: their sizes are known only when parsed */
}

static int batch(void *ctx, int epoch, int step, irra_train_batch *out, irra_err *e)
{
    irra_replay *r = ctx;
    (void)epoch;
    char name[4200];
    snprintf(name, sizeof name, "%s: line of batch %d", r->path, step + 1);
    irra_batch_free(&r->cur);
    if (irra_batch_parse(&r->cur, r->text + r->off[step], r->len[step], name, r->dir, r->cfg, e) < 0)
        return -1;
    *out = r->cur.b;
    r->lc = r->cur.losses;
    r->lc.id_weight = r->weights.id_weight, r->lc.mlm_weight = r->weights.mlm_weight;
    r->lc.logit_scale = r->weights.logit_scale;
    return 0;
}

static const irra_loss_cfg *losses(void *ctx) { return &((irra_replay *)ctx)->lc; }

irra_batch_source irra_replay_source(irra_replay *r)
{
    return (irra_batch_source){steps, batch, samples, losses, r};
}
