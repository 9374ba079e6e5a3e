/* The browser's pure parts: the probe's reply parser and decision, the half-block and 256-colour
 * encoders, the heatmap maths, failure metrics, the layout, OSC 52, tmux passthrough wrapping,
 * the tile cache and a sixel round trip through libsixel. */
#include "check.h"
#include "tui/blocks.h"
#include "tui/failures.h"
#include "tui/grid.h"
#include "tui/heatmap.h"
#include "tui/keys.h"
#include "tui/osc52.h"
#include "tui/sixel_layer.h"
#include "tui/term_probe.h"

#include <sixel.h>
#include <stdlib.h>
#include <string.h>

static void probe_parses_xterm_vt340_replies(void)
{
    /* xterm 379 -ti vt340, as measured in docs/terminal-notes.md 3.1 */
    const char r[] = "\033P>|XTerm(379)\033\\\033[?1;0;1024S\033[?2;0;1000;880S\033[6;22;11t"
                     "\033[?63;1;2;4;6;9;15;16;22;28c";
    tui_caps c = {0};
    EXPECT(tui_probe_parse(r, (int)strlen(r), &c) == 1);
    EXPECT(c.da1_sixel == 1);
    EXPECT(!strcmp(c.version, "XTerm(379)"));
    EXPECT(c.regs == 1024 && c.max_w == 1000 && c.max_h == 880);
    EXPECT(c.cell16_w == 11 && c.cell16_h == 22);
    EXPECT(tui_caps_decide(&c, NULL, NULL) == 0);
    EXPECT(c.gfx == TUI_GFX_SIXEL && c.cell_w == 11 && c.cell_h == 22 && c.ncolors == 256);
}

static void probe_needs_4_as_a_whole_parameter(void)
{
    const char r[] = "\033[?64;1;2;6;9;14;15;42c"; /* default xterm: no sixel */
    tui_caps c = {0};
    EXPECT(tui_probe_parse(r, (int)strlen(r), &c) == 1);
    EXPECT(c.da1_sixel == 0);
    tui_caps_decide(&c, NULL, NULL);
    EXPECT(c.gfx == TUI_GFX_BLOCKS);
}

static void probe_waits_for_da1_and_survives_partial_input(void)
{
    const char r[] = "\033[8;30;100t\033[?1;2"; /* DA1 cut off */
    tui_caps c = {0};
    EXPECT(tui_probe_parse(r, (int)strlen(r), &c) == 0);
    EXPECT(c.rows18 == 30 && c.cols18 == 100);
}

static void decision_overrides_and_tmux_cell(void)
{
    tui_caps c = {0};
    c.in_tmux = 1;
    c.ws_rows = 30, c.ws_cols = 100, c.ws_xpix = 1600, c.ws_ypix = 960; /* tmux's fake 16x32 */
    tui_caps_decide(&c, NULL, NULL);
    EXPECT(c.cell_w == 10 && c.cell_h == 20);
    EXPECT(c.gfx == TUI_GFX_BLOCKS);
    c.tmux_passthrough = 1;
    tui_caps_decide(&c, NULL, "9x18");
    EXPECT(c.gfx == TUI_GFX_SIXEL && c.cell_w == 9 && c.cell_h == 18);
    EXPECT(tui_caps_decide(&c, "none", NULL) == 0 && c.gfx == TUI_GFX_NONE);
    EXPECT(tui_caps_decide(&c, "kitty", NULL) == -1);
    EXPECT(tui_caps_decide(&c, NULL, "9by18") == -1);
    c.regs = 16;
    tui_caps_decide(&c, NULL, NULL);
    EXPECT(c.ncolors == 16); /* a real VT340 */
}

static void xterm_256_palette(void)
{
    EXPECT(tui_rgb_to_256(0, 0, 0) == 16);
    EXPECT(tui_rgb_to_256(255, 255, 255) == 231);
    EXPECT(tui_rgb_to_256(255, 0, 0) == 196);
    EXPECT(tui_rgb_to_256(128, 128, 128) == 244); /* grey ramp: 8 + 10*12 = 128 */
}

static void half_blocks_carry_two_pixels_per_cell(void)
{
    const uint8_t px[2 * 2 * 3] = {255, 0, 0, 0, 255, 0, 0, 0, 255, 10, 20, 30};
    tui_buf b = {0};
    EXPECT(tui_blocks_encode(px, 2, 1, 1, &b) == 0);
    EXPECT(!strcmp(b.p, "\033[38;2;255;0;0m\033[48;2;0;0;255m\xe2\x96\x80"
                        "\033[38;2;0;255;0m\033[48;2;10;20;30m\xe2\x96\x80"));
    b.n = 0;
    EXPECT(tui_blocks_encode(px, 1, 2, 0, &b) == 0); /* 1 column, 4 pixel rows: 2 lines */
    EXPECT(strchr(b.p, '\n') != NULL && strstr(b.p, "\033[38;5;196m"));
    tui_buf_free(&b);
}

