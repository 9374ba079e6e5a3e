/* A model back to the official layout: best.pth as utils/checkpoint.py saves it (spec 7.1) and
 * the configs.yaml that test.py reads beside it, so that PyTorch code loads a model irra trained
 * or converted. */
#ifndef IRRA_EXPORT_H
#define IRRA_EXPORT_H

#include "model/err.h"
#include "model/irra.h"

typedef struct {
    const char *dataset_name; /* NULL: by the classifier's size (11003 CUHK-PEDES, 3102
                                 ICFG-PEDES, 3701 RSTPReid), else CUHK-PEDES */
    const char *root_dir;     /* NULL: ./data, the official default */
} irra_export_opts;

/* The storage type the official build_model's convert_weights leaves a parameter in (spec 1.5):
 * F16 for Conv/Linear weights and biases (out_proj, classifier and mlm_head.dense/fc included),
 * MHA in_proj_weight/bias, proj and text_projection; F32 for LayerNorms, embeddings,
 * positional embeddings, class_embedding and any name it does not know. */
irra_dtype irra_official_dtype(const char *name);

/* Writes pth_path as {"model": state_dict} with the official names ("base_model." before every
 * CLIP tensor, whether or not the model file had it) and dtypes (irra_official_dtype; integer
 * tensors keep theirs), in the model file's tensor order, and configs.yaml in the same folder
 * (img_size, stride_size, text_length, vocab_size, cmt_depth, loss_names, num_classes and
 * output_dir from the model; every other key the official default). Both are written to
 * temporary files first; configs.yaml is renamed into place, then pth_path, so a failure leaves
 * the old files, and an output path that is a folder is refused before anything is written. */
int irra_model_export(const irra_model *m, const char *pth_path, const irra_export_opts *o,
                      irra_err *e);

#endif
