/* irra gallery build | info: make a gallery from a folder or a dataset split, and summarise one. */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/progress.h"
#include "gallery/build.h"
#include "gallery/dataset.h"
#include "gallery/gallery_cmd.h"
#include "cmd/model_opts.h"
#include "model/safe_text.h"

#include <errno.h>
#include <getopt.h>
#include <libdeflate.h>
#include <json-c/json.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char usage[] =
    "usage: irra gallery build [--model M] (--images DIR | --dataset F:DIR [--split S]) -o G.db\n"
    "       irra gallery info [--json] G.db\n\n"
    "build encodes every image of a folder (recursively) or of a dataset split into G.db, with\n"
    "a thumbnail, the dataset captions and identities. Each batch is committed on its own: an\n"
    "interrupted build resumes where it stopped. Built again from a folder, it encodes new and\n"
    "changed files (size, time, then content), drops the images of deleted ones, and prints\n"
    "the counts. WebP and TIFF are read, as are the formats of stb_image.\n\n"
    "  --images DIR       a folder of images\n"
    "  --dataset F:DIR    cuhk-pedes:DIR, icfg-pedes:DIR or rstpreid:DIR (DIR holds the\n"
    "                     annotation file and imgs/)\n"
    "  --split S          test (default), val or train\n"
    "  -o, --output G.db  the gallery file (created, or resumed)\n"
    "  --batch N          images per encoder call and per transaction (default 16)\n"
    "  -q, --quiet        no progress bar, no summary\n" CLI_MODEL_USAGE;

/* The source recorded in the gallery: "images:/abs/dir" or "cuhk-pedes:/abs/dir". */
static void source_name(const gal_dataset *d, char *buf, size_t n)
{
    static const char *kind[] = {"images", "cuhk-pedes", "icfg-pedes", "rstpreid"};
    snprintf(buf, n, "%s:%s", kind[d->kind], d->root);
}

/* A content hash of a file (CRC-32 and Adler-32 of its bytes), for telling a touched file from a
 * changed one. */
static int file_hash(const char *path, char out[40], irra_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return irra_fail(e, "%s: %s", path, strerror(errno));
    unsigned char buf[1 << 16];
    uint32_t crc = 0, adler = 1;
    size_t n;
    while ((n = fread(buf, 1, sizeof buf, f)) > 0) {
        crc = libdeflate_crc32(crc, buf, n);
        adler = libdeflate_adler32(adler, buf, n);
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) return irra_fail(e, "%s: read error", path);
    snprintf(out, 40, "%08x%08x", (unsigned)crc, (unsigned)adler);
    return 0;
}

static int by_path(const void *a, const void *b)
{
    return strcmp(((const gal_file *)a)->path, ((const gal_file *)b)->path);
}

/* Brings a folder gallery in line with the folder, as rclip does: a new file is added; a file
 * whose size or modification time differs from the recorded ones is hashed, and re-encoded when
 * its content changed (its feature and thumbnail are dropped, so the build encodes it); the
 * images of vanished files are deleted. Runs inside the caller's transaction. */
static int sync_folder(gal_store *s, const gal_dataset *d, gal_list_stats *ls, irra_err *e)
{
    gal_file *have;
    int nhave;
    if (gal_store_files(s, &have, &nhave, e)) return -1;
    char *seen = calloc(nhave ? (size_t)nhave : 1, 1);
    if (!seen) {
        gal_files_free(have, nhave);
        return irra_fail(e, "out of memory");
    }
    int rc = 0;
    for (int i = 0; !rc && i < d->n_images; i++) {
        const gal_ds_image *im = &d->images[i];
        struct stat sb;
        char hash[40];
        if (stat(im->path, &sb) != 0) continue; /* gone since it was listed */
        int64_t mtime = (int64_t)sb.st_mtim.tv_sec * 1000000000 + sb.st_mtim.tv_nsec, id;
        gal_file key = {.path = im->rel};
        gal_file *f = bsearch(&key, have, (size_t)nhave, sizeof *have, by_path);
        if (f) seen[f - have] = 1;
        if (f && f->tracked && f->size == (int64_t)sb.st_size && f->mtime == mtime) {
            ls->unchanged++;
            continue;
        }
        if (file_hash(im->path, hash, e)) {
            /* unreadable: the build reports it (and keeps what it had of a known file) */
            if (f) {
                ls->unchanged++;
            } else {
                rc = gal_store_add_image(s, im->rel, im->pid, im->camera, &id, NULL, e);
                ls->added++;
            }
            continue;
        }
        if (!f) {
            rc = gal_store_add_image(s, im->rel, im->pid, im->camera, &id, NULL, e);
            ls->added++;
        } else {
            id = f->id;
            if (f->tracked && !strcmp(f->hash, hash)) {
                ls->unchanged++; /* touched, same bytes */
            } else {
                rc = gal_store_forget_encoding(s, id, e);
                ls->changed++;
            }
        }
        if (!rc) rc = gal_store_put_file(s, id, (int64_t)sb.st_size, mtime, hash, e);
    }
    for (int i = 0; !rc && i < nhave; i++)
        if (!seen[i]) {
            rc = gal_store_remove_image(s, have[i].id, e);
            ls->removed++;
        }
    free(seen);
    gal_files_free(have, nhave);
    return rc;
}

