#ifndef IRRA_FINGERPRINT_H
#define IRRA_FINGERPRINT_H

#include "model/irra.h"

/* A short hex string that identifies a model's weights as used for compute (names, shapes,
 * and sampled element values as fp32): a gallery records it, and search refuses features made by
 * another model. out holds at least 17 bytes. */
void irra_model_fingerprint(const irra_model *m, char *out);

#endif
