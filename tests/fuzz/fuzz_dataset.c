/* The three annotation formats (gallery/dataset.c): CUHK-PEDES reid_raw.json, ICFG-PEDES.json
 * and RSTPReid data_captions.json, every split. Byte 0 picks the format (bits 0-1) and the
 * split (bits 2-3); the rest is the annotation file. Images are not opened by the reader. */
#define FUZZ_SEEDS make_seeds
#include "gallery/dataset.h"
#include "tests/fuzz/fuzz.h"

#include <sys/stat.h>

static const struct {
    const char *kind, *file;
} formats[3] = {{"cuhk-pedes", "reid_raw.json"}, {"icfg-pedes", "ICFG-PEDES.json"},
                {"rstpreid", "data_captions.json"}};
static const char *splits[3] = {"test", "train", "val"};

static void make_seeds(const char *dir)
{
    static const char *s[] = {
        /* cuhk-pedes, test */
        "\x00[{\"split\": \"test\", \"captions\": [\"a man in a black coat\", \"he walks\"], "
        "\"file_path\": \"test/0001_c1_0000.png\", \"processed_tokens\": [[\"a\"], [\"he\"]], "
        "\"id\": 1}, {\"split\": \"train\", \"captions\": [\"a woman\"], \"file_path\": "
        "\"train/0002_c3s1_0001.jpg\", \"id\": 1}]",
        /* cuhk-pedes, train: ids remapped to id - 1, must be 0..N-1 */
        "\x04[{\"split\": \"train\", \"captions\": [\"x\"], \"file_path\": \"a.jpg\", \"id\": 1}, "
        "{\"split\": \"train\", \"captions\": [\"y\", \"z\"], \"file_path\": \"b.jpg\", \"id\": 2}]",
        /* icfg-pedes, test */
        "\x01[{\"split\": \"test\", \"captions\": [\"The woman has long hair.\"], \"file_path\": "
        "\"test/0001/0001_010_01_0303afternoon_0001_0.jpg\", \"id\": 0}]",
        /* rstpreid, val */
        "\x0a[{\"id\": 0, \"img_path\": \"0000_c14_0031.jpg\", \"captions\": [\"a\", \"b\"], "
        "\"split\": \"val\"}, {\"id\": 3, \"img_path\": \"0003_c1_0001.jpg\", \"captions\": [], "
        "\"split\": \"test\"}]",
    };
    for (int i = 0; i < 4; i++) fuzz_seed(dir, i, s[i], strlen(s[i] + 1) + 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    if (n < 1 || (data[0] & 3) == 3 || (data[0] >> 2 & 3) == 3) return 0;
    int f = data[0] & 3;
    char path[600], spec[600];
    snprintf(path, sizeof path, "%s/imgs", fuzz_dir());
    mkdir(path, 0700); /* the reader wants the image folder to exist */
    snprintf(path, sizeof path, "%s/%s", fuzz_dir(), formats[f].file);
    fuzz_write(path, data + 1, n - 1);
    snprintf(spec, sizeof spec, "%s:%s", formats[f].kind, fuzz_dir());
    irra_err e;
    gal_dataset *d = gal_dataset_open(spec, splits[data[0] >> 2 & 3], &e);
    if (d) {
        for (int i = 0; i < d->n_captions; i++)
            if (d->captions[i].image < 0 || d->captions[i].image >= d->n_images) abort();
        gal_dataset_free(d);
    }
    unlink(path);
    return 0;
}
