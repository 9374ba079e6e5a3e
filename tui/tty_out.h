/* The browser's two streams to the terminal: ncurses gets a plain stdio stream on the tty (it
 * writes with write(2) on its descriptor and sets the tty modes through it, so it must be the
 * real one), and the image layer writes through a counting stream on the same descriptor,
 * between ncurses updates. `irra doctor --bench` counts the total on the far side of a pty. */
#ifndef TUI_TTY_OUT_H
#define TUI_TTY_OUT_H

#include <stdint.h>
#include <stdio.h>

typedef struct {
    FILE *f;        /* the image layer's counting stream */
    FILE *curses;   /* for newterm() */
    int fd;
    uint64_t bytes; /* written through f so far */
} tui_out;

/* Opens both streams over fd. Returns 0, or -1. */
int tui_out_open(tui_out *o, int fd);
void tui_out_close(tui_out *o);

#endif
