#include "cmd/progress.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <time.h>
#include <unistd.h>

struct progress {
    char label[64], unit[24];
    long total, done;
    double t0, last_draw;
};

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

progress *progress_start(const char *label, const char *unit, long total, int quiet)
{
    if (quiet || !isatty(STDERR_FILENO)) return NULL;
    progress *p = calloc(1, sizeof *p);
    if (!p) return NULL;
    snprintf(p->label, sizeof p->label, "%s", label);
    snprintf(p->unit, sizeof p->unit, "%s", unit);
    p->total = total;
    p->t0 = p->last_draw = now_s();
    progress_update(p, 0);
    return p;
}

static void fmt_time(char *buf, size_t n, double s)
{
    long t = (long)(s + 0.5);
    if (t >= 3600) snprintf(buf, n, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
    else snprintf(buf, n, "%ld:%02ld", t / 60, t % 60);
}

static void draw(progress *p, double now)
{
    struct winsize ws;
    int cols = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) == 0 && ws.ws_col ? ws.ws_col : 80;
    double el = now - p->t0, rate = el > 0 ? p->done / el : 0;
    char eta[32] = "--:--", tail[128];
    if (rate > 0 && p->total >= p->done) fmt_time(eta, sizeof eta, (p->total - p->done) / rate);
    snprintf(tail, sizeof tail, " %ld/%ld  %.1f %s/s  ETA %s", p->done, p->total, rate, p->unit,
             eta);
    int width = cols - (int)strlen(p->label) - (int)strlen(tail) - 4;
    if (width > 40) width = 40;
    char bar[48] = "";
    if (width >= 5) {
        int fill = p->total > 0 ? (int)((double)p->done / p->total * width) : 0;
        for (int i = 0; i < width; i++) bar[i] = i < fill ? '#' : ' ';
        bar[width] = 0;
    }
    fprintf(stderr, "\r%s%s%s%s%s\033[K", p->label, width >= 5 ? " [" : "", bar,
            width >= 5 ? "]" : "", tail);
    fflush(stderr);
    p->last_draw = now;
}

void progress_update(progress *p, long done)
{
    if (!p) return;
    p->done = done;
    double now = now_s();
    if (done == 0 || done >= p->total || now - p->last_draw >= 0.1) draw(p, now);
}

void progress_finish(progress *p)
{
    if (!p) return;
    draw(p, now_s());
    fputc('\n', stderr);
    free(p);
}
