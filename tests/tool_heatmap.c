/* The browser's highlight maps as numbers, for the quality tests of the shipped model: for each
 * QUERY line on standard input (up to 256), the map of every gallery image, through the
 * browser's own source (tui/gal_source.c), normalised to [0, 1] as the browser shows it.
 * One JSON line per (query, image): {"query", "path", "gh", "gw", "map": [gh*gw]}.
 * usage: tool_heatmap MODEL GALLERY sim|rel WORD < QUERIES
 * WORD: the 0-based word of the query a relation map is drawn for (ignored by sim). */
#include "tui/gal_source.h"
#include "tui/heatmap.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void print_map(const char *query, const char *path, const float *map, int gh, int gw)
{
    printf("{\"query\": \"%s\", \"path\": \"%s\", \"gh\": %d, \"gw\": %d, \"map\": [", query,
           path, gh, gw);
    for (int i = 0; i < gh * gw; i++) printf("%s%.4f", i ? ", " : "", map[i]);
    printf("]}\n");
}

/* Image by image, every query on each: the browser's source keeps the image tower's tokens of
 * the last image, so this order runs the image tower once an image. */
static int all_maps(tui_source *src, char **queries, int nq, int kind, int word)
{
    char err[512] = "out of memory";
    tui_hit *hits = malloc(sizeof *hits * (size_t)src->size);
    int n = hits ? src->search(src->ctx, queries[0], src->size, hits, err, sizeof err) : -1;
    int rc = n < 0 ? -1 : 0;
    for (int i = 0; i < n && rc == 0; i++)
        for (int q = 0; q < nq && rc == 0; q++) {
            float *map = NULL;
            int gh = 0, gw = 0;
            rc = src->attn_map(src->ctx, queries[q], hits[i].image_id, kind, word, &map, &gh, &gw,
                               err, sizeof err);
            if (rc) break;
            tui_heat_normalize(map, gh * gw);
            print_map(queries[q], hits[i].path, map, gh, gw);
            free(map);
        }
    free(hits);
    if (rc) fprintf(stderr, "tool_heatmap: %s\n", err);
    return rc;
}

int main(int argc, char **argv)
{
    if (argc < 5 || (strcmp(argv[3], "sim") && strcmp(argv[3], "rel"))) {
        fprintf(stderr, "usage: tool_heatmap MODEL GALLERY sim|rel WORD < QUERIES\n");
        return 2;
    }
    tui_source src = {0};
    char err[512];
    if (tui_gal_source_open(&src, argv[1], argv[2], NULL, err, sizeof err)) {
        fprintf(stderr, "tool_heatmap: %s\n", err);
        return 2;
    }
    int kind = strcmp(argv[3], "sim") ? TUI_MAP_RELATION : TUI_MAP_SIMILARITY;
    int word = atoi(argv[4]);
    char line[1024], *queries[256];
    int nq = 0, rc = 0;
    while (nq < 256 && fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\r\n")] = 0;
        if (line[0]) queries[nq++] = strdup(line);
    }
    if (nq) rc = all_maps(&src, queries, nq, kind, word);
    for (int q = 0; q < nq; q++) free(queries[q]);
    src.close(src.ctx);
    return rc ? 2 : 0;
}
