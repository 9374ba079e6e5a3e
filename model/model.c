#include "model/config.h"
#include "model/model_priv.h"

#include <stdlib.h>
#include <string.h>

/* The tokenizer: opts->vocab_path, else the merges text embedded under irra.bpe_merges, else
 * opts->fallback_vocab_path, else none (a .pth carries no vocabulary). */
static int open_bpe(irra_model *m, const irra_open_opts *opts, irra_err *e)
{
    if (opts && opts->vocab_path) {
        m->bpe = irra_bpe_load_file(opts->vocab_path, e);
        return m->bpe ? 0 : -1;
    }
    const char *merges = irra_tensors_meta(m->ts, "irra.bpe_merges");
    if (!merges && opts && opts->fallback_vocab_path) {
        m->bpe = irra_bpe_load_file(opts->fallback_vocab_path, e);
        return m->bpe ? 0 : -1;
    }
    if (!merges) return 0;
    m->bpe = irra_bpe_load_mem_named(merges, strlen(merges), m->ts->path, e);
    return m->bpe ? 0 : -1;
}

irra_model *irra_model_open(const char *path, const irra_open_opts *opts, irra_err *e)
{
    irra_model *m = calloc(1, sizeof *m);
    if (!m) {
        irra_fail(e, "%s: out of memory", path);
        return NULL;
    }
    pthread_mutex_init(&m->pack_lock, NULL);
    if (!(m->ts = irra_tensors_open(path, e)) || irra_config_infer(&m->cfg, m->ts, opts, e) < 0 ||
        irra_weights_load(&m->w, m->ts, &m->cfg, e) < 0 || open_bpe(m, opts, e) < 0) {
        irra_model_free(m);
        return NULL;
    }
    return m;
}

void irra_model_free(irra_model *m)
{
    if (!m) return;
    irra_tower_packed_free(&m->pk[IRRA_TOWER_IMAGE]);
    irra_tower_packed_free(&m->pk[IRRA_TOWER_TEXT]);
    pthread_mutex_destroy(&m->pack_lock);
    irra_weights_free(&m->w);
    irra_bpe_free(m->bpe);
    irra_tensors_free(m->ts);
    free(m);
}

const irra_config *irra_model_config(const irra_model *m) { return &m->cfg; }
const irra_bpe *irra_model_bpe(const irra_model *m) { return m->bpe; }
const irra_tensors *irra_model_tensors(const irra_model *m) { return m->ts; }
