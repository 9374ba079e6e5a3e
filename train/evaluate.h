/* A training run's evaluation after each epoch: the official evaluator (spec 5) on a split,
 * with the model as it is now. The split's images are decoded and preprocessed once, when the
 * evaluator is opened, and kept as model input. */
#ifndef IRRA_TRAIN_EVALUATE_H
#define IRRA_TRAIN_EVALUATE_H

#include "gallery/dataset.h"
#include "gallery/metrics.h"
#include "model/irra.h"

typedef struct {
    gal_dataset *ds;
    float *pixels;  /* [n_images, 3, H, W] */
    int H, W;
} irra_evaluator;

/* Opens split of the dataset spec (an empty split is an error naming both); images that
 * cannot be read are an error naming them. */
int irra_evaluator_open(irra_evaluator *ev, const char *spec, const char *split, int H, int W,
                        irra_err *e);
void irra_evaluator_free(irra_evaluator *ev);

/* R@1/5/10, mAP and mINP of model m (an irra model file of the run, just written). */
int irra_evaluate(irra_evaluator *ev, irra_model *m, gal_metrics *out, irra_err *e);

#endif
