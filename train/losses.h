/* IRRA's losses on the global features (spec 3), each returning its value and adding its
 * gradient (times the loss's weight) into the feature and parameter gradients. Internally in
 * double: they are B x B or B x classes, cheap next to the towers. f: image features [B, E]
 * (CLS), g: text features [B, E] (EOT), both before normalisation. */
#ifndef IRRA_TRAIN_LOSSES_H
#define IRRA_TRAIN_LOSSES_H

/* The fixed logit scale 1 / temperature (spec 1.1): not learned, not saved. */
#define IRRA_LOGIT_SCALE 50.0

/* SDM (compute_sdm): KL(softmax(s S) || Y / rowsum(Y)) per row, both directions, each averaged
 * over rows and the two summed; Y[i][j] = (pid_i == pid_j), eps 1e-8 inside the log. */
double irra_sdm_loss(const float *f, const float *g, const int *pids, int B, int E, double scale,
                     float *df, float *dg);

/* ITC (compute_itc): (CE(s f^ g^T, arange) + CE(s g^ f^T, arange)) / 2. */
double irra_itc_loss(const float *f, const float *g, int B, int E, double scale, float *df,
                     float *dg);

/* ID (compute_id) times weight: [CE(classifier(half(f)), pid) + CE(classifier(half(g)), pid)] / 2
 * with one classifier W [K, E], b [K] for both; the features are rounded to fp16 before it, as
 * the official `classifier(i_feats.half())`, and the gradient passes the rounding unchanged.
 * acc_f / acc_g: argmax accuracies. */
double irra_id_loss(const float *f, const float *g, const int *pids, int B, int E, const float *W,
                    const float *b, int K, double weight, float *df, float *dg, float *dW,
                    float *db, double *acc_f, double *acc_g);

/* Cross-entropy of logits [M, V] against labels [M], averaged over the M rows, times weight;
 * logits is overwritten by its gradient. acc: argmax accuracy. */
double irra_ce_loss(float *logits, const int *labels, int M, int V, double weight, double *acc);

#endif
