/* irra synth: writes a synthetic CUHK-PEDES-style dataset (reid_raw.json, imgs/, and the ground
 * truth in attributes.jsonl), or a contact sheet of it. */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/progress.h"
#include "train/synth_dataset.h"
#include "train/synth_png.h"
#include "train/synth_sheet.h"

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <json-c/json.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: irra synth -o DIR [--ids N] [--images-per-id K] [--size HxW] [--seed S]\n"
    "                  [--val-ids N] [--test-ids N] [--short-captions N] [--item-captions]\n"
    "                  [--item-twins N] [--cues[=L]] [--fashion-mnist DIR] [--force]\n"
    "       irra synth --contact-sheet FILE.png [--sheet-count N] [--size HxW] [--seed S]\n\n"
    "Writes a synthetic person-description dataset in the CUHK-PEDES layout: DIR/reid_raw.json,\n"
    "DIR/imgs/{train,val,test}/ID_SHOT.png and DIR/attributes.jsonl (the ground truth of every\n"
    "image). People wear real Fashion-MNIST garments in named colours; two captions per image.\n"
    "The same seed gives identical files.\n\n"
    "  -o, --output DIR        where to write the dataset: a new or empty folder\n"
    "  --force                 write into a folder that is not empty (replacing its\n"
    "                          reid_raw.json, attributes.jsonl and imgs/)\n"
    "  --ids N                 identities (default 1000)\n"
    "  --images-per-id K       images of each identity (default 4)\n"
    "  --size HxW              image size, 3:1, from 96x32 to 384x128 (default 384x128)\n"
    "  --seed S                random seed (default 1)\n"
    "  --val-ids N             identities in the val split (default ids/10)\n"
    "  --test-ids N            identities in the test split (default ids/10)\n"
    "  --short-captions N      add N short captions, as searchers type them (\"a woman in a\n"
    "                          red coat carrying a black bag\"), to every training image;\n"
    "                          0 to 4 (default 0). Val and test keep two captions each\n"
    "  --item-captions         add one short caption for each worn item (top or dress,\n"
    "                          trousers, shoes, bag) to every training image, naming that\n"
    "                          item alone with its colour (\"a person wearing red sneakers\")\n"
    "  --item-twins N          add N training identities, each a copy of one of the --ids\n"
    "                          training identities with one small item changed (the top's\n"
    "                          type, the shoes' type or colour, the bag): hard negatives for\n"
    "                          what the main colours do not tell apart. Every other file is\n"
    "                          as without them (default 0)\n"
    "  --cues                  draw what tells the types of top and footwear and the genders\n"
    "                          apart: men's broad shoulders and women's narrow ones, a\n"
    "                          coat's open front, a shirt's collar and buttons, a\n"
    "                          pullover's ribbed hem, skin between a sandal's straps, a\n"
    "                          sneaker's white sole, an ankle boot's high shaft; larger\n"
    "                          shoes and bags. The same people, attributes and captions\n"
    "                          as without it. --cues=2 (bold) draws the marks thicker, the\n"
    "                          women narrower, coats longer, shoes larger and boots\n"
    "                          higher, and hangs the bag over the hip, inside the frame\n"
    "  --fashion-mnist DIR     the Fashion-MNIST IDX files (default " SYN_FMNIST_DIR ")\n"
    "  --contact-sheet FILE    write a PNG grid of people with their captions instead\n"
    "  --sheet-count N         people on the contact sheet (default 12)\n";

typedef struct {
    const char *out, *sheet, *fmnist;
    int ids, per_id, h, w, val, test, sheet_n, force, n_short, items, twins, cues;
    unsigned long long seed;
} options;

static int parse_int(const char *s, const char *what, int lo, int hi, int *out)
{
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (errno || end == s || *end || v < lo || v > hi)
        return cli_error("synth: %s '%s' is not a number from %d to %d", what, s, lo, hi);
    *out = (int)v;
    return 0;
}

