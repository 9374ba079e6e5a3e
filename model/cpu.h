/* CPU features that __builtin_cpu_supports cannot name on every compiler (clang 14 rejects
 * "f16c"): read from cpuid directly. */
#ifndef IRRA_CPU_H
#define IRRA_CPU_H

/* 1 when the CPU has F16C and the OS saves the AVX registers it needs; 0 elsewhere. */
int irra_cpu_has_f16c(void);

#endif
