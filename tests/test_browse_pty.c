/* The image layer as a terminal sees it: tests/tool_browse runs on a pty that answers the
 * capability probe like a sixel terminal (10x20 cells, 100x40); every sixel image is cut out
 * of the byte stream with the cursor position it was placed at, decoded with libsixel, and
 * checked for its size, its cell (the grid slot of its rank), that it stays off the last row,
 * and that it shows the right crop (the synthetic colours of the hit ranked there). Then a
 * selection move must send no image and under 2 KB, and q must restore the terminal. */
#include "check.h"
#include "synth_source.h"
#include "tui/grid.h"

#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <sixel.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define ROWS 40
#define COLS 100
#define CW 10
#define CH 20
#define QUERY "red jacket"

typedef struct {
    char *p;
    size_t n, cap;
} bytes;

static void grow(bytes *b, const char *s, size_t n)
{
    if (b->n + n + 1 > b->cap) {
        b->cap = (b->n + n + 1) * 2;
        b->p = realloc(b->p, b->cap);
    }
    memcpy(b->p + b->n, s, n);
    b->n += n;
    b->p[b->n] = 0;
}

static double ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static int answer_probe = 1;

/* Reads until quiet_ms pass without output (or max_ms in all), answering the probe. */
static void pump(int fd, bytes *b, int quiet_ms, int max_ms)
{
    double end = ms() + max_ms;
    char buf[65536];
    while (ms() < end) {
        struct pollfd pf = {fd, POLLIN, 0};
        if (poll(&pf, 1, quiet_ms) <= 0) break;
        ssize_t r = read(fd, buf, sizeof buf);
        if (r <= 0) break;
        grow(b, buf, (size_t)r);
        if (answer_probe && memmem(buf, (size_t)r, "\033[c", 3)) {
            static const char reply[] = "\033[?1;0;256S\033[?2;0;1000;780S\033[6;20;10t"
                                        "\033[?63;1;2;4;6;9;15;22c";
            if (write(fd, reply, sizeof reply - 1) < 0) return;
        }
    }
}

static pid_t start(int *master, char *tool, const char *timeout)
{
    struct winsize ws = {ROWS, COLS, COLS * CW, ROWS * CH};
    pid_t pid = forkpty(master, NULL, NULL, &ws);
    if (pid == 0) {
        setenv("TERM", "xterm-256color", 1);
        setenv("LANG", "C.UTF-8", 1);
        unsetenv("TMUX");
        unsetenv("COLORTERM");
        execl(tool, tool, "--query", QUERY, "--history", "", "--probe-timeout", timeout, (char *)NULL);
        _exit(127);
    }
    return pid;
}

static int tool_path(char *buf, size_t n)
{
    ssize_t k = readlink("/proc/self/exe", buf, n - 32);
    if (k <= 0) return -1;
    buf[k] = 0;
    char *slash = strrchr(buf, '/');
    strcpy(slash + 1, "tool_browse");
    return access(buf, X_OK);
}

typedef struct {
    int row, col, w, h;
    unsigned char *px, *pal;
} image;

/* Every "ESC 7 CSI r;c H DCS ... ST" in the stream, decoded. */
static int extract(const bytes *b, image *out, int max)
{
    int n = 0;
    for (const char *p = b->p; n < max && (p = memmem(p, b->n - (size_t)(p - b->p), "\0337\033[", 4));) {
        int r, c, len = 0;
        if (sscanf(p + 4, "%d;%dH%n", &r, &c, &len) != 2 || strncmp(p + 4 + len, "\033P", 2)) {
            p += 4;
            continue;
        }
        const char *dcs = p + 4 + len;
        const char *st = memmem(dcs, b->n - (size_t)(dcs - b->p), "\033\\", 2);
        if (!st) break;
        image *im = &out[n];
        int ncol = 0;
        if (SIXEL_SUCCEEDED(sixel_decode_raw((unsigned char *)dcs, (int)(st + 2 - dcs), &im->px,
                                             &im->w, &im->h, &im->pal, &ncol, NULL))) {
            im->row = r - 1;
            im->col = c - 1;
            n++;
        }
        p = st + 2;
    }
    return n;
}

static int near(const unsigned char *got, const unsigned char *want, int tol)
{
    for (int i = 0; i < 3; i++)
        if (abs(got[i] - want[i]) > tol) return 0;
    return 1;
}

/* The colour at source pixel (sx, sy) of a 64x192 crop letterboxed into w x h. */
static const unsigned char *at(const image *im, int sx, int sy)
{
    double s = (double)im->w / SYN_W < (double)im->h / SYN_H ? (double)im->w / SYN_W : (double)im->h / SYN_H;
    int fw = (int)(SYN_W * s + 0.5), fh = (int)(SYN_H * s + 0.5);
    int x = (im->w - fw) / 2 + (int)(sx * s), y = (im->h - fh) / 2 + (int)(sy * s);
    return im->pal + 3 * im->px[y * im->w + x];
}