static int parse_options(int argc, char **argv, options *o)
{
    enum { IDS = 256, PER_ID, SIZE, SEED, VAL, TEST, FMNIST, SHEET, SHEET_N, FORCE, SHORT, ITEMS,
           TWINS, CUES };
    static const struct option longs[] = {
        {"output", required_argument, 0, 'o'}, {"ids", required_argument, 0, IDS},
        {"images-per-id", required_argument, 0, PER_ID}, {"size", required_argument, 0, SIZE},
        {"seed", required_argument, 0, SEED}, {"val-ids", required_argument, 0, VAL},
        {"test-ids", required_argument, 0, TEST}, {"fashion-mnist", required_argument, 0, FMNIST},
        {"contact-sheet", required_argument, 0, SHEET},
        {"sheet-count", required_argument, 0, SHEET_N}, {"force", no_argument, 0, FORCE},
        {"short-captions", required_argument, 0, SHORT}, {"item-captions", no_argument, 0, ITEMS},
        {"item-twins", required_argument, 0, TWINS}, {"cues", optional_argument, 0, CUES}, {0, 0, 0, 0}};
    *o = (options){.fmnist = SYN_FMNIST_DIR, .ids = 1000, .per_id = 4, .h = 384, .w = 128,
                   .val = -1, .test = -1, .sheet_n = 12, .seed = 1};
    optind = 1;
    opterr = 0;
    for (int c; (c = getopt_long(argc, argv, "o:", longs, NULL)) != -1;) {
        int rc = 0;
        char *end;
        switch (c) {
        case 'o': o->out = optarg; break;
        case IDS: rc = parse_int(optarg, "--ids", 1, 10000000, &o->ids); break;
        case PER_ID: rc = parse_int(optarg, "--images-per-id", 1, 1000, &o->per_id); break;
        case VAL: rc = parse_int(optarg, "--val-ids", 0, 10000000, &o->val); break;
        case TEST: rc = parse_int(optarg, "--test-ids", 0, 10000000, &o->test); break;
        case SHORT: rc = parse_int(optarg, "--short-captions", 0, SYN_MAX_SHORT, &o->n_short); break;
        case TWINS: rc = parse_int(optarg, "--item-twins", 0, 10000000, &o->twins); break;
        case SHEET_N: rc = parse_int(optarg, "--sheet-count", 1, 1000, &o->sheet_n); break;
        case FMNIST: o->fmnist = optarg; break;
        case FORCE: o->force = 1; break;
        case ITEMS: o->items = 1; break;
        case CUES: rc = optarg ? parse_int(optarg, "--cues", 0, 2, &o->cues) : (o->cues = 1, 0); break;
        case SHEET: o->sheet = optarg; break;
        case SEED:
            errno = 0;
            o->seed = strtoull(optarg, &end, 10);
            if (errno || end == optarg || *end || *optarg == '-')
                return cli_error("synth: --seed '%s' is not a non-negative number", optarg);
            break;
        case SIZE:
            if (sscanf(optarg, "%dx%d%n", &o->h, &o->w, &rc) != 2 || optarg[rc] ||
                o->w < 32 || o->w > 128 || o->h != 3 * o->w)
                return cli_error("synth: --size '%s' is not HxW with H = 3W, 96x32 to 384x128", optarg);
            rc = 0;
            break;
        default:
            return cli_bad_option("synth", "irra synth --help", "o:", argv);
        }
        if (rc) return rc;
    }
    if (optind < argc) return cli_error("synth: unexpected argument '%s'", argv[optind]);
    if (!o->out && !o->sheet) return cli_error("synth: give -o DIR or --contact-sheet FILE.png");
    if (o->val < 0) o->val = o->ids / 10;
    if (o->test < 0) o->test = o->ids / 10;
    return 0;
}

static int make_dir(const char *path)
{
    if (mkdir(path, 0755) == 0 || errno == EEXIST) return 0;
    return cli_error("synth: %s: cannot create folder (%s)", path, strerror(errno));
}

