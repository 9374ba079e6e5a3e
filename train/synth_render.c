#include "train/synth_render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The canvas is float RGB so that layers blend without rounding; body coordinates are in units
 * of the person's height P, x from the body's centre line and y from the top of the head. */
typedef struct {
    float *px;   /* h x w x 3 */
    int h, w;
    float ox, oy, P;
} canvas;

static float clampf(float v, float lo, float hi) { return v < lo ? lo : v > hi ? hi : v; }
static float X(const canvas *c, float fx) { return c->ox + fx * c->P; }
static float Y(const canvas *c, float fy) { return c->oy + fy * c->P; }

static void blend(canvas *c, int x, int y, const float rgb[3], float a)
{
    float *q = c->px + ((size_t)y * c->w + x) * 3;
    for (int k = 0; k < 3; k++) q[k] += a * (rgb[k] - q[k]);
}

static void to_float(float out[3], const uint8_t rgb[3], float mul)
{
    for (int k = 0; k < 3; k++) out[k] = rgb[k] * mul;
}

/* Pixel bounds of [lo, hi) clipped to [0, n). */
static void span(float lo, float hi, int n, int *a, int *b)
{
    *a = (int)floorf(lo);
    *b = (int)ceilf(hi);
    if (*a < 0) *a = 0;
    if (*b > n) *b = n;
}

/* A soft-edged ellipse in body units, shaded darker towards its rim like a rounded surface;
 * only rows above body-y ymax are drawn (hair caps stop at the hairline). */
static void ellipse(canvas *c, float fx, float fy, float frx, float fry, const float rgb[3],
                    float ymax)
{
    float cx = X(c, fx), cy = Y(c, fy), rx = frx * c->P, ry = fry * c->P;
    if (rx < 0.5f) rx = 0.5f;
    if (ry < 0.5f) ry = 0.5f;
    int x0, x1, y0, y1;
    span(cx - rx - 1, cx + rx + 1, c->w, &x0, &x1);
    span(cy - ry - 1, fminf(cy + ry + 1, Y(c, ymax)), c->h, &y0, &y1);
    float edge = fminf(rx, ry);
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            float dx = (x + 0.5f - cx) / rx, dy = (y + 0.5f - cy) / ry;
            float d = sqrtf(dx * dx + dy * dy);
            float a = clampf((1 - d) * edge + 0.5f, 0, 1);
            if (a <= 0) continue;
            float shade = 1.06f - 0.2f * d * d, col[3];
            for (int k = 0; k < 3; k++) col[k] = rgb[k] * shade;
            blend(c, x, y, col, a);
        }
}

/* A soft-edged capsule (a thick line with round ends) in body units: limbs, hair locks. */
static void capsule(canvas *c, float fx0, float fy0, float fx1, float fy1, float fr,
                    const float rgb[3])
{
    float x0 = X(c, fx0), y0 = Y(c, fy0), x1 = X(c, fx1), y1 = Y(c, fy1);
    float r = fmaxf(fr * c->P, 0.6f);
    int ax, bx, ay, by;
    span(fminf(x0, x1) - r - 1, fmaxf(x0, x1) + r + 1, c->w, &ax, &bx);
    span(fminf(y0, y1) - r - 1, fmaxf(y0, y1) + r + 1, c->h, &ay, &by);
    float vx = x1 - x0, vy = y1 - y0, len2 = vx * vx + vy * vy;
    for (int y = ay; y < by; y++)
        for (int x = ax; x < bx; x++) {
            float px = x + 0.5f - x0, py = y + 0.5f - y0;
            float t = len2 > 0 ? clampf((px * vx + py * vy) / len2, 0, 1) : 0;
            float dx = px - t * vx, dy = py - t * vy, d = sqrtf(dx * dx + dy * dy);
            float a = clampf(r - d + 0.5f, 0, 1);
            if (a <= 0) continue;
            float shade = 1.05f - 0.18f * (d / r) * (d / r), col[3];
            for (int k = 0; k < 3; k++) col[k] = rgb[k] * shade;
            blend(c, x, y, col, a);
        }
}

/* Draws Fashion-MNIST item img stretched so its silhouette fills the body box, tinted with rgb.
 * Fashion-MNIST pixels are the garment's brightness on black: the silhouette gives the alpha and
 * the brightness relative to the item's mean gives the shading and texture of the tint. */
