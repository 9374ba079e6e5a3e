/* readline's callback interface, fed from ncurses. readline keeps its state in globals, and its
 * hooks take no context argument: the one query line lives in `ql` below. */
#include "tui/query_line.h"

#include <errno.h>
#include <readline/history.h>
#include <readline/readline.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <wchar.h>

#define HISTORY_MAX 1000

static struct {
    char in[256];
    int head, tail;
    char history[4096];
    tui_query_accept on_accept;
    void *arg;
    char *restore; /* the accepted text, put back so the query stays on screen */
    FILE *devnull;
} ql;

static int ql_getc(FILE *f)
{
    (void)f;
    if (ql.head == ql.tail) return EOF;
    return (unsigned char)ql.in[ql.head++];
}

static int ql_avail(void)
{
    return ql.head < ql.tail;
}

static void ql_redisplay(void)
{
    /* drawn by tui_query_draw from the main loop */
}

void tui_query_remember(const char *line)
{
    if (!line || !*line) return;
    HIST_ENTRY *last = history_length ? history_get(history_base + history_length - 1) : NULL;
    if (last && !strcmp(last->line, line)) return;
    add_history(line);
    /* appended at once, so history survives a crash and concurrent sessions */
    if (ql.history[0]) {
        if (access(ql.history, F_OK) != 0) write_history(ql.history); /* append needs a file */
        else append_history(1, ql.history);
        history_truncate_file(ql.history, HISTORY_MAX);
    }
}

static void ql_line(char *line)
{
    if (!line) { /* Ctrl-D on an empty line: the browser quits */
        if (ql.on_accept) ql.on_accept(ql.arg, NULL);
        return;
    }
    tui_query_remember(line);
    free(ql.restore);
    ql.restore = strdup(line);
    if (ql.on_accept) ql.on_accept(ql.arg, line);
    free(line);
}

int tui_query_init(const char *history_path, tui_query_accept on_accept, void *arg)
{
    memset(&ql, 0, sizeof ql);
    ql.on_accept = on_accept;
    ql.arg = arg;
    if (history_path) snprintf(ql.history, sizeof ql.history, "%s", history_path);
    ql.devnull = fopen("/dev/null", "w");
    rl_readline_name = "irra";
    rl_catch_signals = 0;
    rl_catch_sigwinch = 0;
    rl_change_environment = 0;
    rl_prep_term_function = NULL;
    rl_deprep_term_function = NULL;
    rl_getc_function = ql_getc;
    rl_input_available_hook = ql_avail;
    rl_redisplay_function = ql_redisplay;
    rl_outstream = ql.devnull; /* bells and completion listings must not reach the tty */
    rl_instream = NULL;
    rl_bind_key('\t', rl_insert); /* Tab is taken by the browser before it gets here */
    using_history();
    stifle_history(HISTORY_MAX);
    if (ql.history[0]) read_history(ql.history);
    rl_callback_handler_install("> ", ql_line);
    rl_variable_bind("bell-style", "none");
    rl_variable_bind("horizontal-scroll-mode", "on");
    return 0;
}

void tui_query_finish(void)
{
    rl_callback_handler_remove();
    free(ql.restore);
    ql.restore = NULL;
    if (ql.devnull) fclose(ql.devnull);
    ql.devnull = NULL;
    rl_outstream = NULL;
    clear_history();
}

void tui_query_bytes(const char *s, int n)
{
    for (int i = 0; i < n; i++) {
        if (ql.tail >= (int)sizeof ql.in) break;
        ql.in[ql.tail++] = s[i];
    }
    while (ql.head < ql.tail) {
        rl_callback_read_char();
        if (ql.restore) {
            rl_replace_line(ql.restore, 0);
            rl_point = rl_end;
            free(ql.restore);
            ql.restore = NULL;
        }
    }
    ql.head = ql.tail = 0;
}

