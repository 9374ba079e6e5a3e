/* Checks a dataset written by `irra synth` the way a trainer would read it:
 *   tool_synth_check DIR IDS VAL TEST PER_ID H W [SHORT]
 * reid_raw.json must load with json-c and have the CUHK-PEDES fields, train ids must be 1..N,
 * the splits must hold the asked identity counts with PER_ID images each, every image must
 * decode at HxW, processed_tokens must be the captions' words, and every caption, read back,
 * must hold for the attributes.jsonl line of its image. A training image has SHORT (default 0)
 * short captions after its two, val and test images none. Prints "ok"/"FAIL" lines per check.
 *   tool_synth_check --png FILE H W   checks that FILE decodes as an RGB PNG of HxW. */
#include "model/image.h"
#include "train/synth_caption.h"
#include "train/synth_parse.h"

#include <json-c/json.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int failures;

#define CHECK(cond, ...)                                                                \
    do {                                                                                \
        if (!(cond)) {                                                                  \
            if (failures++ < 10) {                                                      \
                printf("  ");                                                           \
                printf(__VA_ARGS__);                                                    \
                printf("\n");                                                           \
            }                                                                           \
        }                                                                               \
    } while (0)

/* PNG colour type 2 (RGB, no alpha), from the IHDR chunk that opens every PNG. */
static int png_is_rgb(const char *path)
{
    unsigned char hdr[26];
    FILE *f = fopen(path, "rb");
    int ok = f && fread(hdr, 1, sizeof hdr, f) == sizeof hdr && !memcmp(hdr + 12, "IHDR", 4) &&
             hdr[25] == 2;
    if (f) fclose(f);
    return ok;
}

static int decodes(const char *path, int h, int w)
{
    irra_image img;
    irra_err e;
    if (irra_image_load(path, &img, &e)) return 0;
    int ok = img.w == w && img.h == h && png_is_rgb(path);
    irra_image_free(&img);
    return ok;
}

static int index_of(const char *name, const char *const *names, int n)
{
    for (int i = 0; name && i < n; i++)
        if (!strcmp(names[i], name)) return i;
    return -1;
}

static const char *str(json_object *o, const char *key)
{
    json_object *v;
    return json_object_object_get_ex(o, key, &v) && json_object_is_type(v, json_type_string)
               ? json_object_get_string(v) : NULL;
}

static syn_piece piece_of(json_object *o, const char *key)
{
    syn_piece p = {-1, -1, -1};
    json_object *v;
    if (!json_object_object_get_ex(o, key, &v) || !v) return p;
    p.cls = index_of(str(v, "type"), syn_class_name, SYN_FMNIST_CLASSES);
    p.colour = index_of(str(v, "colour"), syn_colour_name, SYN_NCOLOURS);
    return p;
}

/* The ground truth of one attributes.jsonl line, as the reader's checker wants it. */
static int person_of(json_object *o, syn_person *p)
{
    memset(p, 0, sizeof *p);
    const char *g = str(o, "gender");
    p->gender = g && !strcmp(g, "man") ? SYN_MAN : g && !strcmp(g, "woman") ? SYN_WOMAN : -1;
    p->build = index_of(str(o, "build"), syn_build_name, SYN_NBUILDS);
    p->skin = index_of(str(o, "skin"), syn_skin_name, SYN_NSKINS);
    p->hair_style = index_of(str(o, "hair_style"), syn_hair_style_name, SYN_NHAIRSTYLES);
    p->hair_colour = index_of(str(o, "hair_colour"), syn_hair_colour_name, SYN_NHAIRCOLOURS);
    p->upper = piece_of(o, "upper");
    p->lower = piece_of(o, "lower");
    p->shoes = piece_of(o, "shoes");
    p->bag = piece_of(o, "bag");
    return p->gender >= 0 && p->build >= 0 && p->skin >= 0 && p->hair_style >= 0 &&
           p->lower.cls >= 0 && p->shoes.cls >= 0;
}

