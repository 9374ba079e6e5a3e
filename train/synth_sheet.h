/* A contact sheet: a PNG grid of generated people, each with its captions under it, so a reader
 * sees what the synthetic data looks like. */
#ifndef SYN_SHEET_H
#define SYN_SHEET_H

#include "train/synth_dataset.h"

/* Renders the first image of identities 0..n-1 of d in rows of cols, with the identity number,
 * what it shares with its parent identity, and both captions, and writes the PNG to path.
 * Returns 0 or -1 with e set. */
int syn_contact_sheet(const syn_dataset *d, int n, int cols, const char *path, irra_err *e);

#endif
