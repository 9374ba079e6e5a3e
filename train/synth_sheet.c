#include "train/synth_sheet.h"

#include "train/synth_png.h"

/* stb_easy_font is all static functions, some unused here, with a brace-elided table; GCC
 * reports both, the first at the end of the file, so the silence covers the whole file. */
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-braces"
#include <stb_easy_font.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { PAD = 6, LINE = 10, TEXT_LINES = 17, CELL_W = 210 };

typedef struct {
    uint8_t *px;
    int w, h;
} sheet;

/* Fills the quads stb_easy_font emits (axis-aligned, 4 vertices of 16 bytes each). */
static void text(sheet *s, int x, int y, const char *str, const uint8_t rgb[3])
{
    char buf[40000]; /* stb_easy_font needs about 270 bytes a character; lines are short */
    int quads = stb_easy_font_print((float)x, (float)y, (char *)str, NULL, buf, sizeof buf);
    for (int q = 0; q < quads; q++) {
        const float *v0 = (const float *)(buf + q * 64), *v2 = (const float *)(buf + q * 64 + 32);
        for (int yy = (int)v0[1]; yy < (int)v2[1]; yy++)
            for (int xx = (int)v0[0]; xx < (int)v2[0]; xx++)
                if (xx >= 0 && yy >= 0 && xx < s->w && yy < s->h)
                    memcpy(s->px + ((size_t)yy * s->w + xx) * 3, rgb, 3);
    }
}

/* Draws str wrapped to width at (x, *y), advancing *y line by line. */
static void paragraph(sheet *s, int x, int *y, int width, const char *str, const uint8_t rgb[3])
{
    char line[256] = "", word[64];
    const char *p = str;
    while (*p) {
        int n = 0;
        while (*p == ' ') p++;
        while (*p && *p != ' ' && n < (int)sizeof word - 1) word[n++] = *p++;
        word[n] = 0;
        if (!n) break;
        char trial[sizeof line + sizeof word + 1];
        snprintf(trial, sizeof trial, "%s%s%s", line, *line ? " " : "", word);
        if (*line && (stb_easy_font_width(trial) > width || strlen(trial) >= sizeof line)) {
            text(s, x, *y, line, rgb);
            *y += LINE;
            memcpy(line, word, (size_t)n + 1);
        } else {
            memcpy(line, trial, strlen(trial) + 1);
        }
    }
    if (*line) {
        text(s, x, *y, line, rgb);
        *y += LINE;
    }
}

static void cell(sheet *s, const syn_dataset *d, int id, int x0, int y0, const uint8_t *img)
{
    static const uint8_t ink[3] = {20, 20, 24}, grey[3] = {110, 110, 120}, blue[3] = {30, 60, 150};
    int ix = x0 + (CELL_W - d->w) / 2;
    for (int y = 0; y < d->h; y++)
        memcpy(s->px + ((size_t)(y0 + PAD + y) * s->w + ix) * 3, img + (size_t)y * d->w * 3,
               (size_t)d->w * 3);
    char head[128], cap[SYN_MAX_CAPTIONS][SYN_CAPTION_MAX];
    const syn_person *p = &d->people[id];
    int y = y0 + PAD + d->h + 4;
    int me = syn_file_id(d, id) + 1, parent = p->parent < 0 ? 0 : syn_file_id(d, p->parent) + 1;
    if (p->parent < 0) snprintf(head, sizeof head, "#%d", me);
    else if (!strcmp(p->differs, "colour swap"))
        snprintf(head, sizeof head, "#%d: #%d, top and bottom colours swapped", me, parent);
    else if (!strncmp(p->differs, "bag ", 4)) snprintf(head, sizeof head, "#%d: #%d, %s", me, parent, p->differs);
    else snprintf(head, sizeof head, "#%d: #%d with another %s", me, parent, p->differs);
    paragraph(s, x0 + PAD, &y, CELL_W - 2 * PAD, head, blue);
    syn_image_captions(d, (long)id * d->per_id, cap);
    for (int j = 0; j < 2; j++) {
        y += 3;
        paragraph(s, x0 + PAD, &y, CELL_W - 2 * PAD, cap[j], j ? grey : ink);
    }
}

int syn_contact_sheet(const syn_dataset *d, int n, int cols, const char *path, irra_err *e)
{
    if (n < 1 || n > d->n_ids) return irra_fail(e, "%s: %d people asked, %d exist", path, n, d->n_ids);
    if (cols < 1) cols = 1;
    if (cols > n) cols = n;
    int rows = (n + cols - 1) / cols, cell_h = d->h + 2 * PAD + 4 + TEXT_LINES * LINE;
    sheet s = {NULL, cols * CELL_W, rows * cell_h};
    s.px = malloc((size_t)s.w * s.h * 3);
    uint8_t *img = malloc((size_t)d->w * d->h * 3);
    int rc = -1;
    if (!s.px || !img) {
        irra_fail(e, "%s: out of memory", path);
        goto done;
    }
    memset(s.px, 248, (size_t)s.w * s.h * 3);
    for (int i = 0; i < n; i++) {
        if (syn_image_render(d, (long)i * d->per_id, img) < 0) {
            irra_fail(e, "%s: out of memory", path);
            goto done;
        }
        cell(&s, d, i, (i % cols) * CELL_W, (i / cols) * cell_h, img);
    }
    if (syn_write_png(path, s.w, s.h, s.px) < 0)
        irra_fail(e, "%s: cannot write (%s)", path, strerror(errno));
    else rc = 0;
done:
    free(s.px);
    free(img);
    return rc;
}