/* Adds the dataset's images and captions in one transaction. A dataset is listed once (its
 * captions would otherwise repeat); a folder is brought in line with its files on every build. */
static int list_source(gal_store *s, const gal_dataset *d, gal_list_stats *ls, irra_err *e)
{
    char listed[8], src[1100], have[1100], split[16], root[1100];
    source_name(d, src, sizeof src);
    if (gal_store_meta_get(s, "source", have, sizeof have, e) ||
        gal_store_meta_get(s, "split", split, sizeof split, e) ||
        gal_store_meta_get(s, "listed", listed, sizeof listed, e))
        return -1;
    if (have[0] && (strcmp(have, src) || strcmp(split, d->split)))
        return irra_fail(e, "%s: this gallery holds %s%s%s, not %s%s%s", gal_store_path(s), have,
                         split[0] ? " split " : "", split, src, d->split[0] ? " split " : "",
                         d->split);
    memset(ls, 0, sizeof *ls);
    if (d->kind != GAL_DS_FOLDER && listed[0]) {
        ls->unchanged = d->n_images;
        return 0;
    }
    snprintf(root, sizeof root, d->kind == GAL_DS_FOLDER ? "%s" : "%s/imgs", d->root);
    int64_t *ids = malloc((d->n_images ? (size_t)d->n_images : 1) * sizeof *ids);
    if (!ids) return irra_fail(e, "out of memory");
    int rc = gal_store_begin(s, e);
    if (!rc && d->kind == GAL_DS_FOLDER) rc = sync_folder(s, d, ls, e);
    for (int i = 0; !rc && d->kind != GAL_DS_FOLDER && i < d->n_images; i++) {
        int is_new;
        const gal_ds_image *im = &d->images[i];
        rc = gal_store_add_image(s, im->rel, im->pid, im->camera, &ids[i], &is_new, e);
        ls->added += is_new;
    }
    for (int i = 0; !rc && i < d->n_captions; i++)
        rc = gal_store_add_caption(s, ids[d->captions[i].image], d->captions[i].pid,
                                   d->captions[i].text, e);
    free(ids);
    if (!rc)
        rc = gal_store_meta_set(s, "source", src, e) ||
             gal_store_meta_set(s, "split", d->split, e) ||
             gal_store_meta_set(s, "root", root, e) || gal_store_meta_set(s, "listed", "1", e) ||
             gal_store_meta_set(s, "build", "incomplete", e) || gal_store_commit(s, e);
    return rc ? -1 : 0;
}

/* The progress bar shows only on a terminal without --quiet: scripts and logs see nothing but
 * warnings and errors. */
typedef struct {
    progress bar;
    int show, started;
} build_ui;

static void on_progress(void *ctx, int done, int total)
{
    build_ui *u = ctx;
    if (!u->show) return;
    if (!u->started) progress_start(&u->bar, "encoding", "images", total);
    u->started = 1;
    progress_update(&u->bar, done);
}

static void on_skipped(void *ctx, const char *msg)
{
    build_ui *u = ctx;
    if (u->started) fputs("\r\033[K", stderr); /* the warning replaces the bar's line */
    char safe[4200];
    fprintf(stderr, "irra: warning: skipped %s\n", cli_safe(msg, safe, sizeof safe));
}

