/* Element access and number formats of model/tensors.h: fp16/bf16 conversions (IEEE 754
 * binary16 reference values), strides, contiguity. File formats: tests/test_loaders.sh. */
#include "model/tensors.h"
#include "tests/check.h"

#include <string.h>

static uint32_t bits(float f)
{
    uint32_t u;
    memcpy(&u, &f, 4);
    return u;
}

static void f16_reference_values(void)
{
    EXPECT(irra_f16_to_f32(0x3c00) == 1.0f);
    EXPECT(irra_f16_to_f32(0xc000) == -2.0f);
    EXPECT(irra_f16_to_f32(0x7bff) == 65504.0f);           /* largest finite */
    EXPECT(irra_f16_to_f32(0x0400) == 0x1p-14f);           /* smallest normal */
    EXPECT(irra_f16_to_f32(0x0001) == 0x1p-24f);           /* smallest subnormal */
    EXPECT(irra_f16_to_f32(0x03ff) == 1023 * 0x1p-24f);    /* largest subnormal */
    EXPECT(bits(irra_f16_to_f32(0x8000)) == 0x80000000u); /* -0 */
    EXPECT(irra_f16_to_f32(0x7c00) == INFINITY && irra_f16_to_f32(0xfc00) == -INFINITY);
    EXPECT(isnan(irra_f16_to_f32(0x7e00)) && isnan(irra_f16_to_f32(0x7c01)));
}

static void f32_to_f16_rounds_to_nearest_even(void)
{
    EXPECT(irra_f32_to_f16(1.0f) == 0x3c00);
    EXPECT(irra_f32_to_f16(1.0f + 0x1p-11f) == 0x3c00);              /* tie -> even */
    EXPECT(irra_f32_to_f16(1.0f + 3 * 0x1p-11f) == 0x3c02);          /* tie -> even (up) */
    EXPECT(irra_f32_to_f16(1.0f + 0x1p-11f + 0x1p-20f) == 0x3c01);   /* above the tie */
    EXPECT(irra_f32_to_f16(65519.0f) == 0x7bff);
    EXPECT(irra_f32_to_f16(65520.0f) == 0x7c00);                     /* overflows to inf */
    EXPECT(irra_f32_to_f16(-1e9f) == 0xfc00);
    EXPECT(irra_f32_to_f16(0x1p-25f) == 0x0000);                     /* subnormal tie -> 0 */
    EXPECT(irra_f32_to_f16(3 * 0x1p-25f) == 0x0002);                 /* subnormal tie -> even */
    EXPECT(irra_f32_to_f16(0x1p-14f - 0x1p-25f) == 0x0400);          /* rounds up to normal */
    EXPECT(irra_f32_to_f16(-0.0f) == 0x8000);
    uint16_t n = irra_f32_to_f16(NAN);
    EXPECT((n & 0x7c00) == 0x7c00 && (n & 0x3ff));
}

static void every_half_survives_a_round_trip(void)
{
    int bad = 0;
    for (uint32_t h = 0; h < 65536; h++) {
        float f = irra_f16_to_f32((uint16_t)h);
        if (isnan(f) ? !isnan(irra_f16_to_f32(irra_f32_to_f16(f))) : irra_f32_to_f16(f) != h) bad++;
    }
    EXPECTF(bad == 0, "%d halves changed", bad);
}

/* The vector path (contiguous fp16) and the scalar path (strided) must agree on every half. */
static void contiguous_and_strided_f16_agree(void)
{
    static uint16_t h[2 * 65536];
    static float a[65536], b[65536];
    for (uint32_t i = 0; i < 65536; i++) h[i] = (uint16_t)i, h[65536 + i] = 0;
    irra_tensor c = {.dtype = IRRA_F16, .ndim = 1, .shape = {65536}, .stride = {1}, .data = h};
    irra_tensor s = {.dtype = IRRA_F16, .ndim = 2, .shape = {65536, 1}, .stride = {1, 7}, .data = h};
    irra_tensor_to_f32(&c, a);
    irra_tensor_to_f32(&s, b);
    int bad = 0;
    for (int i = 0; i < 65536; i++) bad += bits(a[i]) != bits(b[i]) && !(isnan(a[i]) && isnan(b[i]));
    EXPECTF(bad == 0, "%d differ", bad);
}

