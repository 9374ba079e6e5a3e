/* PNG files written fast enough for a thousand dataset images a second. */
#ifndef SYN_PNG_H
#define SYN_PNG_H

#include <stdint.h>

/* Writes rgb (h x w x 3) to path as a PNG. Returns 0, or -1 when the file cannot be written. */
int syn_write_png(const char *path, int w, int h, const uint8_t *rgb);

#endif
