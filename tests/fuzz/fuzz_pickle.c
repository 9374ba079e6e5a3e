/* The restricted unpickler (model/pickle.c): a checkpoint's data.pkl, protocol 2, with the
 * torch rebuild calls and persistent storage ids it knows and everything else refused. */
#include "model/pickle.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    irra_pickle pk;
    irra_err e;
    if (irra_pickle_load(&pk, data, n, "fuzz.pkl", &e)) return 0; /* it freed what it made */
    irra_pickle_dict_get(&pk, pk.root, "state_dict");
    irra_pickle_dict_get(&pk, pk.root, "model");
    irra_pickle_free(&pk);
    return 0;
}
