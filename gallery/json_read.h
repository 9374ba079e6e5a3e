/* JSON documents from files we did not write (annotations, batch files): json-c with a depth
 * cap, the whole input consumed, and one-line errors naming the file and the byte. */
#ifndef IRRA_GALLERY_JSON_READ_H
#define IRRA_GALLERY_JSON_READ_H

#include "model/err.h"

#include <json.h>
#include <stddef.h>

/* An annotation file is at most a few hundred MB (CUHK-PEDES with its token lists is ~100 MB);
 * json-c takes an int length. */
#define GAL_JSON_MAX_BYTES (1L << 30)

/* Parses buf[n] (one JSON value, whitespace around it allowed); name is used in messages. */
json_object *gal_json_parse(const char *buf, size_t n, const char *name, irra_err *e);
/* Reads and parses a regular file of at most GAL_JSON_MAX_BYTES. */
json_object *gal_json_read_file(const char *path, irra_err *e);

#endif
