/* The zip container of torch.save checkpoints (model/zip.c): the central directory, ZIP64
 * records, local headers, and every entry's data span. */
#include "model/zip.h"
#include "tests/fuzz/fuzz.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    irra_zip z;
    irra_err e;
    if (irra_zip_open(&z, data, n, -1, "fuzz.pth", &e)) return 0;
    for (int i = 0; i < z.n; i++) {
        const uint8_t *p = irra_zip_data(&z, &z.ent[i], &e);
        if (p) fuzz_touch(p, (size_t)z.ent[i].size);
    }
    irra_zip_find(&z, "data.pkl");
    irra_zip_free(&z);
    return 0;
}