void gal_cmd_print_warnings(const gal_dataset *d)
{
    char safe[4200];
    for (int i = 0; i < d->n_warnings && i < GAL_DS_MAX_WARNINGS; i++)
        fprintf(stderr, "irra: warning: %s\n", cli_safe(d->warnings[i], safe, sizeof safe));
    if (d->n_warnings > GAL_DS_MAX_WARNINGS)
        fprintf(stderr, "irra: warning: %d captions repaired in all\n", d->n_warnings);
}

int gal_cmd_build_gallery(irra_model *m, const char *model_path, gal_dataset *d, const char *out,
                          int batch, int quiet, gal_list_stats *ls, gal_build_stats *st)
{
    if (d->n_images == 0) {
        char src[1100];
        source_name(d, src, sizeof src);
        if (d->kind == GAL_DS_FOLDER)
            return cli_error("%s: no image files in the folder (nothing to build)", d->root);
        return cli_error("%s: the %s split has no images (nothing to build)", src, d->split);
    }
    irra_err e;
    struct stat sb;
    int created = stat(out, &sb) != 0 || sb.st_size == 0;
    gal_cmd_print_warnings(d);
    gal_store *s = gal_store_open(out, 1, &e);
    int rc = CLI_EXIT_ERROR;
    char root[1100];
    /* The model first: nothing is added to a gallery that another model made. A gallery this
     * build created is removed when it fails before encoding; one that fails later stays marked
     * incomplete (meta build) for the next build to resume. */
    if (!s || gal_build_claim(s, m, model_path, &e) || list_source(s, d, ls, &e) ||
        gal_store_meta_get(s, "root", root, sizeof root, &e)) {
        cli_error("%s", e.msg);
        if (s && created) {
            gal_store_close(s);
            s = NULL;
            gal_store_remove(out);
        }
        goto done;
    }
    build_ui ui = {.show = !quiet && isatty(STDERR_FILENO)};
    gal_build_opts o = {root, batch, on_progress, on_skipped, &ui};
    int failed = gal_build_encode(s, m, model_path, &o, st, &e);
    if (ui.started) progress_finish(&ui.bar);
    if (failed) {
        cli_error("%s", e.msg);
        goto done;
    }
    if (st->skipped)
        fprintf(stderr, "irra: %d image%s could not be read and %s not in the gallery\n",
                st->skipped, st->skipped == 1 ? "" : "s", st->skipped == 1 ? "is" : "are");
    rc = 0;
done:
    gal_store_close(s);
    return rc;
}

static int build(int argc, char **argv)
{
    static const struct option longopts[] = {
        CLI_MODEL_LONGOPTS,
        {"images", required_argument, NULL, 'i'},
        {"dataset", required_argument, NULL, 'd'},
        {"split", required_argument, NULL, 's'},
        {"output", required_argument, NULL, 'o'},
        {"batch", required_argument, NULL, 'b'},
        {"quiet", no_argument, NULL, 'q'},
        {NULL, 0, NULL, 0},
    };
    cli_model_opts ma = {0};
    const char *images = NULL, *dataset = NULL, *split = "test", *out = NULL;
    int batch = 16, quiet = 0, c, r;
    optind = 1;
    while ((c = getopt_long(argc, argv, "o:q", longopts, NULL)) != -1) {
        if ((r = cli_model_opt(&ma, c, optarg))) {
            if (r < 0) return CLI_EXIT_ERROR;
            continue;
        }
        switch (c) {
        case 'i': images = optarg; break;
        case 'd': dataset = optarg; break;
        case 's': split = optarg; break;
        case 'o': out = optarg; break;
        case 'q': quiet = 1; break;
        case 'b':
            batch = atoi(optarg);
            if (batch < 1 || batch > 4096) return cli_error("--batch: '%s' is not 1..4096", optarg);
            break;
        default: return cli_bad_option("gallery build", "irra gallery --help", "o:q", argv);
        }
    }
    if (optind < argc) return cli_error("gallery build: unexpected argument '%s'", argv[optind]);
    if (!out) return cli_error("gallery build: no output: pass -o G.db");
    if (!images == !dataset) return cli_error("gallery build: pass one of --images DIR, --dataset F:DIR");
    irra_err e;
    gal_dataset *d = images ? gal_dataset_open_folder(images, &e) : gal_dataset_open(dataset, split, &e);
    if (!d) return cli_error("%s", e.msg);
    char mbuf[4096];
    const char *mpath = cli_model_file(&ma, mbuf, sizeof mbuf);
    irra_model *m = mpath ? cli_model_load(&ma) : NULL;
    gal_build_stats st;
    gal_list_stats ls;
    int rc = m ? gal_cmd_build_gallery(m, mpath, d, out, batch, quiet, &ls, &st) : CLI_EXIT_ERROR;
    if (!rc && !quiet)
        printf("%s: %d new, %d changed, %d removed, %d unchanged images; %d encoded, %d unreadable\n",
               out, ls.added, ls.changed, ls.removed, ls.unchanged, st.encoded, st.skipped);
    irra_model_free(m);
    gal_dataset_free(d);
    return rc;
}

