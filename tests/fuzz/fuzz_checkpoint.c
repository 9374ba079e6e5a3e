/* A training checkpoint (train/checkpoint.c): a safetensors file whose tensors and metadata must
 * match a tiny model's layout (the parameters, "optim.exp_avg." and "optim.exp_avg_sq." copies)
 * and whose position fields must be numbers in range. Seeds: real checkpoints of that model. */
#define FUZZ_SEEDS make_seeds
#include "tests/fuzz/fuzz.h"
#include "train/checkpoint.h"

static const irra_config cfg = {.embed_dim = 64, .v_width = 64, .v_layers = 1, .v_heads = 1,
                                .patch = 4, .img_h = 8, .img_w = 4, .stride = 4, .grid_h = 2,
                                .grid_w = 1, .v_tokens = 3, .t_width = 64, .t_layers = 1,
                                .t_heads = 1, .context = 4, .vocab = 8, .has_mlm = 1,
                                .cmt_layers = 1, .cmt_heads = 1, .mlm_vocab = 8, .num_classes = 2};

typedef struct {
    irra_param_layout L;
    irra_param_buf p;
    irra_optim o;
} model;

static int open_model(model *m)
{
    irra_optim_args a;
    irra_optim_defaults(&a);
    return irra_param_layout_make(&m->L, &cfg, NULL) || irra_param_buf_init(&m->p, &m->L, "p", NULL) ||
           irra_optim_init(&m->o, &m->L, &a, NULL);
}

static void close_model(model *m)
{
    irra_optim_free(&m->o);
    irra_param_buf_free(&m->p);
    irra_param_layout_free(&m->L);
}

static void make_seeds(const char *dir)
{
    model m;
    if (open_model(&m)) abort();
    for (size_t i = 0; i < m.L.total; i++) m.p.mem[i] = (float)(i % 7) * 0.1f;
    irra_run_state st = {2, 3, 10, 12.5, 1};
    char path[512];
    snprintf(path, sizeof path, "%s/seed-000", dir);
    if (irra_checkpoint_save(path, &m.p, &m.o, &st, NULL, NULL, NULL)) abort();
    close_model(&m);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    static model m;
    static int ready;
    if (!ready && open_model(&m)) abort();
    ready = 1;
    irra_run_state st;
    irra_err e;
    irra_checkpoint_load(fuzz_file(data, n, "checkpoint.safetensors"), &m.p, &m.o, &st, &e);
    return 0;
}
