/* irra doctor --bench. */
#include "tui/bench.h"
#include "tui/browser.h"
#include "tui/grid.h"
#include "tui/sixel_layer.h"

#include <poll.h>
#include <pthread.h>
#include <pty.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define B_ROWS 40
#define B_COLS 100

static double now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

typedef struct {
    int fd;
    pthread_mutex_t mu;
    unsigned long long bytes;
    int stop;
} far_side;

static void *drain(void *arg)
{
    far_side *f = arg;
    char buf[65536];
    for (;;) {
        struct pollfd pf = {f->fd, POLLIN, 0};
        int r = poll(&pf, 1, 20);
        pthread_mutex_lock(&f->mu);
        int stop = f->stop;
        pthread_mutex_unlock(&f->mu);
        if (r <= 0 && stop) break;
        if (r <= 0) continue;
        ssize_t n = read(f->fd, buf, sizeof buf);
        if (n <= 0) break;
        pthread_mutex_lock(&f->mu);
        f->bytes += (unsigned long long)n;
        pthread_mutex_unlock(&f->mu);
    }
    return NULL;
}

/* The bytes the far side has received once the output is quiet. */
static unsigned long long settled_bytes(far_side *f)
{
    unsigned long long last = ~0ull, now;
    for (;;) {
        usleep(60000);
        pthread_mutex_lock(&f->mu);
        now = f->bytes;
        pthread_mutex_unlock(&f->mu);
        if (now == last) return now;
        last = now;
    }
}

static void encode12(tui_source *src, const tui_hit *hits, int n, int w, int h, tui_bench_result *r)
{
    tui_buf out = {0};
    uint8_t *px = malloc((size_t)w * h * 3);
    double t0 = now_ms();
    r->bytes12 = 0;
    for (int i = 0; i < n && px; i++) {
        irra_image im = {0};
        char err[256];
        if (src->thumbnail(src->ctx, hits[i].image_id, &im, err, sizeof err) != 0) continue;
        irra_image_resize(&im, w, h, px, NULL);
        free(im.rgb);
        out.n = 0;
        if (tui_sixel_encode(px, w, h, 256, &out) == 0) r->bytes12 += out.n;
    }
    r->encode12_ms = now_ms() - t0;
    free(px);
    tui_buf_free(&out);
}

static int wait_results(tui_browser *b, int gen, double limit_ms)
{
    double end = now_ms() + limit_ms;
    while (tui_browser_results(b, NULL) == gen && now_ms() < end) tui_browser_step(b, 20);
    return tui_browser_results(b, NULL) != gen;
}

static void wait_settled(tui_browser *b, double limit_ms)
{
    double end = now_ms() + limit_ms;
    while (!tui_browser_settled(b) && now_ms() < end) tui_browser_step(b, 20);
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Types the query, then five times one more letter and Enter (a new query each time, so the
 * text tower runs): the time from that keystroke to redrawn results, median. */
static int time_keystroke(tui_browser *b, const char *query, tui_bench_result *r)
{
    double t[5];
    for (const char *p = query; *p; p++) tui_browser_key(b, (unsigned char)*p);
    for (int i = 0; i < 5; i++) {
        int gen = tui_browser_results(b, NULL);
        double t0 = now_ms();
        tui_browser_key(b, "sdkfj"[i]);
        tui_browser_key(b, '\r');
        if (!wait_results(b, gen, 30000)) return -1;
        t[i] = now_ms() - t0;
        wait_settled(b, 30000);
    }
    qsort(t, 5, sizeof *t, cmp_double);
    r->keystroke_ms = t[2];
    return 0;
}

int tui_bench(tui_source *src, const char *query, tui_bench_result *r, char *err, size_t errn)
{
    memset(r, 0, sizeof *r);
    tui_layout L;
    tui_layout_compute(&L, B_ROWS, B_COLS, 10, 20, 0, 0, 0);
    tui_hit hits[12];
    int n = src->search(src->ctx, query, 12, hits, err, errn);
    if (n <= 0) return n < 0 ? -1 : (snprintf(err, errn, "the gallery returned no results"), -1);
    r->tiles = n;
    r->tile_w = L.px_w;
    r->tile_h = L.px_h;
    encode12(src, hits, n, L.px_w, L.px_h, r);

    int master, slave;
    struct winsize ws = {B_ROWS, B_COLS, B_COLS * 10, B_ROWS * 20};
    if (openpty(&master, &slave, NULL, NULL, &ws) != 0) return snprintf(err, errn, "no pty"), -1;
    far_side far = {master, PTHREAD_MUTEX_INITIALIZER, 0, 0};
    pthread_t th;
    pthread_create(&th, NULL, drain, &far);
    tui_caps caps = {0};
    caps.gfx = TUI_GFX_SIXEL;
    caps.cell_w = 10;
    caps.cell_h = 20;
    caps.ncolors = 256;
    tui_browse_opts o = {.term = "xterm-256color", .debounce_ms = 170};
    tui_browser *b = tui_browser_new(src, &caps, &o, slave, slave, err, errn);
    int rc = -1;
    if (b) {
        if (time_keystroke(b, query, r) == 0) {
            unsigned long long t0 = settled_bytes(&far);
            tui_browser_key(b, 12); /* Ctrl-L: the whole screen again */
            wait_settled(b, 30000);
            unsigned long long t1 = settled_bytes(&far);
            r->repaint_bytes = r->screen_bytes = t1 - t0;
            tui_browser_key(b, '\t');
            unsigned long long t2 = settled_bytes(&far);
            tui_browser_key(b, 'l');
            r->move_bytes = settled_bytes(&far) - t2;
            rc = 0;
        } else {
            snprintf(err, errn, "no results within 30 s");
        }
        tui_browser_free(b);
    }
    pthread_mutex_lock(&far.mu);
    far.stop = 1;
    pthread_mutex_unlock(&far.mu);
    close(slave);
    pthread_join(th, NULL);
    close(master);
    return rc;
}
