/* A read-only view of a zip archive held in memory (the torch.save container, spec 7.3). Only
 * STORED entries are supported, ZIP64 included; every size and offset was checked against the
 * buffer, so an entry's data pointer and size can be used without further checks. */
#ifndef IRRA_ZIP_H
#define IRRA_ZIP_H

#include "model/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *name;         /* full name, NUL-terminated */
    uint64_t size;      /* of the data, from the central directory */
    uint64_t local_off; /* of the local header; irra_zip_data finds the data behind it */
    uint64_t end;       /* the next entry's local header, or the central directory: the data
                           must end before it, so no two entries share a byte */
} irra_zip_entry;

typedef struct {
    irra_zip_entry *ent; /* sorted by name */
    int n;
    char *prefix; /* the first entry's top-level folder, e.g. "best" or "archive" */
    const uint8_t *buf;
    size_t len;
    int fd;
    const char *path;
} irra_zip;

/* Parses the central directory of buf[0..len). fd is the file mapped at buf, or -1: given, local
 * headers are read with pread, so that opening touches no page of a large archive's data (a
 * first touch of each mapped region costs page-table work: 15 ms over a 440 MB checkpoint).
 * path (kept, not copied) names the file in error messages. */
int irra_zip_open(irra_zip *z, const void *buf, size_t len, int fd, const char *path, irra_err *e);
/* The entry "<prefix>/<name>", or NULL. */
const irra_zip_entry *irra_zip_find(const irra_zip *z, const char *name);
/* The entry's data (ent->size bytes, checked to lie in the buffer), or NULL. Local headers are
 * read only here, so entries nobody asks for (optimizer state) cost nothing. */
const uint8_t *irra_zip_data(const irra_zip *z, const irra_zip_entry *ent, irra_err *e);
void irra_zip_free(irra_zip *z);

#endif