static void print_info_json(const char *path, const gal_info *in, int failed)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "gallery", json_object_new_string(path));
    json_object_object_add(o, "source", json_object_new_string(in->source));
    json_object_object_add(o, "split", json_object_new_string(in->split));
    json_object_object_add(o, "images", json_object_new_int(in->n_images));
    json_object_object_add(o, "encoded", json_object_new_int(in->n_encoded));
    json_object_object_add(o, "unreadable", json_object_new_int(failed));
    json_object_object_add(o, "identities", json_object_new_int(in->n_identities));
    json_object_object_add(o, "captions", json_object_new_int(in->n_captions));
    json_object_object_add(o, "model", json_object_new_string(in->model_path));
    json_object_object_add(o, "fingerprint", json_object_new_string(in->model_fingerprint));
    json_object_object_add(o, "dim", json_object_new_int(in->dim));
    json_object_object_add(o, "complete", json_object_new_boolean(!in->incomplete));
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

static int info(int argc, char **argv)
{
    int json = 0, c;
    static const struct option longopts[] = {{"json", no_argument, NULL, 'j'}, {NULL, 0, NULL, 0}};
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        if (c != 'j') return cli_bad_option("gallery info", "irra gallery --help", "", argv);
        json = 1;
    }
    if (optind != argc - 1) return cli_error("gallery info: pass one gallery file");
    irra_err e;
    gal_store *s = gal_store_open(argv[optind], 0, &e);
    gal_info in;
    int failed = 0;
    if (!s || gal_store_info(s, &in, &e) || gal_store_n_failed(s, &failed, &e)) {
        gal_store_close(s);
        return cli_error("%s", e.msg);
    }
    gal_store_close(s);
    /* meta values are the gallery's text: made safe in place for the terminal */
    char *meta[] = {in.source, in.split, in.model_path, in.model_fingerprint};
    for (int i = 0; i < 4 && !json; i++) irra_safe_text(meta[i], strlen(meta[i]) + 1, meta[i]);
    char g[4200];
    if (json)
        print_info_json(argv[optind], &in, failed);
    else
        printf("gallery     %s\nsource      %s%s%s\nimages      %d (%d encoded, %d unreadable)\n"
               "identities  %d\ncaptions    %d\nmodel       %s (fingerprint %s)\nfeatures    %d-d\n",
               cli_safe(argv[optind], g, sizeof g), in.source[0] ? in.source : "(none)",
               in.split[0] ? ", split " : "", in.split, in.n_images, in.n_encoded, failed,
               in.n_identities, in.n_captions, in.model_path[0] ? in.model_path : "(none)",
               in.model_fingerprint[0] ? in.model_fingerprint : "-", in.dim);
    if (!json && in.incomplete)
        printf("status      INCOMPLETE: a build did not finish (irra gallery build again resumes it)\n");
    return 0;
}

int cmd_gallery(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    if (argc < 2) return cli_error("gallery: pass build or info (irra gallery --help)");
    if (!strcmp(argv[1], "build")) return build(argc - 1, argv + 1);
    if (!strcmp(argv[1], "info")) return info(argc - 1, argv + 1);
    return cli_error("gallery: no subcommand '%s' (build or info)", argv[1]);
}