/* The bounding box (x0, y0, x1, y1, inclusive) of a Fashion-MNIST item's silhouette and the
 * mean brightness inside it; returns the pixel count (0 for an empty image). */
static long silhouette(const uint8_t *img, int box[4], float *mean)
{
    enum { S = SYN_FMNIST_SIDE, ON = 12 };
    box[0] = box[1] = S, box[2] = box[3] = -1;
    long sum = 0, n = 0;
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++)
            if (img[y * S + x] > ON) {
                if (x < box[0]) box[0] = x;
                if (x > box[2]) box[2] = x;
                if (y < box[1]) box[1] = y;
                if (y > box[3]) box[3] = y;
                sum += img[y * S + x];
                n++;
            }
    *mean = n ? (float)sum / (float)n : 0;
    return n;
}

/* The item on a zero border two pixels wide, as floats: a bilinear tap outside the item reads
 * zeros without a bounds test. */
enum { PAD = 2, PS = SYN_FMNIST_SIDE + 2 * PAD };

static int padded_index(int u) { return (u < -PAD ? -PAD : u > PS - PAD - 2 ? PS - PAD - 2 : u) + PAD; }

static void item(canvas *c, const uint8_t *img, float fx0, float fy0, float fx1, float fy1,
                 const uint8_t rgb[3])
{
    enum { S = SYN_FMNIST_SIDE };
    int box[4];
    float mean;
    if (!silhouette(img, box, &mean)) return;
    int bx0 = box[0], by0 = box[1], bx1 = box[2], by1 = box[3];
    float x0 = X(c, fx0), x1 = X(c, fx1), y0 = Y(c, fy0), y1 = Y(c, fy1);
    float sx = (bx1 - bx0 + 1) / (x1 - x0), sy = (by1 - by0 + 1) / (y1 - y0);
    int ax, bx, ay, by;
    span(x0, x1, c->w, &ax, &bx);
    span(y0, y1, c->h, &ay, &by);
    if (bx - ax > 4 * SYN_MAX_W) return;
    float src[PS * PS] = {0};
    for (int y = 0; y < S; y++)
        for (int x = 0; x < S; x++) src[(y + PAD) * PS + x + PAD] = img[y * S + x];
    int cu[4 * SYN_MAX_W];
    float cf[4 * SYN_MAX_W];
    for (int x = ax; x < bx; x++) { /* source column of each target column */
        float u = bx0 + (x + 0.5f - x0) * sx - 0.5f;
        int u0 = (int)floorf(u);
        cu[x - ax] = padded_index(u0);
        cf[x - ax] = u - u0;
    }
    for (int y = ay; y < by; y++) {
        float v = by0 + (y + 0.5f - y0) * sy - 0.5f;
        int v0 = (int)floorf(v);
        float fv = v - v0;
        const float *r0 = src + padded_index(v0) * PS, *r1 = r0 + PS;
        for (int x = ax; x < bx; x++) {
            int u0 = cu[x - ax];
            float fu = cf[x - ax];
            float p00 = r0[u0], p01 = r0[u0 + 1], p10 = r1[u0], p11 = r1[u0 + 1];
            float s = (p00 + (p01 - p00) * fu) * (1 - fv) + (p10 + (p11 - p10) * fu) * fv;
            float a = clampf((s - 8) / 40, 0, 1);
            if (a <= 0) continue;
            float f = clampf(s / mean, 0.35f, 1.4f), col[3];
            for (int k = 0; k < 3; k++) col[k] = rgb[k] * f + 18 * (f - 1);
            blend(c, x, y, col, a);
        }
    }
}

/* The item's silhouette aspect (height / width), for garments drawn at their own proportions. */
static float aspect(const uint8_t *img)
{
    int box[4];
    float mean;
    if (!silhouette(img, box, &mean)) return 1.f;
    return (float)(box[3] - box[1] + 1) / (float)(box[2] - box[0] + 1);
}

