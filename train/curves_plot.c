/* The PNG of a run's curves, drawn by PLplot through cairo's PNG device ("pngcairo").
 *
 * PLplot is a library with habits a library must not have: it prints its warnings to stderr,
 * prompts on stdin for a device or a file name it lacks, and calls exit() on some errors. So:
 * the device is checked to exist before plinit (else PLplot would prompt), the output file is
 * handed over already open (else it would prompt when fopen fails), every range given to it is
 * finite and wide (else plwind warns), text is escaped (its '#' escapes; "#-" makes the cairo
 * driver warn), its recoverable errors go to a buffer (plsError), and its exit handler jumps
 * back out (plsexit): the one exit left is out of memory inside PLplot. */
#include "train/curves.h"

#include <plplot.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define FIG_W 1200
#define FIG_H 800
/* Points per drawn line: beyond what 1200 pixels show, a run's million steps are bucketed. */
#define MAX_DRAWN 2400
/* Values beyond this are drawn as missing: no loss or rate is that large, and the axis
 * arithmetic stays far from overflow. */
#define HUGE_VALUE 1e30
/* Character heights, relative to PLplot's default. */
#define CH_TICK 0.62
#define CH_LABEL 0.68
#define CH_PANEL 0.78
#define CH_TITLE 0.95
#define CH_STATUS 0.62

/* PLplot's streams, handlers and driver table are process-wide: one figure at a time. The
 * two variables below belong to whoever holds plot_lock. */
static pthread_mutex_t plot_lock = PTHREAD_MUTEX_INITIALIZER;
static jmp_buf *plot_escape;
static char plot_exit_msg[256];

/* PLplot calls exit() when this returns, so it never returns. */
static int on_plexit(PLCHAR_VECTOR msg)
{
    snprintf(plot_exit_msg, sizeof plot_exit_msg, "%s", msg && *msg ? msg : "fatal error");
    longjmp(*plot_escape, 1);
}

/* cmap0 entries: tab10's colours for the series, the same at a fifth opacity for raw curves. */
enum { COL_BG, COL_TEXT, COL_GRID, COL_AXIS, COL_EPOCH, COL_SERIES, NSERIES = 8,
       COL_FAINT = COL_SERIES + NSERIES, NCOL = COL_FAINT + NSERIES };
static const unsigned char SERIES_RGB[NSERIES][3] = {
    {31, 119, 180}, {255, 127, 14}, {44, 160, 44}, {214, 39, 40},
    {148, 103, 189}, {140, 86, 75}, {227, 119, 194}, {127, 127, 127}};

static void set_palette(void)
{
    PLINT r[NCOL], g[NCOL], b[NCOL];
    PLFLT a[NCOL];
    const unsigned char base[COL_SERIES][3] = {
        {255, 255, 255}, {34, 34, 34}, {228, 228, 228}, {90, 90, 90}, {190, 190, 205}};
    for (int i = 0; i < NCOL; i++) {
        const unsigned char *c = i < COL_SERIES ? base[i] : SERIES_RGB[(i - COL_SERIES) % NSERIES];
        r[i] = c[0], g[i] = c[1], b[i] = c[2];
        a[i] = i >= COL_FAINT ? 0.22 : 1.0;
    }
    plscmap0a(r, g, b, a, NCOL);
}

/* PLplot text: '#' doubled (its escape character), bytes that are not printable ASCII or
 * well-formed UTF-8 replaced by '?', cut to fit out[n]. */
static void plot_text(const char *in, char *out, size_t n)
{
    size_t o = 0;
    for (const unsigned char *s = (const unsigned char *)(in ? in : ""); *s && o + 5 < n;) {
        int len = *s < 0x80 ? 1 : (*s & 0xE0) == 0xC0 ? 2 : (*s & 0xF0) == 0xE0 ? 3
                : (*s & 0xF8) == 0xF0 ? 4 : 0;
        int ok = len > 0 && !(len == 1 && (*s < 0x20 || *s == 0x7F));
        for (int i = 1; ok && i < len; i++) ok = (s[i] & 0xC0) == 0x80;
        if (!ok) {
            out[o++] = '?';
            s++;
            continue;
        }
        if (*s == '#') out[o++] = '#';
        for (int i = 0; i < len; i++) out[o++] = (char)*s++;
    }
    out[o] = '\0';
}

static int usable(double v)
{
    return isfinite(v) && fabs(v) <= HUGE_VALUE;
}

