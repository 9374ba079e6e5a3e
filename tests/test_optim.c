/* The optimizer's tables: the learning-rate schedule (spec 4.3, solver/lr_scheduler.py
 * LRSchedulerWithWarmup with the official 60 epochs, 5 of warmup from 0.1, cosine) and the
 * parameter groups (spec 4.2's table, solver/build.py's name rules). The update itself is
 * checked against torch.optim.Adam / AdamW by tests/test_optim.sh. */
#include "tests/check.h"
#include "train/optim.h"

/* spec 4.3: epochs 1-5 warm up linearly from 0.1, then a cosine over the 55 left */
static void lr_factor_follows_the_official_schedule(void)
{
    irra_optim_args a;
    irra_optim_defaults(&a);
    static const struct { int epoch; double factor; } table[] = {
        {1, 0.10}, {2, 0.28}, {3, 0.46}, {4, 0.64}, {5, 0.82}, {6, 1.0}, {7, 0.999185},
        {20, 0.848469}, {30, 0.599295}, {40, 0.318596}, {50, 0.095492}, {60, 0.000815}};
    for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
        /* the spec prints 6 decimals; the warmup values are exact */
        double tol = table[i].epoch <= 6 ? 1e-12 : 5e-7;
        EXPECT_CLOSE(irra_lr_factor(&a, table[i].epoch), table[i].factor, tol, 0);
    }
}

/* lr_scheduler.py: the warmup multiplies the base lr and ignores target_lr; the cosine part
 * goes from the base lr to target_lr */
static void group_lr_ignores_target_lr_during_warmup(void)
{
    irra_optim_args a;
    irra_optim_defaults(&a);
    a.target_lr = 2e-6;
    EXPECT_CLOSE(irra_optim_lr(&a, 1e-5, 1), 1e-6, 0, 1e-12);
    EXPECT_CLOSE(irra_optim_lr(&a, 1e-5, 5), 8.2e-6, 0, 1e-12);
    EXPECT_CLOSE(irra_optim_lr(&a, 1e-5, 6), 1e-5, 0, 1e-12);
    EXPECT_CLOSE(irra_optim_lr(&a, 1e-5, 30), 2e-6 + 8e-6 * irra_lr_factor(&a, 30), 0, 1e-12);
    EXPECT_CLOSE(irra_optim_lr(&a, 1e-5, 60), 2e-6 + 8e-6 * 0.000815, 8e-6 * 5e-7, 0);
    a.target_lr = 0;
    EXPECT_CLOSE(irra_optim_lr(&a, 5e-5, 40), 5e-5 * 0.318596, 5e-5 * 5e-7, 0);
}

typedef struct {
    const char *name;
    double lr, wd;
} group_row;

static void expect_groups(const irra_optim_args *a, const group_row *rows, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        double lr, wd;
        irra_optim_group(a, rows[i].name, &lr, &wd);
        EXPECTF(fabs(lr - rows[i].lr) <= 1e-12 * rows[i].lr && fabs(wd - rows[i].wd) <= 1e-15,
                "%s: lr %g wd %g, want lr %g wd %g", rows[i].name, lr, wd, rows[i].lr, rows[i].wd);
    }
}

