/* The one progress bar: long jobs report how far they are, and on a terminal the user sees a
 * line on stderr with the count, the rate and the time left, redrawn at most ten times a
 * second. Off a terminal only the final summary line is printed, so logs stay readable. */
#ifndef IRRA_PROGRESS_H
#define IRRA_PROGRESS_H

#include <stdio.h>

typedef struct {
    const char *label; /* "synth" */
    const char *unit;  /* "images" */
    long total, done;
    double start, last_draw;
    FILE *out;         /* stderr */
    int tty;
    char note[320];    /* shown after the rate (a training run's losses and lr) */
} progress;

/* Starts timing a job of total units (total <= 0: unknown). */
void progress_start(progress *p, const char *label, const char *unit, long total);

/* Records that done units are finished; redraws the line when it is time. Call it from one
 * thread only. */
void progress_update(progress *p, long done);

/* Sets the text shown after the rate from the next redraw on (progress_update). */
void progress_note(progress *p, const char *text);

/* Ends the job: prints "label: N units in T s (R units/s)" on its own line. */
void progress_finish(progress *p);

/* Seconds since progress_start. */
double progress_elapsed(const progress *p);

#endif
