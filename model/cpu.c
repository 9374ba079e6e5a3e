/* CPU feature checks by cpuid (see model/cpu.h). */
#include "model/cpu.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <xmmintrin.h>

int irra_cpu_has_f16c(void)
{
    unsigned a, b, c, d;
    if (!__get_cpuid(1, &a, &b, &c, &d)) return 0;
    /* F16C (ecx bit 29) works on ymm registers: the OS must save them too, which is what the
     * runtime's "avx" check tests (OSXSAVE and XCR0 bits 1-2). */
    __builtin_cpu_init();
    return (c & bit_F16C) && __builtin_cpu_supports("avx");
}

void irra_cpu_flush_denormals(void)
{
    _mm_setcsr(_mm_getcsr() | 0x8040); /* FTZ (bit 15) and DAZ (bit 6) */
}
#else
int irra_cpu_has_f16c(void) { return 0; }
void irra_cpu_flush_denormals(void) {}
#endif