static int make_dirs(const char *out)
{
    char path[4096];
    if (make_dir(out)) return CLI_EXIT_ERROR;
    snprintf(path, sizeof path, "%s/imgs", out);
    if (make_dir(path)) return CLI_EXIT_ERROR;
    for (int s = 0; s < 3; s++) {
        snprintf(path, sizeof path, "%s/imgs/%s", out, syn_split_name[s]);
        if (make_dir(path)) return CLI_EXIT_ERROR;
    }
    return 0;
}

/* Renders and writes every image on all threads; each thread owns a pixel buffer and a PNG
 * encoder. */
static int write_images(const syn_dataset *d, const char *out)
{
    long n = syn_n_images(d), done = 0;
    int failed = 0;
    char bad[4200] = "";
    progress pr;
    progress_start(&pr, "synth", "images", n);
#pragma omp parallel
    {
        uint8_t *rgb = malloc((size_t)d->h * d->w * 3);
        syn_png *png = syn_png_new(d->w, d->h);
        char path[4200], rel[64];
#pragma omp for schedule(dynamic, 16)
        for (long i = 0; i < n; i++) {
            int stop;
#pragma omp atomic read
            stop = failed;
            if (stop) continue;
            syn_image_path(d, i, rel, sizeof rel);
            snprintf(path, sizeof path, "%s/imgs/%s", out, rel);
            if (!rgb || !png || syn_image_render(d, i, rgb) < 0 ||
                syn_png_write(png, path, rgb) < 0) {
#pragma omp critical(synth_error)
                if (!failed) {
                    snprintf(bad, sizeof bad, "%s", path);
                    failed = 1;
                }
                continue;
            }
            long now;
#pragma omp atomic capture
            now = ++done;
            if (omp_get_thread_num() == 0) progress_update(&pr, now);
        }
        free(rgb);
        syn_png_free(png);
    }
    if (failed) return cli_error("synth: %s: cannot render or write the image", bad);
    progress_update(&pr, done);
    progress_finish(&pr);
    return 0;
}

static json_object *tokens_of(const char *caption);

static void add_token(const char *tok, size_t len, void *ctx)
{
    if (len == 1 && strchr(".!?;", *tok)) return;
    char word[64];
    if (len >= sizeof word) len = sizeof word - 1;
    for (size_t i = 0; i < len; i++) word[i] = (char)(tok[i] >= 'A' && tok[i] <= 'Z' ? tok[i] + 32 : tok[i]);
    json_object_array_add(ctx, json_object_new_string_len(word, (int)len));
}

static json_object *tokens_of(const char *caption)
{
    json_object *a = json_object_new_array();
    syn_tokenize(caption, add_token, a);
    return a;
}

static json_object *entry_of(const syn_dataset *d, long img)
{
    char path[64], cap[SYN_MAX_CAPTIONS][SYN_CAPTION_MAX];
    int id = (int)(img / d->per_id);
    syn_image_path(d, img, path, sizeof path);
    int n_caps = syn_image_captions(d, img, cap);
    json_object *o = json_object_new_object(), *caps = json_object_new_array(),
                *toks = json_object_new_array();
    for (int j = 0; j < n_caps; j++) {
        json_object_array_add(caps, json_object_new_string(cap[j]));
        json_object_array_add(toks, tokens_of(cap[j]));
    }
    json_object_object_add(o, "split", json_object_new_string(syn_split_name[syn_split_of(d, id)]));
    json_object_object_add(o, "captions", caps);
    json_object_object_add(o, "file_path", json_object_new_string(path));
    json_object_object_add(o, "processed_tokens", toks);
    json_object_object_add(o, "id", json_object_new_int(syn_file_id(d, id) + 1));
    return o;
}

