/* Times irra's training step (forward + backward, gradients zeroed first) for tests/bench_train.py:
 *   tool_bench_grad MODEL BATCH.json STEPS
 * prints one JSON line: samples per second (best and median step), peak RSS, activation
 * memory per sample. */
#include "model/irra.h"
#include "train/batch.h"
#include "train/params.h"
#include "train/trainer.h"

#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <time.h>

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int cmp(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
    if (argc != 4) {
        fprintf(stderr, "usage: tool_bench_grad MODEL BATCH.json STEPS\n");
        return 2;
    }
    int steps = atoi(argv[3]);
    irra_err e = {{0}};
    irra_model *m = irra_model_open(argv[1], NULL, &e);
    irra_param_layout L;
    irra_param_buf p, g;
    irra_batch_file bf;
    if (!m || irra_param_layout_make(&L, irra_model_config(m), &e) < 0 ||
        irra_param_buf_init(&p, &L, "parameters", &e) < 0 ||
        irra_param_buf_load(&p, irra_model_tensors(m), &e) < 0 ||
        irra_param_buf_init(&g, &L, "gradients", &e) < 0 ||
        irra_batch_read(&bf, argv[2], &L.cfg, &e) < 0) {
        fprintf(stderr, "tool_bench_grad: %s\n", e.msg);
        return 2;
    }
    irra_model_free(m);
    irra_trainer *t = irra_trainer_new(&p, &g, &e);
    double *dt = calloc((size_t)steps + 1, sizeof *dt);
    irra_losses l;
    for (int s = 0; s <= steps; s++) { /* step 0 warms up */
        double t0 = now();
        irra_param_buf_zero(&g);
        if (irra_train_step(t, &bf.b, &bf.losses, &l, &e) < 0) {
            fprintf(stderr, "tool_bench_grad: %s\n", e.msg);
            return 2;
        }
        dt[s] = now() - t0;
    }
    qsort(dt + 1, (size_t)steps, sizeof *dt, cmp);
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    int B = bf.b.B;
    printf("{\"samples_per_s\": %.3f, \"samples_per_s_median\": %.3f, \"step_s\": %.4f, "
           "\"peak_rss_mb\": %.1f, \"act_mb_per_sample\": %.3f, \"loss\": %.6f}\n",
           B / dt[1], B / dt[1 + steps / 2], dt[1], ru.ru_maxrss / 1024.0,
           irra_trainer_act_bytes(t) / 1e6 / B, l.loss);
    irra_trainer_free(t);
    irra_batch_free(&bf);
    irra_param_buf_free(&g), irra_param_buf_free(&p);
    irra_param_layout_free(&L);
    free(dt);
    return 0;
}
