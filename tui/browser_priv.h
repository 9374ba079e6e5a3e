/* The browser's state, shared by its files (browser.c: loop and keys; workers.c: search and
 * tile threads; grid_view.c, detail.c: drawing; layer.c: what the image layer shows). */
#ifndef TUI_BROWSER_PRIV_H
#define TUI_BROWSER_PRIV_H

#include "tui/browser.h"
#include "tui/grid.h"
#include "tui/heatmap.h"
#include "tui/keys.h"
#include "tui/sixel_layer.h"
#include "tui/tty_out.h"

#include <ncurses.h>
#include <pthread.h>

#define TUI_MAX_HITS 500
#define TUI_MAX_SLOTS 128
#define TUI_DETAIL_SLOT TUI_MAX_SLOTS /* the detail pane's image uses the slot after the grid's */
#define TUI_QMAX 1024
#define TUI_MAX_WORDS 64

enum { TUI_FOCUS_QUERY, TUI_FOCUS_GRID };
enum { TUI_PAIR_OK = 1, TUI_PAIR_BAD, TUI_PAIR_SEL, TUI_PAIR_BAR, TUI_PAIR_LEGEND };

typedef struct {
    int valid;        /* the terminal shows key's payload there */
    tui_tile_key key;
} tui_slot;

typedef struct {
    tui_tile_key key;
    int done;
} tui_job;

struct tui_browser {
    tui_source *src;
    tui_caps caps;
    tui_browse_opts opt;
    tui_out out;
    SCREEN *scr;
    FILE *in_f;
    int in_fd;
    tui_layout L;
    tui_tile_cache *cache;
    int quit;
    double start_ms;

    /* results on screen */
    tui_hit hits[TUI_MAX_HITS];
    int nhits, sel, page, results_gen;
    char shown_query[TUI_QMAX];
    double latency_ms;
    int latency_gen, fail_shown;
    int focus, detail, help;
    char msg[256];

    /* highlights */
    int heat_kind, heat_all;
    unsigned char heat_on[TUI_MAX_HITS];
    int word, nwords, wstart[TUI_MAX_WORDS], wend[TUI_MAX_WORDS];

    /* failure mode */
    tui_failcase *fails;
    int nfails, fail_i, fail_mode, fail_state; /* state 0 none, 1 computing, 2 ready, 3 failed */
    int fail_done, fail_total;
    float r1, map;

    /* detail pane captions */
    int64_t det_id;
    char **det_caps;
    int det_ncaps;

    /* the image layer */
    tui_slot slots[TUI_MAX_SLOTS + 1];

    /* search as you type */
    double debounce_at;
    char typed[TUI_QMAX];

    /* workers: mu guards everything below, srcmu serialises calls into the source */
    pthread_mutex_t mu, srcmu;
    pthread_cond_t cv;
    pthread_t search_th, enc_th;
    int threads, stop, wake[2], wake_sig[2];
    char req_query[TUI_QMAX];
    int req_gen, req_k, req_fail;
    int res_gen, res_n, res_ready;
    tui_hit res_hits[TUI_MAX_HITS];
    char res_err[256];
    double dispatch_ms;
    tui_job jobs[TUI_MAX_SLOTS + 1];
    int njobs, jobs_gen;
    char job_query[TUI_QMAX];
};

double tui_now_ms(void);
uint32_t tui_hash(const char *s);

/* workers.c */
int tui_workers_start(tui_browser *b);
void tui_workers_stop(tui_browser *b);
void tui_search_request(tui_browser *b, const char *query, int failures);
/* The key the tile of hit idx should show at w x h (mode and overlay from the state). */
tui_tile_key tui_want_key(const tui_browser *b, int idx, int w, int h);
void tui_jobs_update(tui_browser *b);

/* layer.c */
void tui_layer_sync(tui_browser *b);
void tui_layer_forget(tui_browser *b);

/* grid_view.c, detail.c */
void tui_draw_grid(tui_browser *b);
void tui_draw_detail(tui_browser *b);
void tui_draw_help(tui_browser *b);
void tui_detail_free(tui_browser *b);

#endif
