#include "train/run.h"

#include "cmd/progress.h"
#include "gallery/json_read.h"
#include "model/cpu.h"
#include "train/curves.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* Set by SIGINT / SIGTERM; the loop saves a checkpoint at the next step boundary. A signal is
 * the process's, so this flag is too (it does not stop two models from training). */
static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static void path_in(char *buf, size_t n, const char *dir, const char *name)
{
    snprintf(buf, n, "%s/%s", dir, name);
}

/* Appends one line to the run's log (opened per write: a kill loses no buffered line). */
static void log_line(const char *dir, const char *line)
{
    char path[4096];
    path_in(path, sizeof path, dir, IRRA_RUN_LOG);
    FILE *f = fopen(path, "a");
    if (!f) return;
    fputs(line, f);
    fputc('\n', f);
    fclose(f);
}

static void loss_text(char *buf, size_t n, const irra_losses *l, const irra_loss_cfg *lc, int json)
{
    const char *fmt = json ? "\"%s\": %.6g, " : "%s %.4f ";
    size_t k = 0;
    struct { const char *name; double v; int on; } parts[] = {
        {json ? "loss" : "loss", l->loss, 1}, {json ? "sdm_loss" : "sdm", l->sdm_loss, lc->sdm},
        {json ? "itc_loss" : "itc", l->itc_loss, lc->itc}, {json ? "id_loss" : "id", l->id_loss, lc->id},
        {json ? "mlm_loss" : "mlm", l->mlm_loss, lc->mlm}, {"img_acc", l->img_acc, json && lc->id},
        {"txt_acc", l->txt_acc, json && lc->id}, {"mlm_acc", l->mlm_acc, json && lc->mlm}};
    buf[0] = 0;
    for (size_t i = 0; i < sizeof parts / sizeof *parts && k < n; i++)
        if (parts[i].on) k += (size_t)snprintf(buf + k, n - k, fmt, parts[i].name, parts[i].v);
}

typedef struct {
    irra_param_buf *p;
    irra_optim *o;
    irra_run_state *st;
    const irra_run_opts *ro;
    irra_curves curves;
    double t0; /* when this process started the run */
} run_ctx;

/* On resume: the log keeps what the checkpoint holds (steps up to its global step, evaluations
 * of finished epochs); lines of steps that will run again, and a line cut short by a kill, go. */
static void trim_log(const char *dir, const irra_run_state *st)
{
    char path[4096], tmp[4200], line[8192];
    path_in(path, sizeof path, dir, IRRA_RUN_LOG);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *in = fopen(path, "r"), *out = in ? fopen(tmp, "w") : NULL;
    if (!in || !out) {
        if (in) fclose(in);
        return;
    }
    while (fgets(line, sizeof line, in)) {
        size_t n = strlen(line);
        if (n == 0 || line[n - 1] != '\n') break; /* cut short */
        json_object *o = gal_json_parse(line, n, "log", NULL), *v;
        int keep = 0;
        if (o && json_object_object_get_ex(o, "step", &v))
            keep = json_object_get_int64(v) <= st->global_step;
        else if (o && json_object_object_get_ex(o, "eval", &v) &&
                 json_object_object_get_ex(o, "epoch", &v))
            keep = json_object_get_int(v) < st->epoch;
        if (keep) fputs(line, out);
        json_object_put(o);
    }
    fclose(in);
    if (fclose(out) == 0) rename(tmp, path);
}

/* The curves from the log, and the PNG redrawn (each epoch). */
static void draw_curves(run_ctx *c)
{
    char path[4096], title[200];
    path_in(path, sizeof path, c->ro->dir, IRRA_RUN_CURVES);
    snprintf(title, sizeof title, "irra train: %s", c->ro->dir);
    irra_curves_png(&c->curves, path, title, NULL);
}

static void args_meta(irra_meta *m, const irra_run_opts *ro, const char *metrics)
{
    m->n = 0;
    if (ro->args_json) m->key[m->n] = "irra.train_args", m->val[m->n++] = ro->args_json;
    if (metrics) m->key[m->n] = "irra.metrics", m->val[m->n++] = metrics;
}

static int save_checkpoint(run_ctx *c, irra_err *e)
{
    char path[4096];
    irra_meta m;
    args_meta(&m, c->ro, NULL);
    path_in(path, sizeof path, c->ro->dir, IRRA_RUN_CHECKPOINT);
    return irra_checkpoint_save(path, c->p, c->o, c->st, c->ro->bpe, &m, e);
}