static void background(canvas *c, const syn_nuisance *nu)
{
    int horizon = (int)(nu->horizon * c->h);
    for (int y = 0; y < c->h; y++) {
        float t = (float)y / (float)c->h, col[3];
        for (int k = 0; k < 3; k++)
            col[k] = y < horizon ? nu->wall[0][k] + t * (nu->wall[1][k] - nu->wall[0][k])
                                 : nu->floor[k] * (0.85f + 0.3f * t);
        float *row = c->px + (size_t)y * c->w * 3;
        for (int x = 0; x < c->w; x++) memcpy(row + 3 * x, col, sizeof col);
        if (y >= horizon) continue;
        for (int s = 0; s < nu->nstripes; s++) {
            float sc[3];
            to_float(sc, nu->stripe_rgb[s], 1);
            int a, b;
            span(nu->stripe[s][0] * c->w, nu->stripe[s][1] * c->w, c->w, &a, &b);
            for (int x = a; x < b; x++) blend(c, x, y, sc, 0.45f);
        }
    }
}

typedef struct {
    float sh;              /* shoulder half-width */
    float head_rx, head_ry, head_y;
    float arm_r, leg_r, leg_x;
} body;

/* With cues, men's shoulders are broad and women's narrow, enough that no build closes the gap
 * (a heavy woman's are narrower than a slim man's): the width of the top tells the gender. */
static body body_of(const syn_person *p, int cues)
{
    static const float build[SYN_NBUILDS] = {0.88f, 1.f, 1.17f};
    static const float shoulder[3][2] = {{0.105f, 0.092f}, {0.12f, 0.08f}, {0.12f, 0.072f}};
    static const float head_rx[3][2] = {{0.047f, 0.044f}, {0.049f, 0.043f}, {0.049f, 0.043f}};
    float b = build[p->build]; /* both tables are [cues][gender] */
    int cue = cues < 0 ? 0 : cues > 2 ? 2 : cues, gender = p->gender == SYN_MAN ? SYN_MAN : SYN_WOMAN;
    body g = {shoulder[cue][gender] * b, head_rx[cue][gender], 0.062f, 0.068f,
              0.021f * b, 0.03f * b, 0.045f * b};
    return g;
}

/* Hair behind the head (long hair, ponytail, bun), drawn before the head. */
static void hair_back(canvas *c, const syn_person *p, const body *g)
{
    float col[3];
    to_float(col, syn_hair_rgb[p->hair_colour], 1);
    switch (p->hair_style) {
    case SYN_HAIR_LONG:
        capsule(c, 0, g->head_y, 0, g->head_y + 0.13f, g->head_rx * 1.12f, col);
        break;
    case SYN_HAIR_PONYTAIL:
        capsule(c, g->head_rx * 0.6f, g->head_y - 0.01f, g->head_rx * 1.25f, g->head_y + 0.1f,
                0.014f, col);
        break;
    case SYN_HAIR_BUN:
        ellipse(c, 0, g->head_y - g->head_ry * 0.95f, 0.026f, 0.022f, col, 1);
        break;
    }
}

/* Hair on top of the head: a cap down to the hairline, and locks framing the face. */
static void hair_front(canvas *c, const syn_person *p, const body *g)
{
    if (p->hair_style == SYN_HAIR_BALD) return;
    float col[3];
    to_float(col, syn_hair_rgb[p->hair_colour], 1);
    float hy = g->head_y, hairline = hy - g->head_ry * (p->hair_style == SYN_HAIR_SHORT ? 0.3f : 0.2f);
    ellipse(c, 0, hy - g->head_ry * 0.08f, g->head_rx * 1.1f, g->head_ry * 1.02f, col, hairline);
    if (p->hair_style == SYN_HAIR_LONG)
        for (int s = -1; s <= 1; s += 2)
            capsule(c, s * g->head_rx * 0.92f, hy - 0.02f, s * g->head_rx * 1.02f, hy + 0.1f,
                    0.011f, col);
    else
        for (int s = -1; s <= 1; s += 2) /* sideburns / hair over the ears */
            capsule(c, s * g->head_rx * 0.93f, hy - 0.025f, s * g->head_rx * 0.95f, hy - 0.002f,
                    0.008f, col);
}

static void head(canvas *c, const syn_person *p, const body *g, const float skin[3])
{
    capsule(c, 0, g->head_y + 0.03f, 0, 0.165f, 0.022f, skin); /* neck */
    ellipse(c, 0, g->head_y, g->head_rx, g->head_ry, skin, 1);
    float eye[3] = {40, 30, 28}, lip[3];
    for (int s = -1; s <= 1; s += 2)
        ellipse(c, s * g->head_rx * 0.38f, g->head_y + 0.002f, 0.0045f, 0.003f, eye, 1);
    for (int k = 0; k < 3; k++) lip[k] = skin[k] * 0.75f;
    capsule(c, -0.008f, g->head_y + 0.036f, 0.008f, g->head_y + 0.036f, 0.0022f, lip);
    hair_front(c, p, g);
}

