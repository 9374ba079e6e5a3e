/* The key-binding table. */
#include "tui/keys.h"

#include <ncurses.h>

#define CTRL(c) ((c) & 0x1f)

const tui_key tui_keys[] = {
    {'/', TUI_CTX_GRID, TUI_A_FOCUS_QUERY, "/", "edit the query (readline keys, Up/Down/Ctrl-R history)"},
    {27, TUI_CTX_QUERY, TUI_A_FOCUS_GRID, "Esc", "leave the query for the results"},
    {'\t', TUI_CTX_ANY, TUI_A_FOCUS_GRID, "Tab", "switch between query and results"},
    {KEY_LEFT, TUI_CTX_GRID, TUI_A_LEFT, "Left h", "select the result to the left"},
    {'h', TUI_CTX_GRID, TUI_A_LEFT, NULL, NULL},
    {KEY_RIGHT, TUI_CTX_GRID, TUI_A_RIGHT, "Right l", "select the result to the right"},
    {'l', TUI_CTX_GRID, TUI_A_RIGHT, NULL, NULL},
    {KEY_UP, TUI_CTX_GRID, TUI_A_UP, "Up k", "select the result above"},
    {'k', TUI_CTX_GRID, TUI_A_UP, NULL, NULL},
    {KEY_DOWN, TUI_CTX_GRID, TUI_A_DOWN, "Down j", "select the result below"},
    {'j', TUI_CTX_GRID, TUI_A_DOWN, NULL, NULL},
    {KEY_NPAGE, TUI_CTX_ANY, TUI_A_PAGE_DOWN, "PgDn", "next page of results (more results)"},
    {KEY_PPAGE, TUI_CTX_ANY, TUI_A_PAGE_UP, "PgUp", "previous page of results"},
    {'g', TUI_CTX_GRID, TUI_A_FIRST, "g", "back to the first result"},
    {'G', TUI_CTX_GRID, TUI_A_LAST, "G End", "the last result (ranks the whole gallery)"},
    {KEY_END, TUI_CTX_GRID, TUI_A_LAST, NULL, NULL},
    {'\r', TUI_CTX_GRID, TUI_A_DETAIL, "Enter", "open or close the detail pane"},
    {'\n', TUI_CTX_GRID, TUI_A_DETAIL, NULL, NULL},
    {KEY_ENTER, TUI_CTX_GRID, TUI_A_DETAIL, NULL, NULL},
    {'a', TUI_CTX_GRID, TUI_A_HEAT_TILE, "a", "toggle the attention highlight of the selected tile"},
    {'A', TUI_CTX_GRID, TUI_A_HEAT_ALL, "A", "toggle attention highlights on every tile"},
    {'m', TUI_CTX_GRID, TUI_A_HEAT_KIND, "m", "switch highlight: similarity map / relation map"},
    {'w', TUI_CTX_GRID, TUI_A_WORD_NEXT, "w", "relation map: next query word"},
    {'b', TUI_CTX_GRID, TUI_A_WORD_PREV, "b", "relation map: previous query word"},
    {'f', TUI_CTX_GRID, TUI_A_FAILURES, "f", "failure inspection on/off (worst captions first)"},
    {'n', TUI_CTX_GRID, TUI_A_FAIL_NEXT, "n", "failure mode: next caption"},
    {'p', TUI_CTX_GRID, TUI_A_FAIL_PREV, "p", "failure mode: previous caption"},
    {'c', TUI_CTX_GRID, TUI_A_NEXT_CORRECT, "c", "failure mode: the next correct image in the ranking"},
    {'y', TUI_CTX_GRID, TUI_A_COPY, "y", "copy the selected image's absolute path (OSC 52)"},
    {'e', TUI_CTX_GRID, TUI_A_EXPORT, "e", "export the results as JSON (the line above says where)"},
    {'?', TUI_CTX_GRID, TUI_A_HELP, "?", "this help"},
    {KEY_F(1), TUI_CTX_ANY, TUI_A_HELP, "F1", "this help, also from the query line"},
    {CTRL('L'), TUI_CTX_ANY, TUI_A_REPAINT, "Ctrl-L", "repaint the screen"},
    {'q', TUI_CTX_GRID, TUI_A_QUIT, "q", "quit (also Ctrl-C; Ctrl-D on an empty query line)"},
    {CTRL('C'), TUI_CTX_ANY, TUI_A_QUIT, NULL, NULL},
};
const int tui_nkeys = sizeof tui_keys / sizeof *tui_keys;

tui_action tui_key_action(int key, int ctx)
{
    for (int i = 0; i < tui_nkeys; i++)
        if (tui_keys[i].key == key && (tui_keys[i].ctx & ctx)) return tui_keys[i].action;
    return TUI_A_NONE;
}
