/* irra_pth_write (the torch.save writer) read back by irra_tensors_open, and the official
 * fp16/fp32 rule of irra_official_dtype (spec 1.5). The end-to-end checks against torch.load
 * and the reference model are in tests/check_export.py. */
#include "model/export.h"
#include "model/tensors.h"
#include "tests/check.h"

#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static char dir[64];

static const char *in_dir(const char *name)
{
    static char p[128];
    snprintf(p, sizeof p, "%s/%s", dir, name);
    return p;
}

/* The number of entries in dir besides . and .. */
static int files_in_dir(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *de; d && (de = readdir(d));) n += de->d_name[0] != '.';
    if (d) closedir(d);
    return n;
}

static irra_tensor tensor(const char *name, irra_dtype d, const void *data, int ndim,
                          const int64_t *shape, const int64_t *stride)
{
    irra_tensor t = {.name = (char *)name, .dtype = d, .ndim = ndim, .data = data};
    for (int i = 0; i < ndim; i++) t.shape[i] = shape[i], t.stride[i] = stride[i];
    return t;
}

static void strided_integer_scalar_and_empty_tensors_round_trip(void)
{
    static const float m[6] = {1, 2, 3, 4, 5, 6}; /* [2,3]; read as its transpose [3,2] */
    static const int64_t ids[3] = {7, -1, 1LL << 40};
    static const float scalar = 0.25f, third = 1.0f / 3;
    irra_tensor t[5] = {
        tensor("a.transposed", IRRA_F32, m, 2, (int64_t[]){3, 2}, (int64_t[]){1, 3}),
        tensor("b.ids", IRRA_I64, ids, 1, (int64_t[]){3}, (int64_t[]){1}),
        tensor("c.scalar", IRRA_F32, &scalar, 0, NULL, NULL),
        tensor("d.empty", IRRA_F32, m, 2, (int64_t[]){0, 4}, (int64_t[]){4, 1}),
        tensor("e.to_half", IRRA_F32, &third, 1, (int64_t[]){1}, (int64_t[]){1}),
    };
    irra_dtype dt[5] = {IRRA_F32, IRRA_I64, IRRA_F32, IRRA_F16, IRRA_F16};
    irra_err e = {{0}};
    EXPECTF(irra_pth_write(in_dir("rt.pth"), t, 5, dt, &e) == 0, "%s", e.msg);
    irra_tensors *ts = irra_tensors_open(in_dir("rt.pth"), &e);
    EXPECTF(ts != NULL, "%s", e.msg);
    if (!ts) return;
    EXPECT(ts->n == 5);
    for (int i = 0; i < ts->n && i < 5; i++) {
        EXPECTF(!strcmp(ts->t[i].name, t[i].name), "%s", ts->t[i].name);
        EXPECT(ts->t[i].dtype == dt[i] && ts->t[i].ndim == t[i].ndim);
        EXPECT(irra_tensor_is_contiguous(&ts->t[i]));
    }
    float got[6];
    irra_tensor_to_f32(&ts->t[0], got);
    static const float want[6] = {1, 4, 2, 5, 3, 6};
    EXPECT(!memcmp(got, want, sizeof want));
    EXPECT(!memcmp(ts->t[1].data, ids, sizeof ids));
    EXPECT(*(const float *)ts->t[2].data == 0.25f);
    EXPECT(ts->t[3].shape[0] == 0 && ts->t[3].shape[1] == 4);
    uint16_t h;
    memcpy(&h, ts->t[4].data, 2);
    EXPECT(h == irra_f32_to_f16(third));
    /* every storage starts 64-byte aligned in the file, as torch places them */
    for (int i = 0; i < ts->n; i++)
        if (irra_tensor_numel(&ts->t[i]))
            EXPECTF(((const uint8_t *)ts->t[i].data - (const uint8_t *)ts->map) % 64 == 0,
                    "tensor %d", i);
    irra_tensors_free(ts);
    unlink(in_dir("rt.pth"));
}

static void bad_input_is_refused_and_leaves_no_file(void)
{
    static const float x = 1;
    irra_tensor t[2] = {tensor("w", IRRA_F32, &x, 1, (int64_t[]){1}, (int64_t[]){1}),
                        tensor("w", IRRA_F32, &x, 1, (int64_t[]){1}, (int64_t[]){1})};
    irra_err e = {{0}};
    EXPECT(irra_pth_write(in_dir("bad.pth"), t, 2, NULL, &e) < 0 && strstr(e.msg, "twice"));
    t[1].name = "\xff\xfe";
    EXPECT(irra_pth_write(in_dir("bad.pth"), t, 2, NULL, &e) < 0 && strstr(e.msg, "UTF-8"));
    irra_dtype to_int[1] = {IRRA_I64};
    EXPECT(irra_pth_write(in_dir("bad.pth"), t, 1, to_int, &e) < 0 && strstr(e.msg, "I64"));
    EXPECT(irra_pth_write(in_dir("bad.pth"), t, 0, NULL, &e) < 0);
    EXPECT(irra_pth_write(in_dir("no/such/folder/x.pth"), t, 1, NULL, &e) < 0 &&
           strstr(e.msg, "no/such/folder/x.pth"));
    EXPECT(files_in_dir() == 0);
}

