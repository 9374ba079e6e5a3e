/* PNG files written fast enough for a thousand dataset images a second. */
#ifndef SYN_PNG_H
#define SYN_PNG_H

#include <stdint.h>

/* An encoder for h x w RGB pictures: it owns the compressor and the buffers, so a thread that
 * writes many images allocates them once. Not for sharing between threads. */
typedef struct syn_png syn_png;

/* Returns NULL when the size is not 1..65535 on each side or memory runs out. */
syn_png *syn_png_new(int w, int h);
void syn_png_free(syn_png *p);

/* Writes rgb (h x w x 3, row-major) to path as a PNG with one write. The bytes depend only on
 * the pixels. Returns 0, or -1 when the file cannot be written (errno says why). */
int syn_png_write(syn_png *p, const char *path, const uint8_t *rgb);

/* The same for a single picture. */
int syn_write_png(const char *path, int w, int h, const uint8_t *rgb);

#endif
