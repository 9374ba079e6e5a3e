/* safetensors files (model/safetensors.c): the header length, the JSON header, dtypes, shapes,
 * data offsets and their tiling, __metadata__. Seeds: files written by irra's own writer. */
#define FUZZ_SEEDS make_seeds
#include "tests/fuzz/tensor_file.h"

static void make_seeds(const char *dir)
{
    static const float w[12] = {1, -2, 3.5f, 0, 1e-3f, -7, 8, 9, 10, 11, 12, 13};
    static const int64_t ids[3] = {49406, 320, 49407};
    irra_tensor t[3] = {
        {.name = "w", .dtype = IRRA_F32, .ndim = 2, .shape = {3, 4}, .stride = {4, 1}, .data = w},
        {.name = "ids", .dtype = IRRA_I64, .ndim = 1, .shape = {3}, .stride = {1}, .data = ids},
        {.name = "scalar", .dtype = IRRA_F32, .ndim = 0, .data = w + 2},
    };
    const char *k[] = {"format", "irra_config"}, *v[] = {"pt", "{\"embed_dim\": 512}"};
    char path[512];
    for (int i = 0; i < 2; i++) {
        irra_err e;
        snprintf(path, sizeof path, "%s/seed-%03d", dir, i);
        if (irra_safetensors_write(path, t, 3, i ? IRRA_F16 : IRRA_F32, k, v, 2, &e)) {
            fprintf(stderr, "%s\n", e.msg);
            exit(1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    fuzz_tensor_file(data, n, "fuzz.safetensors");
    return 0;
}
