/* Export of the current results as JSON (json-c). */
#ifndef TUI_EXPORT_H
#define TUI_EXPORT_H

#include "tui/source.h"

/* Writes {"query", "model", "gallery_size", "results": [{rank, score, identity, path,
 * image_id}]} to path. Returns 0, or -1 with err. */
int tui_export_json(const char *path, const char *query, const char *model, int gallery_size,
                    const tui_hit *hits, int n, char *err, size_t errn);

#endif