/* A range PLplot accepts: finite, lo < hi by a margin its arithmetic resolves (a range too
 * narrow grows to 5% of the value each way, at least minw, 1 about zero), pad (a fraction of
 * the span) added on each side. With no data, [def_lo, def_hi]. */
static void settle_range(double *lo, double *hi, int have, double def_lo, double def_hi,
                         double pad, double minw)
{
    if (!have) {
        *lo = def_lo, *hi = def_hi;
        return;
    }
    double span = *hi - *lo, mag = fmax(fabs(*lo), fabs(*hi));
    if (!(span > 1e-9 * mag) || span < 1e-300) {
        double w = fmax(mag > 0 ? mag * 0.05 : 1.0, minw);
        *lo -= w, *hi += w;
        span = *hi - *lo;
    }
    *lo -= pad * span, *hi += pad * span;
}

/* Centred moving average over 2*half+1 steps, skipping unusable values; NaN where the window
 * has none. */
static void moving_average(const double *y, size_t n, size_t half, double *out, double *sum,
                           size_t *cnt)
{
    sum[0] = 0, cnt[0] = 0;
    for (size_t i = 0; i < n; i++) {
        int ok = usable(y[i]);
        sum[i + 1] = sum[i] + (ok ? y[i] : 0);
        cnt[i + 1] = cnt[i] + (size_t)ok;
    }
    for (size_t i = 0; i < n; i++) {
        size_t a = i > half ? i - half : 0, b = i + half + 1 < n ? i + half + 1 : n;
        size_t k = cnt[b] - cnt[a];
        out[i] = k ? (sum[b] - sum[a]) / (double)k : NAN;
    }
}

/* Copies the series into (ox, oy), at most MAX_DRAWN points: past that, each bucket of steps
 * gives its lowest and highest value in step order, so spikes survive. A bucket with no usable
 * value gives a NaN, which breaks the line. Returns the count. */
static size_t envelope(const double *x, const double *y, size_t n, double *ox, double *oy)
{
    if (n <= MAX_DRAWN) {
        memcpy(ox, x, n * sizeof *x);
        memcpy(oy, y, n * sizeof *y);
        return n;
    }
    size_t nb = MAX_DRAWN / 2, m = 0;
    for (size_t b = 0; b < nb; b++) {
        size_t s = b * n / nb, t = (b + 1) * n / nb, lo = n, hi = n;
        for (size_t i = s; i < t; i++) {
            if (!usable(y[i])) continue;
            if (lo == n || y[i] < y[lo]) lo = i;
            if (hi == n || y[i] > y[hi]) hi = i;
        }
        if (lo == n) {
            ox[m] = x[s], oy[m++] = NAN;
            continue;
        }
        size_t first = lo < hi ? lo : hi, second = lo < hi ? hi : lo;
        ox[m] = x[first], oy[m++] = y[first];
        if (second != first) ox[m] = x[second], oy[m++] = y[second];
    }
    return m;
}

/* Draws the usable runs of (x, y) as lines (a lone point as a dot). */
static void draw_line(const double *x, const double *y, size_t n)
{
    size_t i = 0;
    while (i < n) {
        while (i < n && !usable(y[i])) i++;
        size_t s = i;
        while (i < n && usable(y[i])) i++;
        if (i - s >= 2) plline((PLINT)(i - s), (PLFLT *)x + s, (PLFLT *)y + s);
        else if (i - s == 1) plstring(1, (PLFLT *)x + s, (PLFLT *)y + s, "•");
    }
}

static void draw_dots(const double *x, const double *y, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (usable(y[i])) plstring(1, (PLFLT *)x + i, (PLFLT *)y + i, "•");
}

/* Axes, grid and labels of one panel in the current viewport. */
static void draw_frame(double xlo, double xhi, double ylo, double yhi, double xtick, int logy,
                       const char *xlabel, const char *ylabel, const char *title)
{
    plwind(xlo, xhi, ylo, yhi);
    plcol0(COL_GRID);
    plwidth(1.0);
    plbox("g", xtick, 0, logy ? "gl" : "g", 0, 0);
    plcol0(COL_AXIS);
    plschr(0, CH_TICK);
    plbox("bcnst", xtick, 0, logy ? "bcnstvl" : "bcnstv", 0, 0);
    plcol0(COL_TEXT);
    plschr(0, CH_LABEL);
    plmtex("b", 2.8, 0.5, 0.5, xlabel);
    plmtex("l", 5.6, 0.5, 0.5, ylabel);
    plschr(0, CH_PANEL);
    plmtex("t", 0.8, 0.0, 0.0, title);
}