static void limbs(canvas *c, const syn_person *p, const body *g, const float skin[3])
{
    int dress = p->lower.cls == SYN_DRESS;
    for (int s = -1; s <= 1; s += 2) {
        /* Trousers cover the legs; the gap between their legs must show the background. */
        if (dress) capsule(c, s * g->leg_x, 0.48f, s * g->leg_x * 1.05f, 0.955f, g->leg_r, skin);
        capsule(c, s * (g->sh - 0.014f), 0.185f, s * (g->sh + 0.018f), 0.32f, g->arm_r, skin);
        capsule(c, s * (g->sh + 0.018f), 0.32f, s * (g->sh + 0.026f), 0.44f, g->arm_r * 0.85f, skin);
    }
    /* The torso shows only where a garment leaves it bare (a sleeveless dress). */
    if (dress) capsule(c, 0, 0.2f, 0, 0.44f, g->sh * 0.85f, skin);
}

static void hands(canvas *c, const body *g, const float skin[3])
{
    for (int s = -1; s <= 1; s += 2)
        ellipse(c, s * (g->sh + 0.027f), 0.458f, 0.017f, 0.022f, skin, 1);
}

/* The whites of a sneaker's sole and of a shirt's collar and buttons. */
static const float sole_white[3] = {242, 242, 238}, shirt_white[3] = {238, 238, 232};

/* A mark on a garment that must show on any colour: darker on a light one, lighter on a dark. */
static void mark_of(float out[3], const uint8_t rgb[3])
{
    float lum = 0.3f * rgb[0] + 0.59f * rgb[1] + 0.11f * rgb[2];
    for (int k = 0; k < 3; k++) out[k] = lum > 90 ? rgb[k] * 0.4f : rgb[k] * 0.6f + 95;
}

/* What tells footwear apart at a glance (with cues): bare skin between a sandal's straps, a
 * sneaker's white sole, an ankle boot's high shaft; all three larger than without. */
static void shoes(canvas *c, const syn_fmnist *pool, const syn_person *p, const body *g,
                  const float skin[3], int cues)
{
    const syn_piece *sh = &p->shoes;
    int boot = sh->cls == SYN_BOOT;
    static const float half[3] = {0.045f, 0.056f, 0.062f}, low[3] = {0.95f, 0.935f, 0.91f};
    static const float shaft[3] = {0.915f, 0.875f, 0.8f};
    int cue = cues > 2 ? 2 : cues;
    float hw = half[cue], top = boot ? shaft[cue] : low[cue];
    for (int s = -1; s <= 1; s += 2) {
        float x = s * g->leg_x * 1.05f;
        if (cues && sh->cls == SYN_SANDAL)
            ellipse(c, x, cue > 1 ? 0.96f : 0.972f, hw * 0.8f, cue > 1 ? 0.035f : 0.026f, skin, 1);
        item(c, syn_fmnist_image(pool, sh->item), x - hw, top, x + hw, 0.995f,
             syn_colour_rgb[sh->colour]);
        if (cues && sh->cls == SYN_SNEAKER)
            capsule(c, x - hw * 0.85f, 0.99f, x + hw * 0.85f, 0.99f, cue > 1 ? 0.011f : 0.007f,
                    sole_white);
    }
}

static void clothes(canvas *c, const syn_fmnist *pool, const syn_person *p, const body *g,
                    const float skin[3], int cues)
{
    shoes(c, pool, p, g, skin, cues);
    const syn_piece *lo = &p->lower;
    if (lo->cls == SYN_TROUSERS) {
        float hw = g->leg_x + g->leg_r + 0.012f;
        item(c, syn_fmnist_image(pool, lo->item), -hw, 0.45f, hw, 0.955f,
             syn_colour_rgb[lo->colour]);
    }
}

/* What tells the tops apart at a glance (with cues): a coat's open front, lapels and length, a
 * shirt's white collar and buttons, a pullover's ribbed hem and neckband; a t-shirt has none.
 * Bold cues (2) draw the marks thick enough to survive 192x64. */
