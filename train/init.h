/* Initialisation of a model from scratch (spec 4.9: CLIP's initialize_parameters and PyTorch's
 * module defaults for the towers, spec 4.8 for IRRA's new modules), deterministic in the seed:
 * tensor i draws from its own stream, so the result does not depend on the order or on which
 * other tensors exist. */
#ifndef IRRA_TRAIN_INIT_H
#define IRRA_TRAIN_INIT_H

#include "train/params.h"

#include <stdint.h>

/* Every tensor of p. */
void irra_init_all(irra_param_buf *p, uint64_t seed);
/* Tensor i alone (e.g. a classifier of another size when fine-tuning). */
void irra_init_tensor(irra_param_buf *p, int i, uint64_t seed);

#endif