static void draw_nodata(double xlo, double xhi, double ylo, double yhi)
{
    plcol0(COL_AXIS);
    plschr(0, CH_PANEL);
    plptex((xlo + xhi) / 2, (ylo + yhi) / 2, 1, 0, 0.5, "no data yet");
}

/* Faint vertical lines where the whole epoch changes between steps. */
static void draw_epoch_marks(const irra_curves *c, double ylo, double yhi)
{
    size_t marks = 0;
    for (size_t k = 1; k < c->nsteps; k++)
        if (isfinite(c->epoch[k]) && isfinite(c->epoch[k - 1]) &&
            floor(c->epoch[k]) != floor(c->epoch[k - 1]))
            marks++;
    if (marks == 0 || marks > 100) return;
    plcol0(COL_EPOCH);
    pllsty(2);
    for (size_t k = 1; k < c->nsteps; k++)
        if (isfinite(c->epoch[k]) && isfinite(c->epoch[k - 1]) &&
            floor(c->epoch[k]) != floor(c->epoch[k - 1]))
            pljoin((PLFLT)c->step[k], ylo, (PLFLT)c->step[k], yhi);
    pllsty(1);
}

typedef struct {
    double *x, *y, *ox, *oy, *sm, *sum; /* [nsteps + 1] each */
    size_t *cnt;
} scratch;

static void legend(int n, const char *const *text, const PLINT *colors, int with_dots,
                   PLINT position)
{
    enum { N = IRRA_CURVES_MAX_PARTS };
    PLINT opt[N], styles[N], nsym[N];
    PLFLT widths[N], scales[N], w, h;
    const char *sym[N];
    for (int i = 0; i < n; i++) {
        opt[i] = PL_LEGEND_LINE | (with_dots ? PL_LEGEND_SYMBOL : 0);
        styles[i] = 1, widths[i] = 2.5, scales[i] = CH_LABEL, nsym[i] = 3, sym[i] = "•";
    }
    pllegend(&w, &h, PL_LEGEND_BACKGROUND | PL_LEGEND_BOUNDING_BOX, position, 0.012, 0.02, 0.04,
             COL_BG, COL_GRID, 1, 0, 0, n, opt, 0.7, CH_LABEL, 2.2, 0.0, colors, text, NULL,
             NULL, NULL, NULL, colors, styles, widths, colors, scales, nsym, sym);
}

/* Loss parts against step: raw values faint, their moving average bold, log10 when every
 * usable value is positive and they span more than a decade and a half. */