/* last.safetensors, the evaluation, best.safetensors when R@1 improved, the log line. */
static int end_epoch(run_ctx *c, int epoch, irra_err *e)
{
    char path[4096], metrics[256] = "", line[512];
    irra_meta m;
    gal_metrics gm = {0};
    args_meta(&m, c->ro, NULL);
    path_in(path, sizeof path, c->ro->dir, IRRA_RUN_LAST);
    if (irra_model_save(path, c->p, c->ro->bpe, &m, e) < 0) return -1;
    if (!c->ro->ev) return 0;
    irra_model *mod = irra_model_open(path, NULL, e);
    if (!mod) return -1;
    int rc = irra_evaluate(c->ro->ev, mod, &gm, e);
    irra_model_free(mod);
    if (rc < 0) return -1;
    snprintf(metrics, sizeof metrics,
             "{\"epoch\": %d, \"R1\": %.3f, \"R5\": %.3f, \"R10\": %.3f, \"mAP\": %.3f, \"mINP\": %.3f}",
             epoch, gm.r1, gm.r5, gm.r10, gm.map, gm.minp);
    snprintf(line, sizeof line, "{\"epoch\": %d, \"eval\": %s}", epoch, metrics);
    log_line(c->ro->dir, line);
    irra_curves_eval ce = {epoch, gm.r1, gm.r5, gm.r10, gm.map, gm.minp};
    irra_curves_add_eval(&c->curves, &ce, NULL);
    if (!c->ro->quiet)
        fprintf(stderr, "epoch %d: R@1 %.2f  R@5 %.2f  R@10 %.2f  mAP %.2f  mINP %.2f%s\n", epoch,
                gm.r1, gm.r5, gm.r10, gm.map, gm.minp, gm.r1 > c->st->best_r1 ? "  (best)" : "");
    args_meta(&m, c->ro, metrics);
    if (irra_model_save(path, c->p, c->ro->bpe, &m, e) < 0) return -1; /* last, with metrics */
    if (gm.r1 > c->st->best_r1 || c->st->best_epoch == 0) {
        c->st->best_r1 = gm.r1, c->st->best_epoch = epoch;
        path_in(path, sizeof path, c->ro->dir, IRRA_RUN_BEST);
        if (irra_model_save(path, c->p, c->ro->bpe, &m, e) < 0) return -1;
    }
    return 0;
}

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

/* One step: batch, forward/backward, Adam; its log line. */
static int one_step(run_ctx *c, irra_trainer *t, irra_param_buf *g, irra_batch_source *src,
                    int epoch, int step, int steps, irra_losses *l, const irra_loss_cfg **used,
                    irra_err *e)
{
    irra_train_batch b;
    if (src->batch(src->ctx, epoch, step, &b, e) < 0) return -1;
    const irra_loss_cfg *lc = src->losses ? src->losses(src->ctx) : &c->ro->lc;
    irra_param_buf_zero(g);
    *used = lc;
    if (irra_train_step(t, &b, lc, l, e) < 0) return -1;
    irra_optim_step(c->o, c->p, g, epoch);
    c->st->global_step++;
    char parts[400], line[600];
    loss_text(parts, sizeof parts, l, lc, 1);
    double lr = irra_optim_lr(&c->o->a, c->o->a.lr, epoch);
    snprintf(line, sizeof line,
             "{\"step\": %lld, \"epoch\": %d, \"batch\": %d, %s\"lr\": %.6g, \"t\": %.3f}",
             c->st->global_step, epoch, b.B, parts, lr, now() - c->t0);
    log_line(c->ro->dir, line);
    const char *names[] = {"loss", "sdm_loss", "itc_loss", "id_loss", "mlm_loss"};
    double vals[] = {l->loss, l->sdm_loss, l->itc_loss, l->id_loss, l->mlm_loss};
    int on[] = {1, lc->sdm, lc->itc, lc->id, lc->mlm}, k = 0;
    const char *nm[5];
    double vv[5];
    for (int i = 0; i < 5; i++)
        if (on[i]) nm[k] = names[i], vv[k++] = vals[i];
    irra_curves_add_step(&c->curves, (long)c->st->global_step, epoch - 1 + (step + 1.0) / steps, lr, k,
                         nm, vv, NULL);
    return b.B;
}