static void to_f32_follows_strides_and_offset(void)
{
    /* storage 0..11 as bf16 viewed as 3x4; the tensor is view[1:, 1::2].T: shape [2, 2],
     * strides [2, 4], storage_offset 5 (torch: arange(12.).view(3,4)[1:,1::2].T) */
    uint16_t st[12];
    for (int i = 0; i < 12; i++) st[i] = (uint16_t)(bits((float)i) >> 16);
    irra_tensor t = {.dtype = IRRA_BF16, .ndim = 2, .shape = {2, 2}, .stride = {2, 4}, .data = st + 5};
    float out[4];
    irra_tensor_to_f32(&t, out);
    EXPECT(out[0] == 5 && out[1] == 9 && out[2] == 7 && out[3] == 11);
    EXPECT(!irra_tensor_is_contiguous(&t));
}

static void contiguity_ignores_unit_and_empty_dims(void)
{
    irra_tensor a = {.dtype = IRRA_F32, .ndim = 3, .shape = {2, 1, 3}, .stride = {3, 99, 1}};
    irra_tensor b = {.dtype = IRRA_F32, .ndim = 2, .shape = {0, 3}, .stride = {5, 7}};
    irra_tensor c = {.dtype = IRRA_F32, .ndim = 2, .shape = {3, 2}, .stride = {1, 3}};
    irra_tensor s = {.dtype = IRRA_F32, .ndim = 0};
    EXPECT(irra_tensor_is_contiguous(&a) && irra_tensor_is_contiguous(&b));
    EXPECT(!irra_tensor_is_contiguous(&c) && irra_tensor_is_contiguous(&s));
    EXPECT(irra_tensor_numel(&s) == 1 && irra_tensor_numel(&b) == 0 && irra_tensor_numel(&a) == 6);
}

static void overlapping_views_are_told_from_dense_ones(void)
{
#define T(nd, ...) (irra_tensor){.dtype = IRRA_F32, .ndim = nd, __VA_ARGS__}
    irra_tensor dense[] = {
        T(2, .shape = {4, 3}, .stride = {3, 1}),         /* contiguous */
        T(2, .shape = {3, 4}, .stride = {1, 3}),         /* transposed */
        T(2, .shape = {2, 3}, .stride = {8, 1}),         /* rows of a wider storage */
        T(3, .shape = {2, 1, 3}, .stride = {3, 0, 1}),   /* a size-1 dim may have any stride */
        T(2, .shape = {0, 3}, .stride = {0, 0}),         /* empty */
        T(1, .shape = {1}, .stride = {0}),               /* one element */
    };
    irra_tensor overlapping[] = {
        T(2, .shape = {1 << 24, 64}, .stride = {0, 1}),  /* torch.zeros(64).expand(2**24, 64) */
        T(2, .shape = {64, 32}, .stride = {1, 1}),       /* rows one element apart */
        T(2, .shape = {4, 4}, .stride = {3, 1}),         /* rows shorter than the row length */
        T(3, .shape = {2, 3, 2}, .stride = {6, 1, 2}),   /* interleaved middle dims */
        T(1, .shape = {5}, .stride = {-1}),
    };
#undef T
    for (size_t i = 0; i < sizeof dense / sizeof *dense; i++)
        EXPECTF(!irra_tensor_overlaps(&dense[i]), "dense[%zu]", i);
    for (size_t i = 0; i < sizeof overlapping / sizeof *overlapping; i++)
        EXPECTF(irra_tensor_overlaps(&overlapping[i]), "overlapping[%zu]", i);
}

static void integer_tensors_convert_by_value(void)
{
    int64_t v[3] = {-4, 0, 1 << 20};
    irra_tensor t = {.dtype = IRRA_I64, .ndim = 1, .shape = {3}, .stride = {1}, .data = v};
    float out[3];
    irra_tensor_to_f32(&t, out);
    EXPECT(out[0] == -4 && out[1] == 0 && out[2] == 1 << 20);
}

static void dtype_names_follow_safetensors(void)
{
    EXPECT(!strcmp(irra_dtype_name(IRRA_BF16), "BF16") && irra_dtype_size(IRRA_BF16) == 2);
    EXPECT(!strcmp(irra_dtype_name(IRRA_I64), "I64") && irra_dtype_size(IRRA_I64) == 8);
    EXPECT(!strcmp(irra_dtype_name(IRRA_U8), "U8") && irra_dtype_size(IRRA_U8) == 1);
}

int main(void)
{
    RUN(f16_reference_values);
    RUN(f32_to_f16_rounds_to_nearest_even);
    RUN(every_half_survives_a_round_trip);
    RUN(contiguous_and_strided_f16_agree);
    RUN(to_f32_follows_strides_and_offset);
    RUN(contiguity_ignores_unit_and_empty_dims);
    RUN(overlapping_views_are_told_from_dense_ones);
    RUN(integer_tensors_convert_by_value);
    RUN(dtype_names_follow_safetensors);
    return DONE();
}
