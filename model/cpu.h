/* CPU features that __builtin_cpu_supports cannot name on every compiler (clang 14 rejects
 * "f16c"): read from cpuid directly. */
#ifndef IRRA_CPU_H
#define IRRA_CPU_H

/* 1 when the CPU has F16C and the OS saves the AVX registers it needs; 0 elsewhere. */
int irra_cpu_has_f16c(void);

/* Makes the calling thread's float arithmetic treat subnormal inputs and results as zero (SSE
 * FTZ and DAZ; nothing on other CPUs). Training needs it: Adam's first moment of a tensor row
 * that stops getting gradient (the token embeddings of words no caption uses) decays by 0.9 a
 * step into the subnormal range, where each operation costs ~100 cycles: a run slowed from
 * 2.5 to 1.05 steps/s between steps 100 and 1000. */
void irra_cpu_flush_denormals(void);

#endif