void irra_run_flush_denormals(void)
{
    /* in every thread that computes (OpenBLAS runs on the same OpenMP threads) */
    irra_cpu_flush_denormals();
#pragma omp parallel
    irra_cpu_flush_denormals();
}

int irra_run(irra_param_buf *p, irra_param_buf *g, irra_optim *o, irra_run_state *st,
             irra_batch_source *src, const irra_run_opts *ro, irra_err *e)
{
    run_ctx c = {p, o, st, ro, {0}, now()};
    irra_run_flush_denormals();
    irra_trainer *t = irra_trainer_new(p, g, e);
    if (!t) return -1;
    irra_curves_init(&c.curves);
    /* also at step 0: a run killed before its first checkpoint may have logged a step */
    trim_log(ro->dir, st);
    if (st->global_step > 0 || st->epoch > 1) {
        char path[4096];
        path_in(path, sizeof path, ro->dir, IRRA_RUN_LOG);
        irra_curves_load_jsonl(&c.curves, path, NULL);
    }
    struct sigaction sa = {0}, old_int, old_term;
    sa.sa_handler = on_signal;
    sigaction(SIGINT, &sa, &old_int);
    sigaction(SIGTERM, &sa, &old_term);
    stop_requested = 0;
    /* A testing aid: IRRA_TRAIN_SIGNAL_AFTER=N makes the run send itself SIGTERM after N steps,
     * so that tests interrupt it at a known step on machines of any speed. */
    const char *sa_env = getenv("IRRA_TRAIN_SIGNAL_AFTER");
    long long signal_after = sa_env ? atoll(sa_env) : 0;
    int rc = 0, tty = isatty(STDERR_FILENO);
    for (; st->epoch <= o->a.num_epoch && rc == 0; st->epoch++, st->step = 0) {
        int epoch = st->epoch, steps = src->steps(src->ctx, epoch);
        progress bar;
        char label[64];
        snprintf(label, sizeof label, "epoch %d/%d", epoch, o->a.num_epoch);
        if (!ro->quiet) progress_start(&bar, label, "steps", steps);
        double t0 = now();
        long samples = 0;
        for (; st->step < steps; st->step++) {
            if (stop_requested) break;
            irra_losses l;
            const irra_loss_cfg *lc;
            int n = one_step(&c, t, g, src, epoch, st->step, steps, &l, &lc, e);
            if (n < 0) {
                rc = -1;
                break;
            }
            samples += n;
            if (signal_after > 0 && st->global_step == signal_after) kill(getpid(), SIGTERM);
            char parts[200], note[300];
            loss_text(parts, sizeof parts, &l, lc, 0);
            double lr = irra_optim_lr(&o->a, o->a.lr, epoch);
            snprintf(note, sizeof note, "%slr %.2e  %.1f samples/s", parts, lr,
                     samples / (now() - t0));
            if (!ro->quiet && tty) progress_note(&bar, note), progress_update(&bar, st->step + 1);
            else if (!ro->quiet && ((st->step + 1) % 50 == 0 || st->step + 1 == steps))
                fprintf(stderr, "epoch %d step %d/%d  %s\n", epoch, st->step + 1, steps, note);
            if (ro->checkpoint_every && st->global_step % ro->checkpoint_every == 0 &&
                st->step + 1 < steps) {
                st->step++; /* the checkpoint resumes at the next step */
                int r = save_checkpoint(&c, e);
                st->step--;
                if (r < 0) rc = -1;
            }
        }
        if (!ro->quiet && tty) progress_finish(&bar);
        if (rc < 0) break;
        if (stop_requested) {
            rc = save_checkpoint(&c, e) < 0 ? -1 : 1;
            break;
        }
        if (end_epoch(&c, epoch, e) < 0) {
            rc = -1;
            break;
        }
        draw_curves(&c);
        st->epoch++, st->step = 0; /* the checkpoint of an epoch's end resumes at the next */
        int r = save_checkpoint(&c, e);
        st->epoch--;
        if (r < 0) rc = -1;
    }
    sigaction(SIGINT, &old_int, NULL);
    sigaction(SIGTERM, &old_term, NULL);
    irra_curves_free(&c.curves);
    irra_trainer_free(t);
    return rc;
}
