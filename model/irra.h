/* The IRRA model: CLIP image and text towers plus the implicit-relation-reasoning (MLM) head,
 * fp32 compute, configuration inferred from tensor shapes (spec sections 1 and 2). A model holds
 * no global state: any number can be open at once. Functions that can fail return -1 (or NULL)
 * and describe the failure in *e. */
#ifndef IRRA_IRRA_H
#define IRRA_IRRA_H

#include "model/bpe.h"
#include "model/err.h"
#include "model/tensors.h"

#include <stdint.h>

typedef struct {
    int embed_dim;                          /* joint space (text_projection.shape[1]) */
    int v_width, v_layers, v_heads, patch;  /* image tower */
    int img_h, img_w, stride;               /* not in a state dict: metadata / configs.yaml / flags */
    int grid_h, grid_w, v_tokens;           /* patch grid; v_tokens = 1 + grid_h * grid_w */
    int t_width, t_layers, t_heads;         /* text tower */
    int context, vocab;                     /* text positions, token-embedding rows */
    int has_mlm;                            /* cross_attn, cross_modal_transformer, mlm_head present */
    int cmt_layers, cmt_heads;              /* cross-modal transformer */
    int mlm_vocab;                          /* mlm_head.fc rows */
    int num_classes;                        /* classifier rows, 0 when absent */
} irra_config;

typedef struct {
    int img_h, img_w, stride; /* 0: take from the model file, configs.yaml beside a .pth, or 384x128/16 */
    const char *vocab_path;   /* merges file; NULL: the vocabulary embedded in the model file */
    const char *fallback_vocab_path; /* merges file used when neither of the above exists */
} irra_open_opts;

typedef struct irra_model irra_model;

/* Opens a .pth checkpoint or an irra safetensors file. fp32 tensors of a safetensors file are
 * used in place from the mapping; others are converted to fp32 once. */
irra_model *irra_model_open(const char *path, const irra_open_opts *opts, irra_err *e);
void irra_model_free(irra_model *m);

/* Towers for irra_model_prepare. */
enum { IRRA_TOWER_IMAGE, IRRA_TOWER_TEXT };
#define IRRA_PREPARE_IMAGE (1 << IRRA_TOWER_IMAGE)
#define IRRA_PREPARE_TEXT (1 << IRRA_TOWER_TEXT)

/* Readies the given towers for many inputs (on AVX-512 CPUs: repacks their weights for irra's
 * own product, 0.1-0.5 s, into memory that replaces the file's pages where they were read in
 * place; later encodes of that tower are faster: an image ~15%, a text query ~45%). Worth it
 * past IRRA_PREPARE_AFTER inputs of a tower; a model left unprepared runs on OpenBLAS alone.
 * Results agree either way to within rounding, but are not bit-identical: prepare before the
 * first encode of a job whose outputs are compared bit for bit (a resumed gallery build).
 * Thread-safe, also against encodes running on other threads; calls after the first do nothing. */
void irra_model_prepare(irra_model *m, int towers);
#define IRRA_PREPARE_AFTER 16

const irra_config *irra_model_config(const irra_model *m);
/* The tokenizer (from opts->vocab_path or the model file); NULL when the model has none. */
const irra_bpe *irra_model_bpe(const irra_model *m);
/* The tensors the model was built from (for conversion and fingerprints). */
const irra_tensors *irra_model_tensors(const irra_model *m);

/* Text tower. ids: [B, context] as SOT..EOT then zero padding. feat: [B, embed_dim], the
 * projected EOT token (the argmax id). tokens (optional): [B, context, embed_dim], every position
 * after ln_final and text_projection; positions after EOT are computed only when tokens is given. */
int irra_encode_text(irra_model *m, const int32_t *ids, int B, float *feat, float *tokens,
                     irra_err *e);

/* Image tower. pixels: [B, 3, img_h, img_w], normalised. feat: [B, embed_dim], the projected CLS
 * token. tokens (optional): [B, v_tokens, embed_dim], ln_post + proj applied to every token. */
int irra_encode_image(irra_model *m, const float *pixels, int B, float *feat, float *tokens,
                      irra_err *e);

/* The image tower's tokens as above ([B, v_tokens, embed_dim]) and its dense features, the same
 * shape: every token through the last block attending to itself alone, then ln_post and proj
 * (MaskCLIP). A patch's dense feature says what that patch shows in the joint space, so its
 * cosine with a text feature maps where the text matches; the tokens' cosine does not, since
 * after the last block's attention each token carries the whole image. */
int irra_encode_image_dense(irra_model *m, const float *pixels, int B, float *tokens,
                            float *dense, irra_err *e);

/* The IRR branch. ids: [B, context] (usually containing <|mask|>); img_tokens: [B, v_tokens,
 * embed_dim] from irra_encode_image. logits: [B, context, mlm_vocab]. attn (optional):
 * [B, context, v_tokens], the cross-attention weights averaged over heads. Fails if the model
 * has no MLM head. */
int irra_mlm(irra_model *m, const int32_t *ids, const float *img_tokens, int B, float *logits,
             float *attn, irra_err *e);

#endif