static json_object *piece_of(const syn_piece *pc, int test_pool)
{
    if (pc->cls < 0) return NULL;
    json_object *o = json_object_new_object();
    json_object_object_add(o, "type", json_object_new_string(syn_class_name[pc->cls]));
    json_object_object_add(o, "colour", json_object_new_string(syn_colour_name[pc->colour]));
    json_object_object_add(o, "fashion_mnist", json_object_new_string(test_pool ? "t10k" : "train"));
    json_object_object_add(o, "item", json_object_new_int(pc->item));
    return o;
}


/* A fraction in [0, 1] as JSON with 4 decimals ("0.0593", not 0.059299999999999999). */
static json_object *fraction(float v)
{
    char s[16];
    snprintf(s, sizeof s, "%.4f", v);
    return json_object_new_double_s(strtod(s, NULL), s);
}
static json_object *truth_of(const syn_dataset *d, long img)
{
    int id = (int)(img / d->per_id), test_pool = syn_split_of(d, id) != SYN_TRAIN;
    const syn_person *p = &d->people[id];
    syn_nuisance nu;
    syn_image_nuisance(d, img, &nu);
    char path[64];
    syn_image_path(d, img, path, sizeof path);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "file_path", json_object_new_string(path));
    json_object_object_add(o, "id", json_object_new_int(syn_file_id(d, id) + 1));
    json_object_object_add(o, "gender", json_object_new_string(p->gender == SYN_MAN ? "man" : "woman"));
    json_object_object_add(o, "build", json_object_new_string(syn_build_name[p->build]));
    json_object_object_add(o, "skin", json_object_new_string(syn_skin_name[p->skin]));
    json_object_object_add(o, "hair_style", json_object_new_string(syn_hair_style_name[p->hair_style]));
    json_object_object_add(o, "hair_colour",
                           p->hair_style == SYN_HAIR_BALD ? NULL
                           : json_object_new_string(syn_hair_colour_name[p->hair_colour]));
    json_object_object_add(o, "upper", piece_of(&p->upper, test_pool));
    json_object_object_add(o, "lower", piece_of(&p->lower, test_pool));
    json_object_object_add(o, "shoes", piece_of(&p->shoes, test_pool));
    json_object_object_add(o, "bag", piece_of(&p->bag, test_pool));
    json_object_object_add(o, "parent_id", p->parent < 0 ? NULL : json_object_new_int(syn_file_id(d, p->parent) + 1));
    json_object_object_add(o, "differs", p->differs ? json_object_new_string(p->differs) : NULL);
    json_object_object_add(o, "flip", json_object_new_boolean(nu.flip));
    json_object_object_add(o, "occluded", json_object_new_boolean(nu.occluder));
    json_object_object_add(o, "blur", json_object_new_boolean(nu.blur));
    /* where the person stands, as fractions of the image height (top of the head to the soles):
     * what tells the upper body from the lower in a heatmap */
    json_object *body = json_object_new_object();
    json_object_object_add(body, "top", fraction(nu.top));
    json_object_object_add(body, "bottom", fraction(nu.top + nu.height));
    json_object_object_add(o, "body", body);
    return o;
}

/* Writes the file through a temporary and a rename, so an interrupted run never leaves a
 * half-written one. jsonl: one object a line; otherwise one JSON array; images in the order
 * of their file identities. */
static int write_json(const syn_dataset *d, const char *out, const char *name, int jsonl,
                      json_object *(*make)(const syn_dataset *, long))
{
    char path[4200], tmp[4300];
    snprintf(path, sizeof path, "%s/%s", out, name);
    snprintf(tmp, sizeof tmp, "%s.tmp", path);
    FILE *f = fopen(tmp, "w");
    if (!f) return cli_error("synth: %s: cannot write (%s)", tmp, strerror(errno));
    if (!jsonl) fputs("[\n", f);
    for (long i = 0, n = syn_n_images(d); i < n; i++) {
        json_object *o = make(d, (long)syn_id_at(d, (int)(i / d->per_id)) * d->per_id + i % d->per_id);
        fputs(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE), f);
        fputs(jsonl ? "\n" : i + 1 < n ? ",\n" : "\n", f);
        json_object_put(o);
    }
    if (!jsonl) fputs("]\n", f);
    if (ferror(f) | fclose(f)) {
        remove(tmp);
        return cli_error("synth: %s: write failed", tmp);
    }
    if (rename(tmp, path)) return cli_error("synth: %s: cannot rename to %s", tmp, path);
    return 0;
}

