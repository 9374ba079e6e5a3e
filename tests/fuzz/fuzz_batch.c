/* The `irra grad` / `irra train --replay` batch file (train/batch.c): one JSON object with image
 * paths, pids, three [B][context] id tables and the loss names, checked against a small model's
 * configuration. Image paths name files in the scratch folder (a.png exists, others do not). */
#define FUZZ_SEEDS make_seeds
#define FUZZ_INIT() write_image()
static void write_image(void);
#include "tests/fuzz/fuzz.h"
#include "train/batch.h"

/* A 1x1 RGB PNG. */
static const uint8_t png[] = {
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44,
    0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90,
    0x77, 0x53, 0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8,
    0xcf, 0xc0, 0x00, 0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00,
    0x00, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82};

static void write_image(void)
{
    char path[512];
    snprintf(path, sizeof path, "%s/a.png", fuzz_dir());
    fuzz_write(path, png, sizeof png);
}

static void make_seeds(const char *dir)
{
    static const char *s[] = {
        ("{\"images\": [\"a.png\", \"a.png\"], \"pids\": [0, 1], \"caption_ids\": "
         "[[598, 5, 6, 599, 0, 0], [598, 7, 599, 0, 0, 0]], \"mlm_ids\": "
         "[[598, 597, 6, 599, 0, 0], [598, 597, 599, 0, 0, 0]], \"mlm_labels\": "
         "[[0, 5, 0, 0, 0, 0], [0, 7, 0, 0, 0, 0]], \"loss_names\": \"sdm+id+mlm\"}"),
        ("{\"images\": [\"a.png\"], \"pids\": [2], \"caption_ids\": [[598, 3, 599, 0, 0, 0]], "
         "\"loss_names\": \"itc+sdm\"}"),
        "{\"images\": [\"b.png\"], \"pids\": [-1], \"caption_ids\": [[1, 2]]}",
    };
    for (int i = 0; i < 3; i++) fuzz_seed(dir, i, s[i], strlen(s[i]));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t n)
{
    irra_config c = {.img_h = 4, .img_w = 4, .context = 6, .vocab = 600, .mlm_vocab = 600,
                     .has_mlm = 1, .num_classes = 3};
    irra_batch_file bf;
    irra_err e;
    if (irra_batch_parse(&bf, (const char *)data, n, "batch.json", fuzz_dir(), &c, &e) == 0) {
        fuzz_touch(bf.b.pixels, (size_t)bf.b.B * 3 * 4 * 4 * sizeof(float));
        fuzz_touch(bf.b.mlm_labels, (size_t)bf.b.B * 6 * sizeof(int32_t));
        irra_batch_free(&bf);
    }
    return 0;
}
