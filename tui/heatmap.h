/* Attention highlights: a per-patch map (similarity of the query's text feature to each
 * projected image patch token, or the IRR cross-attention from one query word), normalised,
 * upsampled to the tile and blended over it in a colour-blind-safe colormap (viridis). */
#ifndef TUI_HEATMAP_H
#define TUI_HEATMAP_H

#include <stdint.h>

enum { TUI_MAP_NONE = 0, TUI_MAP_SIMILARITY = 1, TUI_MAP_RELATION = 2 };

/* Viridis at t in [0, 1] (clamped). */
void tui_colormap(float t, uint8_t rgb[3]);

/* Rescales map[n] to [0, 1] (min to 0, max to 1; a constant map becomes 0). */
void tui_heat_normalize(float *map, int n);

/* Cosine between text_feat[dim] and every patch token: tokens is [1 + gh*gw, dim] with the CLS
 * token first (skipped). Writes map[gh*gw]. */
void tui_heat_similarity(const float *text_feat, const float *tokens, int gh, int gw, int dim,
                         float *map);

/* The cross-attention rows of the text positions [t0, t1) averaged: attn is [context, v_tokens]
 * (heads already averaged), CLS column skipped. Writes map[v_tokens - 1]. */
void tui_heat_relation(const float *attn, int v_tokens, int t0, int t1, float *map);

/* Blends the [0,1] map (gh x gw, bilinear upsampled, patch centres aligned) over the w x h
 * region of rgb at (x0, y0) with the given opacity. rgb rows are stride pixels wide. */
void tui_heat_blend(uint8_t *rgb, int stride, int x0, int y0, int w, int h, const float *map,
                    int gh, int gw, float alpha);

#endif
