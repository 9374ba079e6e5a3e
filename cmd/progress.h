/* The progress bar of every long command: "label [####    ] 120/3074  85.3 images/s  ETA 0:35"
 * redrawn in place on stderr, at most ten times a second. It shows only when stderr is a terminal
 * and quiet is 0; otherwise every call does nothing, so scripts and logs stay clean. */
#ifndef IRRA_PROGRESS_H
#define IRRA_PROGRESS_H

typedef struct progress progress;

/* unit names what is counted ("images"). Returns NULL (a valid silent bar) when hidden. */
progress *progress_start(const char *label, const char *unit, long total, int quiet);
void progress_update(progress *p, long done);
/* Draws the final state, ends the line and frees p. */
void progress_finish(progress *p);

#endif
