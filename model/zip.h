/* A read-only view of a zip archive held in memory (the torch.save container, spec 7.3). Only
 * STORED entries are supported, ZIP64 included; every size and offset was checked against the
 * buffer, so an entry's data pointer and size can be used without further checks. */
#ifndef IRRA_ZIP_H
#define IRRA_ZIP_H

#include "model/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct {
    char *name;          /* full name, NUL-terminated */
    const uint8_t *data; /* into the buffer */
    uint64_t size;
} irra_zip_entry;

typedef struct {
    irra_zip_entry *ent; /* sorted by name */
    int n;
    char *prefix; /* the first entry's top-level folder, e.g. "best" or "archive" */
} irra_zip;

/* Parses the central directory of buf[0..len). path only names the file in error messages. */
int irra_zip_open(irra_zip *z, const void *buf, size_t len, const char *path, irra_err *e);
/* The entry "<prefix>/<name>", or NULL. */
const irra_zip_entry *irra_zip_find(const irra_zip *z, const char *name);
void irra_zip_free(irra_zip *z);

#endif
