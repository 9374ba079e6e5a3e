/* Colormap, map computation, upsampling and blending. */
#include "tui/heatmap.h"

#include <math.h>
#include <stddef.h>

/* viridis sampled at 9 points (matplotlib's _viridis_data at 0, 1/8, ..., 1) */
static const uint8_t viridis[9][3] = {
    {68, 1, 84},    {71, 44, 122},  {59, 81, 139},  {44, 113, 142}, {33, 144, 141},
    {39, 173, 129}, {92, 200, 99},  {170, 220, 50}, {253, 231, 37},
};

void tui_colormap(float t, uint8_t rgb[3])
{
    if (!(t > 0)) t = 0;
    if (t > 1) t = 1;
    float x = t * 8;
    int i = (int)x;
    if (i > 7) i = 7;
    float f = x - i;
    for (int c = 0; c < 3; c++)
        rgb[c] = (uint8_t)lrintf(viridis[i][c] * (1 - f) + viridis[i + 1][c] * f);
}

void tui_heat_normalize(float *map, int n)
{
    if (n <= 0) return;
    float lo = map[0], hi = map[0];
    for (int i = 1; i < n; i++) {
        if (map[i] < lo) lo = map[i];
        if (map[i] > hi) hi = map[i];
    }
    float span = hi - lo;
    for (int i = 0; i < n; i++) map[i] = span > 0 ? (map[i] - lo) / span : 0;
}

void tui_heat_similarity(const float *text_feat, const float *tokens, int gh, int gw, int dim,
                         float *map)
{
    double tn = 0;
    for (int d = 0; d < dim; d++) tn += (double)text_feat[d] * text_feat[d];
    for (int p = 0; p < gh * gw; p++) {
        const float *t = tokens + (size_t)(p + 1) * dim;
        double dot = 0, pn = 0;
        for (int d = 0; d < dim; d++) {
            dot += (double)t[d] * text_feat[d];
            pn += (double)t[d] * t[d];
        }
        map[p] = tn > 0 && pn > 0 ? (float)(dot / sqrt(tn * pn)) : 0;
    }
}

void tui_heat_relation(const float *attn, int v_tokens, int t0, int t1, float *map)
{
    for (int p = 0; p + 1 < v_tokens; p++) {
        double s = 0;
        for (int t = t0; t < t1; t++) s += attn[(size_t)t * v_tokens + 1 + p];
        map[p] = t1 > t0 ? (float)(s / (t1 - t0)) : 0;
    }
}

/* Bilinear sample of the map at continuous patch coordinates (centre of patch i is i). */
static float sample(const float *map, int gh, int gw, float y, float x)
{
    if (y < 0) y = 0;
    if (x < 0) x = 0;
    if (y > gh - 1) y = (float)(gh - 1);
    if (x > gw - 1) x = (float)(gw - 1);
    int y0 = (int)y, x0 = (int)x;
    int y1 = y0 + 1 < gh ? y0 + 1 : y0, x1 = x0 + 1 < gw ? x0 + 1 : x0;
    float fy = y - y0, fx = x - x0;
    float a = map[y0 * gw + x0] * (1 - fx) + map[y0 * gw + x1] * fx;
    float b = map[y1 * gw + x0] * (1 - fx) + map[y1 * gw + x1] * fx;
    return a * (1 - fy) + b * fy;
}

void tui_heat_blend(uint8_t *rgb, int stride, int x0, int y0, int w, int h, const float *map,
                    int gh, int gw, float alpha)
{
    if (w <= 0 || h <= 0 || gh <= 0 || gw <= 0) return;
    for (int y = 0; y < h; y++) {
        float py = (y + 0.5f) * gh / h - 0.5f;
        for (int x = 0; x < w; x++) {
            float px = (x + 0.5f) * gw / w - 0.5f;
            uint8_t c[3];
            tui_colormap(sample(map, gh, gw, py, px), c);
            uint8_t *o = rgb + ((size_t)(y0 + y) * stride + x0 + x) * 3;
            for (int k = 0; k < 3; k++) o[k] = (uint8_t)lrintf(o[k] * (1 - alpha) + c[k] * alpha);
        }
    }
}