static void panel_losses(const irra_curves *c, scratch *s)
{
    size_t n = c->nsteps;
    double xlo = 0, xhi = 0, ylo = 0, yhi = 0, mn = INFINITY, mx = -INFINITY;
    int haves = 0, positive = 1;
    for (size_t k = 0; k < n; k++) {
        s->x[k] = (double)c->step[k];
        for (int p = 0; p < c->nparts; p++) {
            double v = c->loss[k * IRRA_CURVES_MAX_PARTS + p];
            if (!usable(v)) continue;
            haves = 1, mn = fmin(mn, v), mx = fmax(mx, v), positive &= v > 0;
        }
    }
    int logy = haves && positive && mx / mn > 30;
    if (haves) ylo = logy ? log10(mn) : mn, yhi = logy ? log10(mx) : mx;
    settle_range(&ylo, &yhi, haves, 0, 1, 0.04, 0);
    if (!logy && haves && mn > 0 && ylo < 0) ylo = 0;
    if (n) xlo = s->x[0], xhi = s->x[n - 1];
    settle_range(&xlo, &xhi, n > 0, 0, 1, 0.01, 1);

    plvpor(0.07, 0.76, 0.555, 0.845);
    draw_frame(xlo, xhi, ylo, yhi, xhi - xlo <= 10 ? 1 : 0, logy, "step",
               logy ? "loss (log scale)" : "loss", "Losses");
    draw_epoch_marks(c, ylo, yhi);
    if (!haves) {
        draw_nodata(xlo, xhi, ylo, yhi);
        return;
    }
    size_t half = n >= 20 ? (n / 100 > 2 ? n / 100 : 2) : 0;
    char text[IRRA_CURVES_MAX_PARTS][IRRA_CURVES_NAME_LEN * 2 + 40];
    const char *texts[IRRA_CURVES_MAX_PARTS];
    PLINT colors[IRRA_CURVES_MAX_PARTS];
    for (int p = 0; p < c->nparts; p++) {
        size_t bad = 0, good = 0;
        for (size_t k = 0; k < n; k++) {
            double v = c->loss[k * IRRA_CURVES_MAX_PARTS + p];
            int ok = usable(v);
            bad += !ok && (c->logged[k] >> p & 1u), good += ok;
            s->y[k] = ok ? (logy ? log10(v) : v) : NAN;
        }
        char name[IRRA_CURVES_NAME_LEN * 2];
        plot_text(c->names[p], name, sizeof name);
        if (bad) snprintf(text[p], sizeof text[p], "%s: %zu NaN/inf", name, bad);
        else snprintf(text[p], sizeof text[p], "%s", name);
        texts[p] = text[p];
        colors[p] = COL_SERIES + p % NSERIES;
        if (half > 0) {
            size_t m = envelope(s->x, s->y, n, s->ox, s->oy);
            plcol0(COL_FAINT + p % NSERIES);
            plwidth(1.0);
            draw_line(s->ox, s->oy, m);
            moving_average(s->y, n, half, s->sm, s->sum, s->cnt);
            for (size_t k = 0; k < n; k++) s->oy[k] = s->sm[k];
        } else {
            memcpy(s->oy, s->y, n * sizeof *s->y);
        }
        size_t stride = n > MAX_DRAWN ? (n + MAX_DRAWN - 1) / MAX_DRAWN : 1, m = 0;
        for (size_t k = 0; k < n; k += stride) s->ox[m] = s->x[k], s->sm[m++] = s->oy[k];
        if (stride > 1 && (n - 1) % stride) s->ox[m] = s->x[n - 1], s->sm[m++] = s->oy[n - 1];
        plcol0(colors[p]);
        plwidth(2.5);
        draw_line(s->ox, s->sm, m);
        if (good <= 30) draw_dots(s->ox, s->sm, m);
    }
    plwidth(1.0);
    legend(c->nparts, texts, colors, 0, PL_POSITION_RIGHT | PL_POSITION_OUTSIDE);
}

static void panel_lr(const irra_curves *c, scratch *s)
{
    size_t n = c->nsteps, m = 0;
    double xlo = 0, xhi = 0, ylo = INFINITY, yhi = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        s->x[k] = (double)c->step[k];
        s->y[k] = usable(c->lr[k]) ? c->lr[k] : NAN;
        if (usable(s->y[k])) m++, ylo = fmin(ylo, s->y[k]), yhi = fmax(yhi, s->y[k]);
    }
    /* Written as mantissas with the power of ten in the label: PLplot's own exponent sits
     * where the panel title goes. */
    int positive = m > 0 && ylo > 0, p10 = 0;
    double big = m > 0 ? fmax(fabs(ylo), fabs(yhi)) : 0;
    if (big > 0 && (big < 1e-2 || big >= 1e4)) p10 = (int)floor(log10(big));
    double scale = pow(10, -p10);
    for (size_t k = 0; k < n; k++) s->y[k] *= scale;
    ylo *= scale, yhi *= scale;
    char ylabel[64] = "learning rate";
    if (p10) snprintf(ylabel, sizeof ylabel, "learning rate (× 1e%d)", p10);
    settle_range(&ylo, &yhi, m > 0, 0, 1, 0.05, 0);
    if (positive && ylo < 0) ylo = 0;
    if (n) xlo = s->x[0], xhi = s->x[n - 1];
    settle_range(&xlo, &xhi, n > 0, 0, 1, 0.01, 1);

    plvpor(0.07, 0.47, 0.08, 0.40);
    draw_frame(xlo, xhi, ylo, yhi, xhi - xlo <= 10 ? 1 : 0, 0, "step", ylabel, "Learning rate");
    draw_epoch_marks(c, ylo, yhi);
    if (m == 0) {
        draw_nodata(xlo, xhi, ylo, yhi);
        return;
    }
    size_t d = envelope(s->x, s->y, n, s->ox, s->oy);
    plcol0(COL_SERIES);
    plwidth(2.5);
    draw_line(s->ox, s->oy, d);
    if (m <= 30) draw_dots(s->ox, s->oy, d);
    plwidth(1.0);
}