typedef struct {
    json_object *arr;
    int i, ok;
} token_cursor;

static void match_token(const char *tok, size_t len, void *ctx)
{
    token_cursor *c = ctx;
    if (len == 1 && strchr(".!?;", *tok)) return;
    json_object *t = json_object_array_get_idx(c->arr, (size_t)c->i++);
    const char *s = t ? json_object_get_string(t) : NULL;
    if (!s || strlen(s) != len || strncasecmp(s, tok, len)) c->ok = 0;
    for (size_t k = 0; s && k < len && k < strlen(s); k++)
        if (s[k] >= 'A' && s[k] <= 'Z') c->ok = 0; /* processed tokens are lower case */
}

static int tokens_match(const char *caption, json_object *toks)
{
    if (!json_object_is_type(toks, json_type_array)) return 0;
    token_cursor c = {toks, 0, 1};
    syn_tokenize(caption, match_token, &c);
    return c.ok && c.i == (int)json_object_array_length(toks);
}

static void check_entry(json_object *e, json_object *truth, const char *dir, int h, int w,
                        int *split_ids, int *images_of, int n_ids, int n_short, int items)
{
    const char *split = str(e, "split"), *path = str(e, "file_path");
    json_object *caps, *toks, *idv;
    int split_no = split ? (!strcmp(split, "train") ? 0 : !strcmp(split, "val") ? 1
                            : !strcmp(split, "test") ? 2 : -1) : -1;
    CHECK(split_no >= 0, "bad split %s", split ? split : "(none)");
    CHECK(path, "no file_path");
    int has = json_object_object_get_ex(e, "captions", &caps) &&
              json_object_object_get_ex(e, "processed_tokens", &toks) &&
              json_object_object_get_ex(e, "id", &idv) && json_object_is_type(idv, json_type_int);
    CHECK(has, "missing captions, processed_tokens or id in %s", path ? path : "?");
    if (!has || !path || split_no < 0) return;
    int id = json_object_get_int(idv);
    CHECK(id >= 1 && id <= n_ids, "id %d out of 1..%d", id, n_ids);
    if (id < 1 || id > n_ids) return;
    if (images_of[id - 1]++ == 0) split_ids[split_no]++;
    CHECK(str(truth, "file_path") && !strcmp(str(truth, "file_path"), path),
          "attributes.jsonl is not in the order of reid_raw.json at %s", path);
    char full[4096];
    snprintf(full, sizeof full, "%s/imgs/%s", dir, path);
    CHECK(decodes(full, h, w), "%s does not decode as %dx%d RGB", full, h, w);
    syn_person p;
    CHECK(person_of(truth, &p), "attributes of %s are incomplete", path);
    const syn_piece *worn[SYN_MAX_ITEMS];
    int extra = split_no == 0 ? n_short + (items ? syn_worn_items(&p, worn) : 0) : 0;
    size_t want = 2 + (size_t)extra;
    int shaped = json_object_is_type(caps, json_type_array) &&
                 json_object_array_length(caps) == want && json_object_array_length(toks) == want;
    CHECK(shaped, "%s: not %zu captions and %zu token lists", path, want, want);
    for (size_t j = 0; j < want && shaped; j++) {
        const char *cap = json_object_get_string(json_object_array_get_idx(caps, (size_t)j));
        syn_claims c;
        char why[128];
        syn_parse_caption(cap, &c);
        CHECK(syn_check_claims(&c, &p, why, sizeof why) == 0, "%s: %s: \"%s\"", path, why, cap);
        int words = syn_count_words(cap), lo = j < 2 ? SYN_CAPTION_MIN_WORDS : SYN_SHORT_MIN_WORDS,
            hi = j < 2 ? SYN_CAPTION_MAX_WORDS : SYN_SHORT_MAX_WORDS;
        CHECK(words >= lo && words <= hi, "%s: caption %zu of %d words", path, j, words);
        CHECK(tokens_match(cap, json_object_array_get_idx(toks, j)),
              "%s: processed_tokens are not the words of caption %zu", path, j);
    }
}

