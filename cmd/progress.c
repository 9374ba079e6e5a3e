#include "cmd/progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

void progress_start(progress *p, const char *label, const char *unit, long total)
{
    p->label = label;
    p->unit = unit;
    p->total = total;
    p->done = 0;
    p->out = stderr;
    p->tty = isatty(fileno(stderr));
    p->start = now();
    p->last_draw = 0;
    p->note[0] = 0;
}

void progress_note(progress *p, const char *text)
{
    snprintf(p->note, sizeof p->note, "%s", text);
}

double progress_elapsed(const progress *p) { return now() - p->start; }

static void draw(progress *p, double t)
{
    double secs = t - p->start, rate = secs > 0 ? p->done / secs : 0;
    fprintf(p->out, "\r%s: %ld", p->label, p->done);
    if (p->total > 0) {
        enum { BAR = 24 };
        int fill = (int)(BAR * (double)p->done / (double)p->total);
        char bar[BAR + 1];
        for (int i = 0; i < BAR; i++) bar[i] = i < fill ? '#' : '.';
        bar[BAR] = 0;
        fprintf(p->out, "/%ld %s [%s] %3.0f%%", p->total, p->unit, bar,
                100.0 * (double)p->done / (double)p->total);
        if (rate > 0) {
            double eta = (p->total - p->done) / rate;
            if (eta >= 3600) fprintf(p->out, "  %.1f/s  ETA %dh%02dm", rate, (int)(eta / 3600), (int)(eta / 60) % 60);
            else fprintf(p->out, "  %.1f/s  ETA %.0fs", rate, eta);
        }
    } else {
        fprintf(p->out, " %s  %.0f/s", p->unit, rate);
    }
    if (p->note[0]) fprintf(p->out, "  %s", p->note);
    fputs("\033[K", p->out); /* clear what a longer earlier line left */
    fflush(p->out);
    p->last_draw = t;
}

void progress_update(progress *p, long done)
{
    p->done = done;
    if (!p->tty) return;
    double t = now();
    if (t - p->last_draw >= 0.1) draw(p, t);
}

void progress_finish(progress *p)
{
    double secs = progress_elapsed(p);
    if (p->tty) fputs("\r\033[K", p->out);
    fprintf(p->out, "%s: %ld %s in %.2f s (%.0f %s/s)\n", p->label, p->done, p->unit, secs,
            secs > 0 ? p->done / secs : 0.0, p->unit);
    fflush(p->out);
}