/* The output must be new or an empty folder unless --force: -o pointed at a real dataset would
 * replace its reid_raw.json. */
static int check_output(const char *out, int force)
{
    struct stat st;
    if (stat(out, &st) != 0) return 0;
    if (!S_ISDIR(st.st_mode)) return cli_error("synth: %s: exists and is not a folder", out);
    DIR *dir = opendir(out);
    if (!dir) return cli_error("synth: %s: cannot read the folder (%s)", out, strerror(errno));
    struct dirent *de;
    int empty = 1;
    while (empty && (de = readdir(dir)))
        empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
    closedir(dir);
    if (empty || force) return 0;
    return cli_error("synth: %s: the folder is not empty (--force writes into it, replacing a "
                     "dataset there)", out);
}

/* An empty split builds no gallery and evaluates nothing: say so while it can be changed. */
static void warn_empty_splits(const syn_dataset *d)
{
    const char *name[2] = {"val", "test"};
    const int n[2] = {d->n_val, d->n_test};
    for (int s = 0; s < 2; s++)
        if (n[s] == 0)
            fprintf(stderr, "irra: warning: synth: the %s split has no identities (--ids %d gives "
                            "%d train, %d val, %d test; set --%s-ids or raise --ids)\n",
                    name[s], d->n_ids - d->n_twins, d->n_train - d->n_twins, d->n_val, d->n_test,
                    name[s]);
}

static int write_dataset(const syn_dataset *d, const char *out, int force)
{
    char path[4200];
    if (check_output(out, force) || make_dirs(out)) return CLI_EXIT_ERROR;
    warn_empty_splits(d);
    /* A reid_raw.json from an earlier run would describe images this run is replacing. */
    snprintf(path, sizeof path, "%s/reid_raw.json", out);
    if (remove(path) && errno != ENOENT) return cli_error("synth: %s: cannot remove", path);
    int rc = write_images(d, out);
    if (!rc) rc = write_json(d, out, "attributes.jsonl", 1, truth_of);
    if (!rc) rc = write_json(d, out, "reid_raw.json", 0, entry_of);
    char safe[4200], twins[64] = "";
    if (d->n_twins) snprintf(twins, sizeof twins, ", %d of them item twins", d->n_twins);
    if (!rc)
        fprintf(stderr, "synth: %s: %d identities (%d train%s, %d val, %d test), %ld images %dx%d\n",
                cli_safe(out, safe, sizeof safe), d->n_ids, d->n_train, twins, d->n_val, d->n_test,
                syn_n_images(d), d->h, d->w);
    return rc;
}

int cmd_synth(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    options o;
    int rc = parse_options(argc, argv, &o);
    if (rc) return rc;
    syn_dataset d;
    irra_err e;
    int ids = o.ids;
    if (o.sheet && !o.out && ids < o.sheet_n) ids = o.sheet_n;
    if (syn_dataset_init(&d, o.fmnist, ids, o.val, o.test, o.twins, o.per_id, o.h, o.w, o.seed, &e) < 0)
        return cli_error("%s", e.msg);
    d.n_short = o.n_short;
    d.item_captions = o.items;
    d.cues = o.cues;
    if (o.sheet && syn_contact_sheet(&d, o.sheet_n < d.n_ids ? o.sheet_n : d.n_ids, 6, o.sheet, &e) < 0)
        rc = cli_error("%s", e.msg);
    if (!rc && o.out) rc = write_dataset(&d, o.out, o.force);
    syn_dataset_free(&d);
    return rc;
}