static void viridis_ends_and_normalise(void)
{
    uint8_t c[3];
    tui_colormap(0, c);
    EXPECT(c[0] == 68 && c[1] == 1 && c[2] == 84);
    tui_colormap(1, c);
    EXPECT(c[0] == 253 && c[1] == 231 && c[2] == 37);
    tui_colormap(-3, c);
    EXPECT(c[0] == 68);
    float m[4] = {2, 4, 3, 2};
    tui_heat_normalize(m, 4);
    EXPECT_CLOSE(m[0], 0, 1e-6, 0);
    EXPECT_CLOSE(m[1], 1, 1e-6, 0);
    EXPECT_CLOSE(m[2], 0.5, 1e-6, 0);
}

static void similarity_is_cosine_per_patch_skipping_cls(void)
{
    const float text[2] = {1, 0};
    const float tok[3 * 2] = {9, 9, /* CLS */ 2, 0, /* same direction */ 0, -3 /* orthogonal */};
    float map[2];
    tui_heat_similarity(text, tok, 1, 2, 2, map);
    EXPECT_CLOSE(map[0], 1, 1e-6, 0);
    EXPECT_CLOSE(map[1], 0, 1e-6, 0);
}

static void relation_averages_word_rows(void)
{
    /* context 3 x v_tokens 3: rows 1 and 2 are the word's tokens */
    const float attn[9] = {0.5f, 0.25f, 0.25f, 0.2f, 0.6f, 0.2f, 0.0f, 0.2f, 0.8f};
    float map[2];
    tui_heat_relation(attn, 3, 1, 3, map);
    EXPECT_CLOSE(map[0], 0.4, 1e-6, 0);
    EXPECT_CLOSE(map[1], 0.5, 1e-6, 0);
}

static void blend_upsamples_and_mixes(void)
{
    uint8_t px[4 * 2 * 3];
    memset(px, 0, sizeof px);
    const float map[2] = {0, 1}; /* 1x2 patch grid: left cold, right hot */
    tui_heat_blend(px, 4, 0, 0, 4, 2, map, 1, 2, 1.0f);
    EXPECT(px[0] == 68 && px[2] == 84);                    /* leftmost: viridis(0) */
    EXPECT(px[3 * 3 + 0] == 253 && px[3 * 3 + 1] == 231); /* rightmost: viridis(1) */
    EXPECT(px[1 * 3 + 1] > 1 && px[1 * 3 + 1] < 231);      /* in between: interpolated */
}

static void failure_rank_ap_and_order(void)
{
    const int ranked[5] = {3, 7, 3, 1, 7};
    int first;
    float ap = tui_rank_of_first(ranked, 5, 7, &first);
    EXPECT(first == 2);
    EXPECT_CLOSE(ap, (1.0 / 2 + 2.0 / 5) / 2, 1e-6, 0);
    EXPECT(tui_rank_of_first(ranked, 5, 9, &first) == 0 && first == 6);
    tui_failcase c[3] = {{strdup("a"), 1, 1, 1.0f}, {strdup("b"), 2, 5, 0.2f}, {strdup("c"), 3, 5, 0.1f}};
    float r1, map;
    tui_failures_finish(c, 3, &r1, &map);
    EXPECT(!strcmp(c[0].text, "c") && !strcmp(c[1].text, "b") && !strcmp(c[2].text, "a"));
    EXPECT_CLOSE(r1, 100.0 / 3, 1e-4, 0);
    EXPECT_CLOSE(map, 100 * 1.3 / 3, 1e-4, 0);
    for (int i = 0; i < 3; i++) free(c[i].text);
}

static void layout_keeps_images_off_the_last_row(void)
{
    tui_layout L;
    tui_layout_compute(&L, 40, 100, 10, 20, 0, 0, 0);
    EXPECT(L.per_page >= 12);
    EXPECT(L.px_h % 6 == 0 && L.px_h <= L.tile_rows * 20);
    for (int i = 0; i < L.per_page; i++) {
        tui_rect r = tui_layout_slot(&L, i);
        EXPECT(r.row >= 2 && r.row + r.rows + 1 < 39); /* label and border above the status bar */
        EXPECT(r.col + r.cols < 100);
        EXPECT(tui_layout_hit(&L, r.row, r.col) == i);
    }
    tui_layout_compute(&L, 40, 100, 10, 20, 1, 1000, 300);
    EXPECT(L.detail.cols > 0 && L.detail_px_h <= 300);
    EXPECT(tui_layout_slot(&L, L.gcols - 1).col + L.tile_cols < L.detail.col);
}

static void osc52_is_base64(void)
{
    char buf[128] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    tui_osc52_copy(f, "a/b.jpg");
    fclose(f);
    EXPECT(!strcmp(buf, "\033]52;c;YS9iLmpwZw==\a"));
}