static json_object **read_jsonl(const char *path, int *n)
{
    FILE *f = fopen(path, "r");
    if (!f) return NULL;
    json_object **rows = NULL;
    char *line = NULL;
    size_t cap = 0;
    *n = 0;
    while (getline(&line, &cap, f) > 0) {
        rows = realloc(rows, sizeof *rows * (size_t)(*n + 1));
        rows[(*n)++] = json_tokener_parse(line);
    }
    free(line);
    fclose(f);
    return rows;
}

int main(int argc, char **argv)
{
    if (argc == 5 && !strcmp(argv[1], "--png")) {
        int ok = decodes(argv[2], atoi(argv[3]), atoi(argv[4]));
        printf("%s png_decodes\n", ok ? "ok" : "FAIL");
        return !ok;
    }
    if (argc < 8 || argc > 10) {
        fprintf(stderr, "usage: tool_synth_check DIR IDS VAL TEST PER_ID H W [SHORT [items]]\n");
        return 2;
    }
    const char *dir = argv[1];
    int n_ids = atoi(argv[2]), val = atoi(argv[3]), test = atoi(argv[4]), per_id = atoi(argv[5]);
    int h = atoi(argv[6]), w = atoi(argv[7]), n_short = argc >= 9 ? atoi(argv[8]) : 0;
    int items = argc == 10 && !strcmp(argv[9], "items");
    char path[4096];
    snprintf(path, sizeof path, "%s/reid_raw.json", dir);
    json_object *root = json_object_from_file(path);
    int loads = root && json_object_is_type(root, json_type_array);
    printf("%s json_loads_with_json_c\n", loads ? "ok" : "FAIL");
    if (!loads) return 1;
    snprintf(path, sizeof path, "%s/attributes.jsonl", dir);
    int n_truth = 0;
    json_object **truth = read_jsonl(path, &n_truth);
    int n = (int)json_object_array_length(root);
    CHECK(truth && n_truth == n, "attributes.jsonl has %d lines for %d entries", n_truth, n);
    int split_ids[3] = {0}, *images_of = calloc((size_t)n_ids + 1, sizeof(int));
    int ordered = 1, last_split = 0;
    for (int i = 0; i < n && truth && n_truth == n; i++) {
        json_object *e = json_object_array_get_idx(root, (size_t)i);
        const char *split = str(e, "split");
        int s = split ? (!strcmp(split, "train") ? 0 : !strcmp(split, "val") ? 1 : 2) : 0;
        if (s < last_split) ordered = 0;
        last_split = s;
        check_entry(e, truth[i], dir, h, w, split_ids, images_of, n_ids, n_short, items);
    }
    /* IRRA assigns train pids as id - 1 and asserts they are 0..N-1. */
    for (int i = 0; i < split_ids[0]; i++)
        CHECK(images_of[i] > 0, "train id %d missing: train ids are not 1..%d", i + 1, split_ids[0]);
    int ids_ok = split_ids[0] == n_ids - val - test && split_ids[1] == val && split_ids[2] == test;
    CHECK(ids_ok, "identities train/val/test %d/%d/%d, asked %d/%d/%d", split_ids[0],
          split_ids[1], split_ids[2], n_ids - val - test, val, test);
    CHECK(n == n_ids * per_id, "%d images, asked %d", n, n_ids * per_id);
    for (int i = 0; i < n_ids; i++)
        CHECK(images_of[i] == per_id, "identity %d has %d images, asked %d", i + 1, images_of[i], per_id);
    CHECK(ordered, "splits are not in the order train, val, test");
    printf("%s dataset_matches_request_and_ground_truth\n", failures ? "FAIL" : "ok");
    for (int i = 0; truth && i < n_truth; i++) json_object_put(truth[i]);
    free(truth);
    free(images_of);
    json_object_put(root);
    return failures != 0;
}