/* Validation R@1, R@5 and mAP against epoch, the best R@1 named in the title. */
static void panel_eval(const irra_curves *c, double *x, double *y)
{
    static const char *const names[3] = {"R@1", "R@5", "mAP"};
    size_t n = c->nevals, have = 0, best = 0;
    double xlo = 0, xhi = 0, ylo = INFINITY, yhi = -INFINITY;
    for (size_t k = 0; k < n; k++) {
        const irra_curves_eval *v = &c->evals[k];
        double vals[3] = {v->r1, v->r5, v->map};
        for (int j = 0; j < 3; j++)
            if (usable(vals[j])) have++, ylo = fmin(ylo, vals[j]), yhi = fmax(yhi, vals[j]);
        if (usable(v->r1) && (!usable(c->evals[best].r1) || v->r1 > c->evals[best].r1)) best = k;
    }
    if (have) ylo = fmax(0, ylo - 0.1 * (yhi - ylo) - 1), yhi = yhi + 0.1 * (yhi - ylo) + 1;
    settle_range(&ylo, &yhi, have > 0, 0, 100, 0, 0);
    if (n) xlo = c->evals[0].epoch, xhi = c->evals[n - 1].epoch;
    settle_range(&xlo, &xhi, n > 0, 0, 1, 0.04, 0.5);
    if (xhi - xlo < 2) xlo -= 0.5, xhi += 0.5;
    double xtick = xhi - xlo <= 12 ? 1 : 0;

    char title[120] = "Validation";
    if (n && usable(c->evals[best].r1))
        snprintf(title, sizeof title, "Validation: best R@1 %.2f at epoch %d", c->evals[best].r1,
                 c->evals[best].epoch);
    plvpor(0.57, 0.97, 0.08, 0.40);
    draw_frame(xlo, xhi, ylo, yhi, xtick, 0, "epoch", "percent", title);
    if (have == 0) {
        draw_nodata(xlo, xhi, ylo, yhi);
        return;
    }
    PLINT colors[3];
    for (int j = 0; j < 3; j++) {
        for (size_t k = 0; k < n; k++) {
            const irra_curves_eval *v = &c->evals[k];
            x[k] = v->epoch;
            y[k] = j == 0 ? v->r1 : j == 1 ? v->r5 : v->map;
        }
        colors[j] = COL_SERIES + j;
        plcol0(colors[j]);
        plwidth(2.5);
        draw_line(x, y, n);
        draw_dots(x, y, n);
    }
    plwidth(1.0);
    legend(3, names, colors, 1, PL_POSITION_BOTTOM | PL_POSITION_RIGHT | PL_POSITION_INSIDE);
}

/* The figure's title on the left, the latest step's values on the right. */
static void header(const irra_curves *c, const char *title)
{
    char t[300], status[400] = "", part[120];
    plot_text(title, t, sizeof t);
    if (c->nsteps) {
        size_t k = c->nsteps - 1;
        size_t room = sizeof status - 100;
        int o = snprintf(status, sizeof status, "step %ld", c->step[k]);
        if (isfinite(c->epoch[k]))
            o += snprintf(status + o, sizeof status - (size_t)o, "   epoch %.2f", c->epoch[k]);
        for (int p = 0; p < c->nparts && (size_t)o < room; p++) {
            if (!(c->logged[k] >> p & 1u)) continue;
            plot_text(c->names[p], part, sizeof part);
            o += snprintf(status + o, sizeof status - (size_t)o, "   %s %.4g", part,
                          c->loss[k * IRRA_CURVES_MAX_PARTS + p]);
        }
        if (isfinite(c->lr[k]))
            snprintf(status + o, sizeof status - (size_t)o, "   lr %.3g", c->lr[k]);
    }
    plvpor(0.07, 0.97, 0.88, 0.995);
    plwind(0, 1, 0, 1);
    plcol0(COL_TEXT);
    plschr(0, CH_TITLE);
    plptex(0, 0.62, 1, 0, 0, t);
    plschr(0, CH_STATUS);
    plcol0(COL_AXIS);
    plptex(0, 0.22, 1, 0, 0, status);
}

static int have_device(const char *name)
{
    const char *menus[256], *devs[256], **pm = menus, **pd = devs;
    int n = 256;
    plgDevs(&pm, &pd, &n);
    for (int i = 0; i < n; i++)
        if (devs[i] && strcmp(devs[i], name) == 0) return 1;
    return 0;
}

/* The first line of what plabort left in the stream's error buffer. */
static int plot_error(char *msg, irra_err *e)
{
    while (*msg == '\n') msg++;
    msg[strcspn(msg, "\n")] = '\0';
    return irra_fail(e, "PLplot: %s", msg);
}