/* spec 4.2's table, one or more names per row, with the official defaults */
static void groups_follow_the_official_table(void)
{
    irra_optim_args a;
    irra_optim_defaults(&a);
    static const group_row rows[] = {
        /* base_model.* non-bias */
        {"base_model.visual.conv1.weight", 1e-5, 4e-5},
        {"base_model.visual.class_embedding", 1e-5, 4e-5},
        {"base_model.visual.positional_embedding", 1e-5, 4e-5},
        {"base_model.visual.ln_pre.weight", 1e-5, 4e-5},
        {"base_model.visual.transformer.resblocks.0.attn.in_proj_weight", 1e-5, 4e-5},
        {"base_model.visual.transformer.resblocks.11.mlp.c_proj.weight", 1e-5, 4e-5},
        {"base_model.visual.proj", 1e-5, 4e-5},
        {"base_model.token_embedding.weight", 1e-5, 4e-5},
        {"base_model.positional_embedding", 1e-5, 4e-5},
        {"base_model.transformer.resblocks.3.ln_1.weight", 1e-5, 4e-5},
        {"base_model.ln_final.weight", 1e-5, 4e-5},
        {"base_model.text_projection", 1e-5, 4e-5},
        /* base_model.* biases */
        {"base_model.visual.transformer.resblocks.0.attn.in_proj_bias", 2e-5, 0},
        {"base_model.transformer.resblocks.5.mlp.c_fc.bias", 2e-5, 0},
        {"base_model.visual.ln_post.bias", 2e-5, 0},
        {"base_model.ln_final.bias", 2e-5, 0},
        /* cross modules: "cross" in the name, the bias rule overrides it */
        {"cross_attn.in_proj_weight", 5e-5, 4e-5},
        {"cross_attn.out_proj.weight", 5e-5, 4e-5},
        {"cross_modal_transformer.resblocks.0.attn.in_proj_weight", 5e-5, 4e-5},
        {"cross_modal_transformer.resblocks.3.ln_2.weight", 5e-5, 4e-5},
        {"cross_attn.in_proj_bias", 2e-5, 0},
        {"cross_attn.out_proj.bias", 2e-5, 0},
        {"cross_modal_transformer.resblocks.1.mlp.c_proj.bias", 2e-5, 0},
        /* classifier and mlm_head: the last rule sets the lr, biases keep wd 0 */
        {"classifier.weight", 5e-5, 4e-5},
        {"mlm_head.dense.weight", 5e-5, 4e-5},
        {"mlm_head.ln.weight", 5e-5, 4e-5},
        {"mlm_head.fc.weight", 5e-5, 4e-5},
        {"classifier.bias", 5e-5, 0},
        {"mlm_head.dense.bias", 5e-5, 0},
        {"mlm_head.ln.bias", 5e-5, 0},
        {"mlm_head.fc.bias", 5e-5, 0},
        /* the top-level LayerNorms have no "cross" in their names */
        {"ln_pre_t.weight", 1e-5, 4e-5},
        {"ln_pre_i.weight", 1e-5, 4e-5},
        {"ln_post.weight", 1e-5, 4e-5},
        {"ln_pre_t.bias", 2e-5, 0},
        {"ln_pre_i.bias", 2e-5, 0},
        {"ln_post.bias", 2e-5, 0},
    };
    expect_groups(&a, rows, sizeof rows / sizeof *rows);
}

/* the rules take their numbers from the arguments, each factor where the rule says */
static void groups_follow_the_arguments(void)
{
    irra_optim_args a;
    irra_optim_defaults(&a);
    a.lr = 1e-3, a.lr_factor = 3, a.bias_lr_factor = 7, a.weight_decay = 0.5;
    a.weight_decay_bias = 0.25;
    static const group_row rows[] = {
        {"base_model.visual.conv1.weight", 1e-3, 0.5},
        {"base_model.ln_final.bias", 7e-3, 0.25},
        {"cross_attn.in_proj_weight", 3e-3, 0.5},
        {"cross_attn.in_proj_bias", 7e-3, 0.25},
        {"classifier.bias", 3e-3, 0.25},
        {"mlm_head.fc.weight", 3e-3, 0.5},
        {"ln_post.weight", 1e-3, 0.5},
    };
    expect_groups(&a, rows, sizeof rows / sizeof *rows);
}

int main(void)
{
    RUN(lr_factor_follows_the_official_schedule);
    RUN(group_lr_ignores_target_lr_during_warmup);
    RUN(groups_follow_the_official_table);
    RUN(groups_follow_the_arguments);
    return DONE();
}
