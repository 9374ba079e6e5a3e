/* The browser's real source: a model (irra_model_open) and a gallery (gal_store_open): queries
 * are tokenized and encoded by the text tower and ranked by exact cosine over the gallery's
 * features; thumbnails and captions come from the store; highlights run the image tower (patch
 * tokens) and the IRR branch (cross-attention) on the selected image. */
#ifndef TUI_GAL_SOURCE_H
#define TUI_GAL_SOURCE_H

#include "tui/source.h"

/* Opens the model and the gallery (NULL: the shipped ones). vocab: merges file for a .pth
 * (NULL: the model's own, else the shipped one). Returns 0, or -1 with a message in err. */
int tui_gal_source_open(tui_source *src, const char *model, const char *gallery,
                        const char *vocab, char *err, size_t errn);

#endif
