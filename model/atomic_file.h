/* Writing a file so that readers see the old file or the whole new one, never a part: the data
 * go to "<path>.tmp.XXXXXX" in the same folder, which is fsynced and renamed over path. Used by
 * every writer of model files (safetensors_write.c, pth_write.c, run_config_write.c). */
#ifndef IRRA_ATOMIC_FILE_H
#define IRRA_ATOMIC_FILE_H

#include "model/err.h"

#include <stdio.h>

typedef struct {
    FILE *f;     /* write here */
    char *tmp;   /* the temporary file's name */
    const char *path; /* the destination (kept, not copied) */
} irra_atomic;

/* Creates the temporary file, with the mode open(path, ..., 0666) would give under the umask. */
int irra_atomic_open(irra_atomic *a, const char *path, irra_err *e);
/* Flushes, fsyncs and closes the temporary file; write_failed (an errno, or -1 for a failure
 * without one) says that writing it failed already. On any failure the temporary file is
 * removed and the message names path. The file is then ready for irra_atomic_rename. */
int irra_atomic_close(irra_atomic *a, int write_failed, irra_err *e);
/* Renames the closed temporary file over path (removing it on failure). */
int irra_atomic_rename(irra_atomic *a, irra_err *e);
/* Removes the temporary file (closing it first if needed); nothing happens to path. */
void irra_atomic_abort(irra_atomic *a);
/* irra_atomic_close, then irra_atomic_rename. */
int irra_atomic_commit(irra_atomic *a, int write_failed, irra_err *e);
/* The whole file at once: data[0..n), gzipped (level 9) when gzip is set. */
int irra_atomic_write(const char *path, const void *data, size_t n, int gzip, irra_err *e);

#endif