static void top_marks(canvas *c, const syn_piece *up, float hw, float bottom, int cues)
{
    int bold = cues > 1;
    float m[3];
    mark_of(m, syn_colour_rgb[up->colour]);
    switch (up->cls) {
    case SYN_COAT:
        capsule(c, 0, 0.2f, 0, bottom - 0.01f, bold ? 0.01f : 0.004f, m);
        for (int s = -1; s <= 1; s += 2)
            capsule(c, s * (bold ? 0.04f : 0.032f), 0.16f, s * 0.004f, 0.26f, bold ? 0.008f : 0.005f, m);
        break;
    case SYN_SHIRT: {
        float mark[3]; /* a white shirt's collar and buttons are marks like a coat's */
        const float *w = shirt_white;
        if (bold && up->colour == SYN_WHITE) mark_of(mark, syn_colour_rgb[up->colour]), w = mark;
        for (int s = -1; s <= 1; s += 2)
            capsule(c, s * (bold ? 0.038f : 0.03f), 0.158f, s * 0.006f, 0.195f, bold ? 0.011f : 0.007f, w);
        if (bold) capsule(c, 0, 0.2f, 0, bottom - 0.01f, 0.0025f, w);
        for (int k = 0; k < 5; k++)
            ellipse(c, 0, 0.225f + 0.055f * k, bold ? 0.0075f : 0.0045f, bold ? 0.0075f : 0.0045f, w, 1);
        break;
    }
    case SYN_PULLOVER:
        for (float y = bottom - (bold ? 0.08f : 0.05f); y < bottom - 0.02f; y += bold ? 0.016f : 0.012f)
            capsule(c, -hw * 0.62f, y, hw * 0.62f, y, bold ? 0.006f : 0.0035f, m);
        capsule(c, -0.026f, 0.163f, 0.026f, 0.163f, bold ? 0.01f : 0.006f, m);
        break;
    }
}

static void upper_body(canvas *c, const syn_fmnist *pool, const syn_person *p, const body *g,
                       int cues)
{
    if (p->lower.cls == SYN_DRESS) {
        const uint8_t *img = syn_fmnist_image(pool, p->lower.item);
        float len = 0.56f, hw = clampf(len / aspect(img) * 0.5f, g->sh * 0.8f, g->sh + 0.05f);
        item(c, img, -hw, 0.155f, hw, 0.155f + len, syn_colour_rgb[p->lower.colour]);
        return;
    }
    const syn_piece *up = &p->upper;
    float coat = cues > 1 ? 0.66f : cues ? 0.61f : 0.56f;
    float bottom = up->cls == SYN_COAT ? coat : up->cls == SYN_TSHIRT ? 0.49f : 0.51f;
    float hw = g->sh + 0.048f;
    item(c, syn_fmnist_image(pool, up->item), -hw, 0.155f, hw, bottom,
         syn_colour_rgb[up->colour]);
    if (cues) top_marks(c, up, hw, bottom, cues);
}

/* The bag hangs from the far shoulder. Without cues and with plain ones much of it lies outside
 * the frame; bold cues hang it over the hip, in front of the arm, where any crop keeps it. */
static void bag(canvas *c, const syn_fmnist *pool, const syn_person *p, const body *g, int cues)
{
    if (p->bag.cls < 0) return;
    float col[3];
    to_float(col, syn_colour_rgb[p->bag.colour], 0.8f);
    float x0 = g->sh + 0.0f, x1 = g->sh + (cues ? 0.14f : 0.115f), y0 = 0.40f, y1 = cues ? 0.56f : 0.53f;
    float strap = 0.42f;
    if (cues > 1) x0 = g->sh - 0.1f, x1 = g->sh + 0.02f, y0 = 0.39f, y1 = 0.6f, strap = 0.41f;
    capsule(c, g->sh - 0.025f, 0.175f, (x0 + x1) / 2, strap, 0.005f, col);
    item(c, syn_fmnist_image(pool, p->bag.item), x0, y0, x1, y1,
         syn_colour_rgb[p->bag.colour]);
}

static void occluder(canvas *c, const syn_nuisance *nu)
{
    if (!nu->occluder) return;
    int x0, x1, y0, y1;
    span(nu->occ_x0 * c->w, nu->occ_x1 * c->w, c->w, &x0, &x1);
    span(nu->occ_y0 * c->h, (float)c->h, c->h, &y0, &y1);
    for (int y = y0; y < y1; y++)
        for (int x = x0; x < x1; x++) {
            float t = (float)(x - x0) / (float)(x1 - x0 + 1), col[3];
            to_float(col, nu->occ_rgb, 0.8f + 0.4f * t * (1 - t) * 2);
            blend(c, x, y, col, 1);
        }
}