void tui_query_key(int key)
{
    static const struct {
        int key;
        const char *seq;
    } map[] = {
        {KEY_UP, "\033[A"},    {KEY_DOWN, "\033[B"},  {KEY_RIGHT, "\033[C"},
        {KEY_LEFT, "\033[D"},  {KEY_HOME, "\033[H"},  {KEY_END, "\033[F"},
        {KEY_DC, "\033[3~"},   {KEY_BACKSPACE, "\177"},
    };
    for (size_t i = 0; i < sizeof map / sizeof *map; i++)
        if (map[i].key == key) {
            tui_query_bytes(map[i].seq, (int)strlen(map[i].seq));
            return;
        }
    if (key >= 0 && key < 256) {
        char c = (char)key;
        tui_query_bytes(&c, 1);
    }
}

const char *tui_query_text(void)
{
    return rl_line_buffer ? rl_line_buffer : "";
}

void tui_query_set(const char *text)
{
    rl_replace_line(text, 0);
    rl_point = rl_end;
}

/* Display columns of s[0..n): wide characters count 2, control characters 2 (^X). */
static int columns(const char *s, int n)
{
    mbstate_t st;
    memset(&st, 0, sizeof st);
    int cols = 0;
    for (int i = 0; i < n;) {
        wchar_t wc;
        size_t k = mbrtowc(&wc, s + i, (size_t)(n - i), &st);
        if (k == (size_t)-1 || k == (size_t)-2 || k == 0) {
            memset(&st, 0, sizeof st);
            cols++, i++;
            continue;
        }
        int w = wcwidth(wc);
        cols += w < 0 ? 2 : w;
        i += (int)k;
    }
    return cols;
}

/* Adds s[0..n) with control characters shown as ^X, never raw. */
static void add_clean(WINDOW *w, const char *s, int n)
{
    for (int i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 32 || c == 127) {
            waddch(w, '^');
            waddch(w, c == 127 ? '?' : c + 64);
        } else {
            waddnstr(w, s + i, 1);
        }
    }
}

void tui_query_draw(WINDOW *w, int y, int cols, int hl0, int hl1, int focused)
{
    const char *prompt = rl_display_prompt ? rl_display_prompt : "> ";
    const char *text = tui_query_text();
    int len = (int)strlen(text), pw = columns(prompt, (int)strlen(prompt));
    int cur = pw + columns(text, rl_point < len ? rl_point : len);
    /* scroll the text horizontally so the cursor stays visible */
    int start = 0;
    while (cur - columns(text, start) + pw >= cols - 1 && start < len) start++;
    wmove(w, y, 0);
    wclrtoeol(w);
    wattron(w, A_BOLD);
    add_clean(w, prompt, (int)strlen(prompt));
    wattroff(w, A_BOLD);
    for (int i = start; i < len; i++) {
        int hl = i >= hl0 && i < hl1 && hl0 >= 0;
        if (hl) wattron(w, A_REVERSE | A_UNDERLINE);
        if ((unsigned char)text[i] < 32 || text[i] == 127) add_clean(w, text + i, 1);
        else waddnstr(w, text + i, 1);
        if (hl) wattroff(w, A_REVERSE | A_UNDERLINE);
        if (getcurx(w) >= cols - 1) break;
    }
    if (focused) wmove(w, y, pw + cur - pw - columns(text, start));
}

int tui_history_path(char *buf, size_t n)
{
    const char *st = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
    char dir[4096];
    if (st && *st) snprintf(dir, sizeof dir, "%s", st);
    else if (home && *home) snprintf(dir, sizeof dir, "%s/.local/state", home);
    else return -1;
    /* mkdir -p: each component in turn */
    snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/irra");
    for (char *p = dir + 1; *p; p++) {
        if (*p != '/') continue;
        *p = 0;
        if (mkdir(dir, 0700) != 0 && errno != EEXIST) return -1;
        *p = '/';
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) return -1;
    if ((size_t)snprintf(buf, n, "%s/history", dir) >= n) return -1;
    return 0;
}