static void tmux_passthrough_doubles_escapes(void)
{
    char buf[256] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    tui_layer_emit(f, 2, 4, "\033Pq#0\033\\", 7, 1);
    fclose(f);
    EXPECT(!strcmp(buf, "\0337\033[3;5H\033Ptmux;\033\033Pq#0\033\033\\\033\\\0338"));
}

static void blocks_emit_one_cup_per_row(void)
{
    char buf[256] = "";
    FILE *f = fmemopen(buf, sizeof buf, "w");
    tui_layer_emit(f, 0, 0, "ab\ncd", 5, 0);
    fclose(f);
    EXPECT(!strcmp(buf, "\0337\033[1;1Hab\033[2;1Hcd\033[0m\0338"));
}

static void cache_returns_what_was_put_and_evicts_lru(void)
{
    tui_tile_cache *c = tui_tile_cache_new(2);
    tui_tile_key k1 = {1, 8, 6, TUI_GFX_SIXEL, 0, 0, 0, 0}, k2 = k1, k3 = k1;
    k2.image_id = 2;
    k3.image_id = 3;
    tui_buf b = {0};
    tui_tile_cache_put(c, &k1, "one", 3);
    tui_tile_cache_put(c, &k2, "two", 3);
    EXPECT(tui_tile_cache_get(c, &k1, &b) && !strcmp(b.p, "one")); /* k2 is now the oldest */
    tui_tile_cache_put(c, &k3, "three", 5);
    EXPECT(!tui_tile_cache_get(c, &k2, &b));
    EXPECT(tui_tile_cache_get(c, &k3, &b) && b.n == 5);
    k1.overlay = TUI_MAP_SIMILARITY;
    EXPECT(!tui_tile_cache_get(c, &k1, &b)); /* a highlighted tile is another tile */
    tui_buf_free(&b);
    tui_tile_cache_free(c);
}

static void sixel_round_trip_keeps_size_and_colours(void)
{
    enum { W = 20, H = 30 };
    uint8_t px[W * H * 3], copy[W * H * 3];
    for (int i = 0; i < W * H; i++) {
        px[3 * i] = i < W * H / 2 ? 200 : 20;
        px[3 * i + 1] = 40;
        px[3 * i + 2] = i < W * H / 2 ? 30 : 220;
    }
    memcpy(copy, px, sizeof px);
    tui_buf b = {0};
    EXPECT(tui_sixel_encode(px, W, H, 256, &b) == 0);
    EXPECT(!memcmp(px, copy, sizeof px)); /* the source is untouched */
    EXPECT(b.n > 4 && b.p[0] == '\033' && b.p[1] == 'P');
    unsigned char *ix = NULL, *pal = NULL;
    int w = 0, h = 0, nc = 0;
    EXPECT(SIXEL_SUCCEEDED(sixel_decode_raw((unsigned char *)b.p, (int)b.n, &ix, &w, &h, &pal, &nc, NULL)));
    EXPECT(w == W && h == H);
    if (ix && pal) {
        const unsigned char *top = pal + 3 * ix[0], *bot = pal + 3 * ix[W * H - 1];
        EXPECT(abs(top[0] - 200) < 8 && abs(top[2] - 30) < 8);
        EXPECT(abs(bot[0] - 20) < 8 && abs(bot[2] - 220) < 8);
    }
    free(ix);
    free(pal);
    tui_buf_free(&b);
}

static void every_action_has_a_documented_key(void)
{
    for (int a = TUI_A_QUIT; a < TUI_A_COUNT; a++) {
        int documented = 0;
        for (int i = 0; i < tui_nkeys; i++) documented |= tui_keys[i].action == (tui_action)a && tui_keys[i].help;
        EXPECTF(documented, "action %d", a);
    }
    EXPECT(tui_key_action('q', TUI_CTX_GRID) == TUI_A_QUIT);
    EXPECT(tui_key_action('q', TUI_CTX_QUERY) == TUI_A_NONE); /* typed into the query */
}

int main(void)
{
    RUN(probe_parses_xterm_vt340_replies);
    RUN(probe_needs_4_as_a_whole_parameter);
    RUN(probe_waits_for_da1_and_survives_partial_input);
    RUN(decision_overrides_and_tmux_cell);
    RUN(xterm_256_palette);
    RUN(half_blocks_carry_two_pixels_per_cell);
    RUN(viridis_ends_and_normalise);
    RUN(similarity_is_cosine_per_patch_skipping_cls);
    RUN(relation_averages_word_rows);
    RUN(blend_upsamples_and_mixes);
    RUN(failure_rank_ap_and_order);
    RUN(layout_keeps_images_off_the_last_row);
    RUN(osc52_is_base64);
    RUN(tmux_passthrough_doubles_escapes);
    RUN(blocks_emit_one_cup_per_row);
    RUN(cache_returns_what_was_put_and_evicts_lru);
    RUN(sixel_round_trip_keeps_size_and_colours);
    RUN(every_action_has_a_documented_key);
    return DONE();
}