/* GCC's -O2 vectorizes only loops whose trip count needs no scalar tail; the row loops below
 * have any length, so they ask for the cost model of -O3. Plain IEEE arithmetic either way:
 * the pixels do not change. clang has no per-function optimize attribute and needs none. */
#if defined(__clang__)
#define ROW_LOOP
#else
#define ROW_LOOP __attribute__((optimize("vect-cost-model=dynamic")))
#endif

/* [1 2 1] / 4 in both directions: the slight defocus of surveillance cameras. */
ROW_LOOP static void blur(canvas *c, float *tmp)
{
    int w = c->w, h = c->h, n = 3 * w;
    for (int y = 0; y < h; y++) {
        const float *r = c->px + (size_t)y * n;
        float *o = tmp + (size_t)y * n;
        for (int k = 0; k < 3; k++) { /* the edge pixels repeat themselves */
            o[k] = (r[k] + 2 * r[k] + r[3 + k]) / 4;
            o[n - 3 + k] = (r[n - 6 + k] + 2 * r[n - 3 + k] + r[n - 3 + k]) / 4;
        }
        for (int i = 3; i < n - 3; i++) o[i] = (r[i - 3] + 2 * r[i] + r[i + 3]) / 4;
    }
    for (int y = 0; y < h; y++) {
        int u = y > 0 ? y - 1 : y, d = y < h - 1 ? y + 1 : y;
        const float *a = tmp + (size_t)u * n, *b = tmp + (size_t)y * n, *e = tmp + (size_t)d * n;
        float *o = c->px + (size_t)y * n;
        for (int i = 0; i < n; i++) o[i] = (a[i] + 2 * b[i] + e[i]) / 4;
    }
}

/* Lighting, quantisation and the mirror flip. (No sensor noise: it would triple the PNG size
 * and the time to write it, and the issue asks for none.) */
ROW_LOOP static void develop(const canvas *c, const syn_nuisance *nu, uint8_t *rgb)
{
    float gain[SYN_MAX_W * 3];
    int n = c->w * 3;
    for (int x = 0; x < c->w; x++) {
        float lit = nu->light * (1 + nu->light_slope * (2.f * x / c->w - 1));
        for (int k = 0; k < 3; k++) gain[3 * x + k] = lit * nu->tint[k];
    }
    for (int y = 0; y < c->h; y++) {
        const float *q = c->px + (size_t)y * n;
        uint8_t *row = rgb + (size_t)y * n;
        for (int i = 0; i < n; i++) {
            float v = q[i] * gain[i] + 0.5f;
            v = v > 0 ? v : 0;
            row[i] = (uint8_t)(int)(v < 255 ? v : 255);
        }
        for (int a = 0, b = c->w - 1; nu->flip && a < b; a++, b--)
            for (int k = 0; k < 3; k++) {
                uint8_t t = row[3 * a + k];
                row[3 * a + k] = row[3 * b + k];
                row[3 * b + k] = t;
            }
    }
}

int syn_render(const syn_fmnist *pool, const syn_person *p, const syn_nuisance *nu, int cues,
               uint8_t *rgb, int h, int w)
{
    if (w < SYN_MIN_W || w > SYN_MAX_W || h != 3 * w) return -1;
    float *buf = malloc(sizeof(float) * (size_t)h * w * 3 * 2);
    if (!buf) return -1;
    canvas c = {buf, h, w, nu->cx * w, nu->top * h, nu->height * h};
    body g = body_of(p, cues);
    float skin[3];
    to_float(skin, syn_skin_rgb[p->skin], 1);
    background(&c, nu);
    hair_back(&c, p, &g);
    limbs(&c, p, &g, skin);
    clothes(&c, pool, p, &g, skin, cues);
    upper_body(&c, pool, p, &g, cues);
    hands(&c, &g, skin);
    head(&c, p, &g, skin);
    bag(&c, pool, p, &g, cues);
    occluder(&c, nu);
    if (nu->blur) blur(&c, buf + (size_t)h * w * 3);
    develop(&c, nu, rgb);
    free(buf);
    return 0;
}