static bytes stream, moved;
static image imgs[64];
static int nimg;
static tui_layout L;
static pid_t child;
static int master;

static void sixel_tiles_sized_and_placed(void)
{
    EXPECT(nimg >= 12);
    for (int i = 0; i < nimg; i++) {
        EXPECT(imgs[i].w == L.px_w && imgs[i].h == L.px_h);
        EXPECT(imgs[i].h % 6 == 0);
        int slot = tui_layout_hit(&L, imgs[i].row, imgs[i].col);
        EXPECT(slot >= 0);
        if (slot < 0) continue;
        tui_rect r = tui_layout_slot(&L, slot);
        EXPECT(r.row == imgs[i].row && r.col == imgs[i].col);
        EXPECT(imgs[i].row + (imgs[i].h + CH - 1) / CH - 1 < ROWS - 1); /* never the last row */
    }
}

static void sixel_tiles_show_their_crops(void)
{
    syn_ctx ctx;
    tui_source src;
    syn_open(&src, &ctx);
    tui_hit hits[SYN_N];
    char err[64];
    syn_search(&ctx, QUERY, SYN_N, hits, err, sizeof err);
    for (int i = 0; i < nimg; i++) {
        int slot = tui_layout_hit(&L, imgs[i].row, imgs[i].col);
        if (slot < 0) continue;
        unsigned char c[3], band[3];
        syn_color((int)hits[slot].image_id - 1, c);
        for (int k = 0; k < 3; k++) band[k] = (unsigned char)(c[k] / 2 + 100);
        EXPECT(near(at(&imgs[i], 32, 12), c, 24));   /* plain band */
        EXPECT(near(at(&imgs[i], 32, 36), band, 24)); /* light band */
    }
}

static void selection_move_sends_no_image_under_2k(void)
{
    EXPECT(moved.n > 0 && moved.n < 2048);
    EXPECT(!memmem(moved.p, moved.n, "\033P", 2));
    printf("  selection move: %zu bytes\n", moved.n);
}

static void quit_restores_terminal(void)
{
    bytes tail = {0};
    if (write(master, "q", 1) != 1) EXPECT(0);
    pump(master, &tail, 300, 3000);
    int st = -1;
    waitpid(child, &st, 0);
    EXPECT(WIFEXITED(st) && WEXITSTATUS(st) == 0);
    EXPECT(tail.p && memmem(tail.p, tail.n, "\033[?1049l", 8)); /* left the alternate screen */
    free(tail.p);
}

/* A terminal that answers the probe only after its timeout (slow SSH): the late replies must
 * not end up in the query line. */
static void late_probe_replies_are_not_typed(void)
{
    char tool[4096];
    tool_path(tool, sizeof tool);
    answer_probe = 0;
    int m;
    pid_t pid = start(&m, tool, "100");
    bytes out = {0}, after = {0};
    pump(m, &out, 800, 5000);
    static const char late[] = "\033[?1;0;256S\033[6;20;10t\033[?63;1;2;4;6;9;15;22c";
    EXPECT(write(m, late, sizeof late - 1) == (ssize_t)(sizeof late - 1));
    EXPECT(write(m, "zq", 2) == 2); /* a real key afterwards still arrives */
    pump(m, &after, 500, 3000);
    EXPECT(after.p && !memmem(after.p, after.n, "63;1;2", 6));
    EXPECT(after.p && memmem(after.p, after.n, "z", 1));
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    close(m);
    free(out.p);
    free(after.p);
    answer_probe = 1;
}

int main(void)
{
    char tool[4096];
    if (tool_path(tool, sizeof tool) != 0) {
        printf("FAIL tool_browse not built beside this test\n");
        return 1;
    }
    child = start(&master, tool, "1500");
    pump(master, &stream, 1200, 15000);
    tui_layout_compute(&L, ROWS, COLS, CW, CH, 0, 1000, 780);
    nimg = extract(&stream, imgs, 64);
    printf("  %d sixel images in %zu bytes\n", nimg, stream.n);
    bytes idle = {0};
    if (write(master, "\t", 1) != 1) return 1;
    pump(master, &idle, 300, 2000);
    if (write(master, "l", 1) != 1) return 1;
    pump(master, &moved, 300, 2000);
    RUN(sixel_tiles_sized_and_placed);
    RUN(sixel_tiles_show_their_crops);
    RUN(selection_move_sends_no_image_under_2k);
    RUN(quit_restores_terminal);
    RUN(late_probe_replies_are_not_typed);
    for (int i = 0; i < nimg; i++) {
        free(imgs[i].px);
        free(imgs[i].pal);
    }
    free(stream.p);
    free(moved.p);
    free(idle.p);
    return DONE();
}
