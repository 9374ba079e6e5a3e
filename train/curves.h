/* The training curves of a run: every step's loss parts and learning rate, every epoch's
 * validation metrics, and a PNG of them drawn with PLplot (Debian's libplplot, cairo's PNG
 * device). The same record is rebuilt from the run's JSONL log, so the picture survives a
 * resume. */
#ifndef IRRA_TRAIN_CURVES_H
#define IRRA_TRAIN_CURVES_H

#include "model/err.h"

#include <stddef.h>

/* Loss parts per run: IRRA has at most loss (the total), sdm_loss, itc_loss, id_loss, mlm_loss. */
#define IRRA_CURVES_MAX_PARTS 6
#define IRRA_CURVES_NAME_LEN 32

typedef struct {
    int epoch;                       /* 1-based, as the log writes it */
    double r1, r5, r10, map, minp;   /* percent; NaN where unknown */
} irra_curves_eval;

/* Append-only, in step order. A step at or below the last one recorded (a run resumed from a
 * checkpoint older than its log) first drops the records from that step on; an epoch's
 * evaluation likewise replaces those of that epoch and later ones. Zero-initialised or
 * irra_curves_init'ed; freed with irra_curves_free. */
typedef struct {
    int nparts;
    char names[IRRA_CURVES_MAX_PARTS][IRRA_CURVES_NAME_LEN];
    size_t nsteps, cap_steps;
    long *step;       /* [nsteps] global step */
    double *epoch;    /* [nsteps] epoch (fractional or whole, as given) */
    double *lr;       /* [nsteps] NaN where not logged */
    double *loss;     /* [nsteps][IRRA_CURVES_MAX_PARTS], NaN where a part is not logged */
    unsigned *logged; /* [nsteps] bit p set: part p was logged (its value may still be NaN) */
    size_t nevals, cap_evals;
    irra_curves_eval *evals;
} irra_curves;

void irra_curves_init(irra_curves *c);
void irra_curves_free(irra_curves *c);

/* Records one step: nvals loss parts named names[i] with values vals[i] (any double, NaN and
 * infinities included); a name not seen before becomes a new part (at most
 * IRRA_CURVES_MAX_PARTS, names shorter than IRRA_CURVES_NAME_LEN). lr may be NaN. */
int irra_curves_add_step(irra_curves *c, long step, double epoch, double lr, int nvals,
                         const char *const *names, const double *vals, irra_err *e);
int irra_curves_add_eval(irra_curves *c, const irra_curves_eval *ev, irra_err *e);

/* Appends the records of a JSONL training log to c. A line with a "step" number is a step:
 * every numeric member whose name ends in "loss" is a loss part, "lr" the learning rate,
 * "epoch" the epoch; NaN and infinities may be written as NaN, Infinity or null. A line with
 * an "eval" object is an evaluation: "epoch" and R1, R5, R10, mAP, mINP. Other lines are
 * skipped; a last line cut short without its newline (a write killed mid-line) too. Errors
 * name the file and line. */
int irra_curves_load_jsonl(irra_curves *c, const char *path, irra_err *e);

/* Draws c as a 1200 x 800 PNG at path: losses against step (raw faint, moving average bold, a
 * log scale when they span decades), learning rate against step, and val R@1, R@5 and mAP
 * against epoch, under title (NULL for none). Any number of points, zero included, and
 * non-finite values draw (a panel with nothing says so). Written to a temporary file beside
 * path and renamed over it, so a reader never sees half a picture. PLplot prints nothing:
 * its errors come back in e. PLplot's state is process-wide: calls are serialised by a lock,
 * so threads may call this, one at a time. */
int irra_curves_png(const irra_curves *c, const char *path, const char *title, irra_err *e);

#endif