/* The PLplot part, under plot_lock; f belongs to PLplot from plsfile on. */
static int draw_locked(const irra_curves *c, FILE *f, const char *title, scratch *s,
                       irra_err *e)
{
    jmp_buf jb, jb2;
    volatile int made = 0, given = 0;
    volatile PLINT old = 0;
    PLINT errcode = 0, cur, strm;
    char errmsg[1024] = "";
    plot_escape = &jb;
    plsexit(on_plexit);
    if (setjmp(jb)) {
        if (made) {
            plot_escape = &jb2;
            if (!setjmp(jb2)) plend1();
            plsstrm(old);
        }
        if (!given) fclose(f);
        plsexit(NULL);
        return irra_fail(e, "PLplot: %s", plot_exit_msg);
    }
    plgstrm(&cur);
    old = cur;
    plmkstrm(&strm);
    if (strm < 0) {
        plsexit(NULL);
        fclose(f);
        return irra_fail(e, "PLplot: no free plot stream");
    }
    made = 1;
    plsError(&errcode, errmsg);
    if (!have_device("pngcairo")) {
        plend1();
        plsstrm(old);
        plsexit(NULL);
        fclose(f);
        if (errcode) return plot_error(errmsg, e);
        return irra_fail(e, "PLplot has no pngcairo device (Debian package plplot-driver-cairo)");
    }
    plsdev("pngcairo");
    plsfile(f);
    given = 1;
    plspage(0, 0, FIG_W, FIG_H, 0, 0);
    set_palette();
    plsxax(7, 0);
    plsyax(5, 0);
    plinit();
    pladv(0);
    header(c, title);
    panel_losses(c, s);
    panel_lr(c, s);
    panel_eval(c, s->x, s->y);
    plend1();
    made = 0;
    plsstrm(old);
    plsexit(NULL);
    return errcode ? plot_error(errmsg, e) : 0;
}

/* A whole PNG: the signature first and the IEND chunk last (PLplot ignores write errors). */
static int png_complete(int fd)
{
    static const unsigned char sig[8] = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'};
    static const unsigned char iend[8] = {'I', 'E', 'N', 'D', 0xAE, 0x42, 0x60, 0x82};
    unsigned char a[8], b[8];
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_size < 64) return 0;
    return pread(fd, a, 8, 0) == 8 && pread(fd, b, 8, st.st_size - 8) == 8 &&
           memcmp(a, sig, 8) == 0 && memcmp(b, iend, 8) == 0;
}

int irra_curves_png(const irra_curves *c, const char *path, const char *title, irra_err *e)
{
    size_t n = c->nsteps > c->nevals ? c->nsteps : c->nevals;
    scratch s;
    double *buf =
        n < SIZE_MAX / (6 * sizeof(double)) - 1 ? malloc((n + 1) * 6 * sizeof(double)) : NULL;
    s.cnt = buf ? malloc((n + 1) * sizeof *s.cnt) : NULL;
    if (!s.cnt) return free(buf), irra_fail(e, "%s: out of memory", path);
    s.x = buf, s.y = s.x + n + 1, s.ox = s.y + n + 1, s.oy = s.ox + n + 1, s.sm = s.oy + n + 1;
    s.sum = s.sm + n + 1;

    size_t len = strlen(path);
    char *tmp = malloc(len + 16);
    if (!tmp) return free(s.cnt), free(buf), irra_fail(e, "%s: out of memory", path);
    snprintf(tmp, len + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp), keep = fd >= 0 ? dup(fd) : -1;
    FILE *f = keep >= 0 ? fdopen(fd, "wb") : NULL;
    int rc;
    if (!f) {
        rc = irra_fail(e, "%s: cannot create %s: %s", path, tmp, strerror(errno));
        if (fd >= 0) close(fd), unlink(tmp);
        if (keep >= 0) close(keep);
        return free(tmp), free(s.cnt), free(buf), rc;
    }
    fchmod(keep, 0644);
    pthread_mutex_lock(&plot_lock);
    rc = draw_locked(c, f, title, &s, e);
    pthread_mutex_unlock(&plot_lock);
    if (rc == 0 && !png_complete(keep))
        rc = irra_fail(e, "%s: could not write the PNG (disk full?)", tmp);
    if (rc == 0 && fsync(keep) != 0) rc = irra_fail(e, "%s: %s", tmp, strerror(errno));
    close(keep);
    if (rc == 0 && rename(tmp, path) != 0) rc = irra_fail(e, "%s: %s", path, strerror(errno));
    if (rc != 0) unlink(tmp);
    free(tmp);
    free(s.cnt);
    free(buf);
    return rc;
}
