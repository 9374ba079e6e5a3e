/* Writing the torch.save container (spec 7.3): a zip archive of STORED entries under one
 * top-level folder, each entry's data starting on a multiple of 64 bytes as torch's
 * PyTorchStreamWriter places them (the local header's extra field is padded with an "FB"
 * record), with real CRC-32s and sizes in both headers so that any zip reader accepts it.
 * No ZIP64: an archive that would pass 4 GiB is refused (IRRA's model is 440 MB). */
#ifndef IRRA_ZIP_WRITE_H
#define IRRA_ZIP_WRITE_H

#include "model/err.h"

#include <stdint.h>
#include <stdio.h>

typedef struct {
    char *name;
    uint64_t local_off, size;
    uint32_t crc;
} irra_zipw_entry;

typedef struct {
    FILE *f;          /* seekable, positioned at its start */
    const char *path; /* names the file in messages */
    char *prefix;
    irra_zipw_entry *ent;
    int n, cap;
    uint64_t off;  /* bytes written so far */
    int in_entry;  /* between irra_zipw_begin and irra_zipw_end */
    uint64_t got;  /* bytes of the open entry so far */
    uint32_t crc;
    int err;       /* errno of the first failed write, -1 for one without */
} irra_zipw;

/* Starts an archive in f whose entries are "<prefix>/<name>". */
int irra_zipw_init(irra_zipw *z, FILE *f, const char *prefix, const char *path, irra_err *e);
/* Starts entry name of exactly size bytes (its local header, padded so the data are aligned). */
int irra_zipw_begin(irra_zipw *z, const char *name, uint64_t size, irra_err *e);
/* Appends n bytes to the open entry (an irra_sink: ctx is the irra_zipw). */
int irra_zipw_write(void *z, const void *p, size_t n);
/* Ends the open entry: checks its size and writes its CRC into the local header. */
int irra_zipw_end(irra_zipw *z, irra_err *e);
/* begin + write + end for data held in memory. */
int irra_zipw_add(irra_zipw *z, const char *name, const void *data, uint64_t size, irra_err *e);
/* Writes the central directory and the end record. */
int irra_zipw_finish(irra_zipw *z, irra_err *e);
void irra_zipw_free(irra_zipw *z);

#endif
