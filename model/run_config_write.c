/* configs.yaml as the official trainer writes it (train.py: yaml.dump(vars(args)), keys sorted,
 * block style, tuples as !!python/tuple), emitted with libyaml so that any string is quoted
 * correctly. */
#include "model/run_config.h"

#include <yaml.h>

#include <stdio.h>
#include <string.h>

enum { K_STR, K_LIT, K_TUPLE }; /* a quoted string; a literal int/float/bool; an int pair */

typedef struct {
    const char *key;
    int kind;
    const char *s; /* K_STR, K_LIT */
    int a, b;      /* K_TUPLE */
} entry;

static int scalar(yaml_emitter_t *em, const char *v, int quoted)
{
    yaml_event_t ev;
    /* a string is never plain: "1" or "true" as names must load back as strings */
    return yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)v, (int)strlen(v),
                                        !quoted, quoted,
                                        quoted ? YAML_SINGLE_QUOTED_SCALAR_STYLE
                                               : YAML_PLAIN_SCALAR_STYLE) &&
           yaml_emitter_emit(em, &ev);
}

static int tuple(yaml_emitter_t *em, int a, int b)
{
    yaml_event_t ev;
    char x[16], y[16];
    snprintf(x, sizeof x, "%d", a);
    snprintf(y, sizeof y, "%d", b);
    return yaml_sequence_start_event_initialize(&ev, NULL,
                                                (yaml_char_t *)"tag:yaml.org,2002:python/tuple",
                                                0, YAML_BLOCK_SEQUENCE_STYLE) &&
           yaml_emitter_emit(em, &ev) && scalar(em, x, 0) && scalar(em, y, 0) &&
           yaml_sequence_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev);
}

static int emit(yaml_emitter_t *em, const entry *t, int n)
{
    yaml_event_t ev;
    if (!yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING) || !yaml_emitter_emit(em, &ev) ||
        !yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1) || !yaml_emitter_emit(em, &ev) ||
        !yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE) ||
        !yaml_emitter_emit(em, &ev))
        return -1;
    for (int i = 0; i < n; i++) {
        if (!scalar(em, t[i].key, 0)) return -1;
        int ok = t[i].kind == K_TUPLE ? tuple(em, t[i].a, t[i].b)
                                      : scalar(em, t[i].s, t[i].kind == K_STR);
        if (!ok) return -1;
    }
    return yaml_mapping_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev) &&
                   yaml_document_end_event_initialize(&ev, 1) && yaml_emitter_emit(em, &ev) &&
                   yaml_stream_end_event_initialize(&ev) && yaml_emitter_emit(em, &ev)
               ? 0 : -1;
}

int irra_run_config_emit(FILE *f, const char *path, const irra_run_config *c, irra_err *e)
{
    char stride[16], text_length[16], vocab[16], cmt[16], classes[16];
    snprintf(stride, sizeof stride, "%d", c->stride);
    snprintf(text_length, sizeof text_length, "%d", c->text_length);
    snprintf(vocab, sizeof vocab, "%d", c->vocab_size);
    snprintf(cmt, sizeof cmt, "%d", c->cmt_depth);
    snprintf(classes, sizeof classes, "%d", c->num_classes);
    /* utils/options.py's arguments with their defaults, plus train.py's `distributed`, sorted
     * as yaml.dump sorts them; the model's own values where the model fixes them */
    const entry t[] = {
        {"MLM", K_LIT, c->mlm ? "true" : "false", 0, 0},
        {"alpha", K_LIT, "0.9", 0, 0},
        {"batch_size", K_LIT, "128", 0, 0},
        {"beta", K_LIT, "0.999", 0, 0},
        {"bias_lr_factor", K_LIT, "2.0", 0, 0},
        {"cmt_depth", K_LIT, cmt, 0, 0},
        {"dataset_name", K_STR, c->dataset_name, 0, 0},
        {"distributed", K_LIT, "false", 0, 0},
        {"eval_period", K_LIT, "1", 0, 0},
        {"gamma", K_LIT, "0.1", 0, 0},
        {"id_loss_weight", K_LIT, "1.0", 0, 0},
        {"img_aug", K_LIT, "false", 0, 0},
        {"img_size", K_TUPLE, NULL, c->img_h, c->img_w},
        {"local_rank", K_LIT, "0", 0, 0},
        {"log_period", K_LIT, "100", 0, 0},
        {"loss_names", K_STR, c->loss_names, 0, 0},
        {"lr", K_LIT, "1.0e-05", 0, 0},
        {"lr_factor", K_LIT, "5.0", 0, 0},
        {"lrscheduler", K_STR, "cosine", 0, 0},
        {"masked_token_rate", K_LIT, "0.8", 0, 0},
        {"masked_token_unchanged_rate", K_LIT, "0.1", 0, 0},
        {"milestones", K_TUPLE, NULL, 20, 50},
        {"mlm_loss_weight", K_LIT, "1.0", 0, 0},
        {"momentum", K_LIT, "0.9", 0, 0},
        {"name", K_STR, c->name, 0, 0},
        {"num_classes", K_LIT, classes, 0, 0},
        {"num_epoch", K_LIT, "60", 0, 0},
        {"num_instance", K_LIT, "4", 0, 0},
        {"num_workers", K_LIT, "8", 0, 0},
        {"optimizer", K_STR, "Adam", 0, 0},
        {"output_dir", K_STR, c->output_dir, 0, 0},
        {"power", K_LIT, "0.9", 0, 0},
        {"pretrain_choice", K_STR, c->pretrain_choice, 0, 0},
        {"resume", K_LIT, "false", 0, 0},
        {"resume_ckpt_file", K_STR, "", 0, 0},
        {"root_dir", K_STR, c->root_dir, 0, 0},
        {"sampler", K_STR, "random", 0, 0},
        {"stride_size", K_LIT, stride, 0, 0},
        {"target_lr", K_LIT, "0", 0, 0},
        {"temperature", K_LIT, "0.02", 0, 0},
        {"test_batch_size", K_LIT, "512", 0, 0},
        {"text_length", K_LIT, text_length, 0, 0},
        {"training", K_LIT, "true", 0, 0},
        {"val_dataset", K_STR, "test", 0, 0},
        {"vocab_size", K_LIT, vocab, 0, 0},
        {"warmup_epochs", K_LIT, "5", 0, 0},
        {"warmup_factor", K_LIT, "0.1", 0, 0},
        {"warmup_method", K_STR, "linear", 0, 0},
        {"weight_decay", K_LIT, "4.0e-05", 0, 0},
        {"weight_decay_bias", K_LIT, "0.0", 0, 0},
    };
    yaml_emitter_t em;
    if (!yaml_emitter_initialize(&em)) return irra_fail(e, "%s: out of memory", path);
    yaml_emitter_set_output_file(&em, f);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1); /* no folding of long paths */
    int rc = emit(&em, t, (int)(sizeof t / sizeof *t));
    if (rc) irra_fail(e, "%s: cannot write YAML: %s", path, em.problem ? em.problem : "I/O error");
    else if (!yaml_emitter_flush(&em)) rc = irra_fail(e, "%s: write failed", path);
    yaml_emitter_delete(&em);
    return rc;
}
