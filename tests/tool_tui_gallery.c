/* Builds a small gallery for the browser's tests: N synthetic person crops (coloured shirt and
 * trousers on a grey background, two images per identity) written as PNG files under DIR, each
 * with a caption naming its colours, encoded by MODEL through the real gallery build.
 * usage: tool_tui_gallery OUT.db MODEL VOCAB DIR [N] */
#include "gallery/build.h"
#include "gallery/store.h"

#include <stb/stb_image_write.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const struct {
    const char *name;
    unsigned char rgb[3];
} colours[6] = {{"red", {200, 30, 30}},   {"blue", {30, 50, 200}}, {"green", {30, 160, 50}},
                {"yellow", {220, 200, 40}}, {"black", {20, 20, 20}}, {"white", {235, 235, 235}}};

static void paint(unsigned char *px, int w, int h, int top, int bottom)
{
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++) {
            unsigned char *p = px + (y * w + x) * 3;
            static const unsigned char grey[3] = {128, 128, 128}, skin[3] = {210, 170, 140};
            const unsigned char *c = grey;
            int body = x > w / 4 && x < 3 * w / 4;
            if (body && y > h / 8 && y < h / 2) c = colours[top].rgb;
            else if (body && y >= h / 2 && y < 15 * h / 16) c = colours[bottom].rgb;
            else if (x > 3 * w / 8 && x < 5 * w / 8 && y <= h / 8 && y > h / 32) c = skin;
            memcpy(p, c, 3);
        }
}

int main(int argc, char **argv)
{
    if (argc < 5) {
        fprintf(stderr, "usage: tool_tui_gallery OUT.db MODEL VOCAB DIR [N]\n");
        return 2;
    }
    int n = argc > 5 ? atoi(argv[5]) : 24;
    irra_err e = {{0}};
    mkdir(argv[4], 0755);
    gal_store *s = gal_store_open(argv[1], 1, &e);
    irra_open_opts oo = {.vocab_path = argv[3]};
    irra_model *m = s ? irra_model_open(argv[2], &oo, &e) : NULL;
    if (!m) {
        fprintf(stderr, "tool_tui_gallery: %s\n", e.msg);
        return 2;
    }
    int w = 64, h = 192;
    unsigned char *px = malloc((size_t)w * h * 3);
    gal_store_begin(s, &e);
    for (int i = 0; i < n; i++) {
        int pid = i / 2, top = pid % 6, bottom = (pid / 6 + 1 + pid) % 6;
        char name[64], path[4096], cap[256];
        snprintf(name, sizeof name, "p%03d_c%d.png", pid, i % 2 + 1);
        snprintf(path, sizeof path, "%s/%s", argv[4], name);
        paint(px, w, h, top, bottom);
        if (!stbi_write_png(path, w, h, 3, px, w * 3)) return fprintf(stderr, "cannot write %s\n", path), 2;
        int64_t id;
        snprintf(cap, sizeof cap, "a person in a %s shirt and %s trousers", colours[top].name,
                 colours[bottom].name);
        if (gal_store_add_image(s, name, pid, i % 2 + 1, &id, NULL, &e) ||
            gal_store_add_caption(s, id, pid, cap, &e))
            return fprintf(stderr, "tool_tui_gallery: %s\n", e.msg), 2;
    }
    gal_store_meta_set(s, "split", "test", &e);
    char root[4096];
    if (realpath(argv[4], root)) gal_store_meta_set(s, "root", root, &e); /* as a dataset build does */
    gal_store_commit(s, &e);
    gal_build_opts bo = {.root = argv[4]};
    gal_build_stats st;
    if (gal_build_encode(s, m, argv[2], &bo, &st, &e) != 0)
        return fprintf(stderr, "tool_tui_gallery: %s\n", e.msg), 2;
    printf("%d images encoded\n", st.encoded);
    free(px);
    irra_model_free(m);
    gal_store_close(s);
    return 0;
}
