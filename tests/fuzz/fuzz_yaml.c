/* configs.yaml read beside a checkpoint (model/run_config.c): img_size and stride_size out of
 * whatever YAML the file holds, tuples and lists, nested anything. */
#define FUZZ_SEEDS make_seeds
#include "model/run_config.h"
#include "tests/fuzz/fuzz.h"

static void make_seeds(const char *dir)
{
    static const char *s[] = {
        "batch_size: 64\nimg_size: !!python/tuple\n- 384\n- 128\nname: iira\nstride_size: 16\n",
        "img_size: [256, 96]\nstride_size: 12\n",
        "lr: 1.0e-05\nloss_names: sdm+mlm+id\nnested: {a: [1, {b: 2}], c: &x 3, d: *x}\n",
    };
    for (int i = 0; i < 3; i++) fuzz_seed(dir, i, s[i], strlen(s[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    int h = -1, w = -1, s = -1;
    irra_err e;
    irra_read_run_config(fuzz_file(data, n, "configs.yaml"), &h, &w, &s, &e);
    return 0;
}
