/* torch.save checkpoints end to end (model/pth.c over model/zip.c and model/pickle.c):
 * storages, rebuild calls, shapes, strides and offsets against their storage. Seeds:
 * tests/fuzz/seeds/pth/ (a torch.save of a small state dict, and a hand-made strided view). */
#include "tests/fuzz/tensor_file.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    fuzz_tensor_file(data, n, "fuzz.pth");
    return 0;
}
