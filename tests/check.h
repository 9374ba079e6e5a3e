/* The test harness: one behaviour per test function, RUN(fn) prints "ok fn" or "FAIL fn" with
 * the failed expectations above it, and DONE() prints "N passed, N failed" and returns the exit
 * status. tests/run.sh adds the counts of every test program into the final summary. */
#ifndef IRRA_CHECK_H
#define IRRA_CHECK_H

#include <math.h>
#include <stdio.h>

static int check_failed_now, check_passed, check_failed;

#define EXPECT(cond)                                                                    \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            printf("  %s:%d: expected %s\n", __FILE__, __LINE__, #cond);                \
            check_failed_now = 1;                                                       \
        }                                                                               \
    } while (0)

#define EXPECTF(cond, ...)                                                              \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            printf("  %s:%d: expected %s: ", __FILE__, __LINE__, #cond);                \
            printf(__VA_ARGS__);                                                        \
            printf("\n");                                                               \
            check_failed_now = 1;                                                       \
        }                                                                               \
    } while (0)

/* |got - want| <= atol + rtol * |want| */
#define EXPECT_CLOSE(got, want, atol, rtol)                                             \
    EXPECTF(fabs((double)(got) - (double)(want)) <= (atol) + (rtol) * fabs((double)(want)), \
            "got %.9g want %.9g", (double)(got), (double)(want))

#define RUN(fn)                                                                         \
    do {                                                                                \
        check_failed_now = 0;                                                           \
        fn();                                                                           \
        printf("%s %s\n", check_failed_now ? "FAIL" : "ok", #fn);                       \
        fflush(stdout);                                                                 \
        if (check_failed_now) check_failed++;                                           \
        else check_passed++;                                                            \
    } while (0)

#define DONE() (printf("%d passed, %d failed\n", check_passed, check_failed), check_failed != 0)

#endif