static void a_failed_write_keeps_the_old_file(void)
{
    FILE *f = fopen(in_dir("keep.pth"), "w");
    fputs("old", f);
    fclose(f);
    static const float x = 1;
    irra_tensor t[2] = {tensor("w", IRRA_F32, &x, 1, (int64_t[]){1}, (int64_t[]){1}),
                        tensor("w", IRRA_F32, &x, 1, (int64_t[]){1}, (int64_t[]){1})};
    irra_err e = {{0}};
    EXPECT(irra_pth_write(in_dir("keep.pth"), t, 2, NULL, &e) < 0);
    char buf[8] = {0};
    f = fopen(in_dir("keep.pth"), "r");
    EXPECT(f && fread(buf, 1, sizeof buf, f) == 3 && !strcmp(buf, "old"));
    if (f) fclose(f);
    EXPECT(files_in_dir() == 1);
    unlink(in_dir("keep.pth"));
}

/* spec 1.5's dtype column */
static void official_dtype_follows_convert_weights(void)
{
    static const struct { const char *name; irra_dtype want; } cases[] = {
        {"base_model.positional_embedding", IRRA_F32},
        {"base_model.text_projection", IRRA_F16},
        {"base_model.visual.class_embedding", IRRA_F32},
        {"base_model.visual.positional_embedding", IRRA_F32},
        {"base_model.visual.proj", IRRA_F16},
        {"base_model.visual.conv1.weight", IRRA_F16},
        {"base_model.visual.ln_pre.weight", IRRA_F32},
        {"base_model.visual.transformer.resblocks.0.attn.in_proj_weight", IRRA_F16},
        {"base_model.visual.transformer.resblocks.0.attn.in_proj_bias", IRRA_F16},
        {"base_model.visual.transformer.resblocks.0.attn.out_proj.weight", IRRA_F16},
        {"base_model.visual.transformer.resblocks.0.attn.out_proj.bias", IRRA_F16},
        {"base_model.visual.transformer.resblocks.0.ln_1.bias", IRRA_F32},
        {"base_model.visual.transformer.resblocks.0.mlp.c_fc.weight", IRRA_F16},
        {"base_model.visual.transformer.resblocks.0.mlp.c_proj.bias", IRRA_F16},
        {"base_model.visual.transformer.resblocks.0.ln_2.weight", IRRA_F32},
        {"base_model.visual.ln_post.bias", IRRA_F32},
        {"base_model.token_embedding.weight", IRRA_F32},
        {"base_model.ln_final.weight", IRRA_F32},
        {"classifier.weight", IRRA_F16},
        {"classifier.bias", IRRA_F16},
        {"cross_attn.in_proj_weight", IRRA_F16},
        {"cross_attn.out_proj.bias", IRRA_F16},
        {"cross_modal_transformer.resblocks.3.mlp.c_fc.bias", IRRA_F16},
        {"ln_pre_t.weight", IRRA_F32},
        {"ln_pre_i.bias", IRRA_F32},
        {"ln_post.weight", IRRA_F32},
        {"mlm_head.dense.weight", IRRA_F16},
        {"mlm_head.dense.bias", IRRA_F16},
        {"mlm_head.ln.weight", IRRA_F32},
        {"mlm_head.fc.weight", IRRA_F16},
        {"mlm_head.fc.bias", IRRA_F16},
        {"something.unknown", IRRA_F32},
    };
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
        EXPECTF(irra_official_dtype(cases[i].name) == cases[i].want, "%s", cases[i].name);
}

int main(void)
{
    snprintf(dir, sizeof dir, "/tmp/irra-test-pth-XXXXXX");
    if (!mkdtemp(dir)) return 1;
    RUN(strided_integer_scalar_and_empty_tensors_round_trip);
    RUN(bad_input_is_refused_and_leaves_no_file);
    RUN(a_failed_write_keeps_the_old_file);
    RUN(official_dtype_follows_convert_weights);
    rmdir(dir);
    return DONE();
}
