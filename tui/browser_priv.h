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

#define TUI_MAX_HITS 500 /* results of a plain query; failure mode, End and paging past them rank all */
#define TUI_MAX_PINS 8   /* correct images shown first in failure mode */
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

    /* results on screen: the ranking hits[0, nhits) (room for the whole gallery: cap), shown
     * after npin pinned tiles (failure mode: the correct images, as IRRA's visualize.py puts
     * the ground truth first). sel and page count in that view: see tui_view_hit. */
    tui_hit *hits;
    int cap, nhits, sel, page, results_gen;
    int pin[TUI_MAX_PINS], npin;
    int pending_sel;  /* view index to select once a whole-gallery ranking arrives, -1 none */
    char shown_query[TUI_QMAX];
    double latency_ms;
    int latency_gen, fail_shown;
    int focus, detail, help, too_small;
    char msg[512]; /* shown on the info line until the next key, over legends and failure info */

    /* highlights */
    int heat_kind, heat_all;
    unsigned char *heat_on; /* [cap], by ranking index */
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
    int req_gen, req_k, req_fail, extend_gen; /* extend_gen: the request that re-ranks all */
    int res_gen, res_n, res_ready;
    tui_hit *res_hits; /* [cap] */
    char res_err[256];
    double dispatch_ms;
    tui_job jobs[TUI_MAX_SLOTS + 1];
    int njobs, jobs_gen;
    char job_query[TUI_QMAX];
};

/* The view: pinned tiles first, then the ranking. The ranking index of view entry v, and the
 * number of entries. */
static inline int tui_view_hit(const tui_browser *b, int v)
{
    return v < b->npin ? b->pin[v] : v - b->npin;
}
static inline int tui_view_n(const tui_browser *b)
{
    return b->npin + b->nhits;
}

/* Whether an attention overlay is on for any tile (the legend and the word highlight show then). */
int tui_heat_visible(const tui_browser *b);

/* File names, paths and captions reach the screen only through this: printable text, control
 * bytes replaced (a crafted file name must not drive the terminal). */
void tui_add_file_text(WINDOW *w, const char *s, int max);

double tui_now_ms(void);
uint32_t tui_hash(const char *s);

/* workers.c */
int tui_workers_start(tui_browser *b);
void tui_workers_stop(tui_browser *b);
/* all: rank the whole gallery, not the first TUI_MAX_HITS (failure mode, End, paging on). */
void tui_search_request(tui_browser *b, const char *query, int failures, int all);
/* The key the tile of ranking index idx should show at w x h (mode and overlay from the state). */
tui_tile_key tui_want_key(const tui_browser *b, int idx, int w, int h);
void tui_jobs_update(tui_browser *b);

/* layer.c */
void tui_layer_sync(tui_browser *b);
void tui_layer_forget(tui_browser *b);
void tui_layer_help_closed(tui_browser *b);

/* grid_view.c, detail.c */
void tui_draw_grid(tui_browser *b);
void tui_draw_detail(tui_browser *b);
void tui_draw_help(tui_browser *b);
/* Where the help overlay sits (tiles under it are covered while it is open). */
tui_rect tui_help_rect(const tui_browser *b);
void tui_detail_free(tui_browser *b);

#endif
