/* Training curves: the record, its JSONL reader, and the PNG that PLplot draws of it (the size,
 * ink in every panel, nothing printed, no exit, whatever the values). */
#include "model/image.h"
#include "tests/check.h"
#include "train/curves.h"

#include <dirent.h>
#include <pthread.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/irra_test_curves_XXXXXX";

static const char *tmp(const char *name)
{
    static char buf[4][256];
    static int i;
    i = (i + 1) % 4;
    snprintf(buf[i], sizeof buf[i], "%s/%s", dir, name);
    return buf[i];
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "wb");
    fputs(text, f);
    fclose(f);
}

/* irra_curves_png with stdout and stderr sent to a file, which must stay empty: PLplot's
 * habit is to print. */
static int draw_quietly(const irra_curves *c, const char *path, const char *title, irra_err *e)
{
    fflush(stdout);
    fflush(stderr);
    int out = dup(1), err = dup(2), fd = open(tmp("printed"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, 1);
    dup2(fd, 2);
    int rc = irra_curves_png(c, path, title, e);
    fflush(stdout);
    fflush(stderr);
    dup2(out, 1);
    dup2(err, 2);
    close(out), close(err), close(fd);
    struct stat st;
    EXPECTF(stat(tmp("printed"), &st) == 0 && st.st_size == 0, "%lld bytes printed",
            (long long)st.st_size);
    return rc;
}

/* Panels in image pixels (x0, y0, x1, y1 from the top left), from the viewports of
 * curves_plot.c; the validation panel without its legend corner. */
static const int PANELS[3][4] = {{90, 130, 905, 350}, {90, 486, 558, 730}, {690, 486, 1000, 730}};

/* Pixels of a series colour (saturated; axes, grid and text are grey) inside a panel. */
static long coloured(const irra_image *im, const int *r)
{
    long n = 0;
    for (int y = r[1]; y < r[3]; y++)
        for (int x = r[0]; x < r[2]; x++) {
            const unsigned char *p = im->rgb + ((size_t)y * (size_t)im->w + (size_t)x) * 3;
            int mx = p[0] > p[1] ? p[0] : p[1], mn = p[0] < p[1] ? p[0] : p[1];
            mx = p[2] > mx ? p[2] : mx, mn = p[2] < mn ? p[2] : mn;
            n += mx - mn >= 60;
        }
    return n;
}

/* Decodes path, expects 1200 x 800, and returns the coloured pixels of each panel. */
static int load_png(const char *path, long ink[3])
{
    irra_image im;
    irra_err e;
    if (irra_image_load(path, &im, &e) != 0) {
        EXPECTF(0, "%s", e.msg);
        return -1;
    }
    EXPECTF(im.w == 1200 && im.h == 800, "%d x %d", im.w, im.h);
    for (int i = 0; i < 3; i++) ink[i] = im.w == 1200 && im.h == 800 ? coloured(&im, PANELS[i]) : 0;
    irra_image_free(&im);
    return 0;
}

/* A fine-tuning run: four loss parts decaying with noise, warmup then cosine, ten epochs. */
static void make_run(irra_curves *c, int nsteps, int nepochs)
{
    static const char *const names[4] = {"loss", "sdm_loss", "id_loss", "mlm_loss"};
    unsigned r = 1;
    irra_err e;
    for (int k = 0; k < nsteps; k++) {
        double t = (double)k / nsteps, v[4], ep = t * nepochs;
        r = r * 1664525u + 1013904223u;
        double noise = ((r >> 8) & 0xffff) / 65536.0 - 0.5;
        v[1] = 12 * exp(-5 * t) + 0.3 + 0.4 * noise;
        v[2] = 9 * exp(-3 * t) + 0.05;
        v[3] = 6 * exp(-2 * t) + 1.5;
        v[0] = v[1] + v[2] + v[3];
        double lr = ep < 5 ? 1e-5 * (0.1 + 0.9 * ep / 5)
                           : 1e-5 * 0.5 * (1 + cos(M_PI * (ep - 5) / 5));
        EXPECT(irra_curves_add_step(c, k + 1, ep, lr, 4, names, v, &e) == 0);
    }
    for (int ep = 1; ep <= nepochs; ep++) {
        double g = 1 - exp(-ep / 3.0);
        irra_curves_eval ev = {ep, 60 * g, 80 * g, 50 * g, 25 * g, 10 * g};
        EXPECT(irra_curves_add_eval(c, &ev, &e) == 0);
    }
}

static int leftovers(void)
{
    DIR *d = opendir(dir);
    int n = 0;
    for (struct dirent *de; d && (de = readdir(d));) n += strstr(de->d_name, ".tmp.") != NULL;
    if (d) closedir(d);
    return n;
}

/* In a child: irra_curves_png with PLPLOT_DRV_DIR set to drv fails with a message naming
 * PLplot, prints nothing and returns (PLplot itself would print and call exit()). */
static void draw_without_drivers(const char *drv)
{
    pid_t pid = fork();
    if (pid == 0) {
        setenv("PLPLOT_DRV_DIR", drv, 1);
        irra_curves c;
        irra_curves_init(&c);
        irra_err e = {""};
        int rc = draw_quietly(&c, tmp("nodriver.png"), "t", &e);
        _exit(rc == -1 && strstr(e.msg, "PLplot") && access(tmp("nodriver.png"), F_OK) != 0 &&
                      !check_failed_now
                  ? 0
                  : 3);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    EXPECTF(WIFEXITED(st) && WEXITSTATUS(st) == 0, "%s: child status %d", drv, st);
}

/* Runs first, before this process has loaded PLplot's driver table (which it does once):
 * a folder without drivers is PLplot's exit(), a folder that is not there its abort. */
static void missing_driver_is_an_error_not_an_exit(void)
{
    mkdir(tmp("nodrivers"), 0755);
    draw_without_drivers(tmp("nodrivers"));
    draw_without_drivers(tmp("no/such/folder"));
    EXPECT(leftovers() == 0);
}

static void draws_every_panel_of_a_run(void)
{
    irra_curves c;
    irra_curves_init(&c);
    make_run(&c, 3000, 10);
    irra_err e;
    long ink[3];
    EXPECT(draw_quietly(&c, tmp("run.png"), "irra train: synth", &e) == 0);
    EXPECT(load_png(tmp("run.png"), ink) == 0);
    for (int i = 0; i < 3; i++) EXPECTF(ink[i] > 500, "panel %d: %ld coloured pixels", i, ink[i]);
    irra_curves_free(&c);
}

static void draws_empty_panels_before_the_first_step(void)
{
    irra_curves c;
    irra_curves_init(&c);
    irra_err e;
    long ink[3];
    EXPECT(draw_quietly(&c, tmp("empty.png"), NULL, &e) == 0);
    EXPECT(load_png(tmp("empty.png"), ink) == 0);
    for (int i = 0; i < 3; i++) EXPECTF(ink[i] == 0, "panel %d: %ld coloured pixels", i, ink[i]);
}

static void draws_a_single_step_and_epoch(void)
{
    irra_curves c;
    irra_curves_init(&c);
    make_run(&c, 1, 1);
    irra_err e;
    long ink[3];
    EXPECT(draw_quietly(&c, tmp("one.png"), "one", &e) == 0);
    EXPECT(load_png(tmp("one.png"), ink) == 0);
    for (int i = 0; i < 3; i++) EXPECTF(ink[i] > 5, "panel %d: %ld coloured pixels", i, ink[i]);
    irra_curves_free(&c);
}

/* NaN and infinite losses, a part that is NaN throughout, values all equal, values at the
 * edge of double range, a learning rate never logged and evaluations of NaN. */
static void draws_hostile_values(void)
{
    static const char *const names[4] = {"loss", "nan_loss", "flat_loss", "huge_loss"};
    irra_curves c;
    irra_curves_init(&c);
    irra_err e;
    for (int k = 0; k < 500; k++) {
        double v[4] = {k % 7 == 0 ? NAN : k % 11 == 0 ? INFINITY : 3.0 - k * 0.001, NAN, 2.5,
                       k % 2 ? 1e300 : -1e300};
        EXPECT(irra_curves_add_step(&c, k, NAN, NAN, 4, names, v, &e) == 0);
    }
    irra_curves_eval ev = {1, NAN, NAN, NAN, NAN, NAN};
    EXPECT(irra_curves_add_eval(&c, &ev, &e) == 0);
    long ink[3];
    EXPECT(draw_quietly(&c, tmp("hostile.png"), "hostile", &e) == 0);
    EXPECT(load_png(tmp("hostile.png"), ink) == 0);
    EXPECTF(ink[0] > 500, "%ld", ink[0]);

    /* Every value the same, and the same step: ranges of zero width. */
    irra_curves_free(&c);
    for (int k = 0; k < 50; k++) {
        double v[1] = {0};
        EXPECT(irra_curves_add_step(&c, k, 1, 0, 1, names + 2, v, &e) == 0);
    }
    ev = (irra_curves_eval){3, 0, 0, 0, 0, 0};
    EXPECT(irra_curves_add_eval(&c, &ev, &e) == 0);
    EXPECT(draw_quietly(&c, tmp("flat.png"), "flat", &e) == 0);
    EXPECT(load_png(tmp("flat.png"), ink) == 0);
    EXPECTF(ink[0] > 200 && ink[1] > 200, "%ld %ld", ink[0], ink[1]);
    irra_curves_free(&c);
}

/* PLplot's escapes ('#', and "#-" that makes the cairo driver warn), Pango markup, bytes that
 * are not UTF-8, control characters: drawn as text, nothing printed. */
static void title_and_names_are_text_not_markup(void)
{
    static const char *const names[2] = {"#-#b_loss", "<b>&amp;_loss"};
    irra_curves c;
    irra_curves_init(&c);
    irra_err e;
    double v[2] = {1, 2};
    EXPECT(irra_curves_add_step(&c, 1, 0, 1e-3, 2, names, v, &e) == 0);
    const char *title = "100% #- #b #u <i>&</i> \xff\xfe\x01 r\xc3\xa9seau";
    EXPECT(draw_quietly(&c, tmp("title.png"), title, &e) == 0);
    long ink[3];
    EXPECT(load_png(tmp("title.png"), ink) == 0);
    irra_curves_free(&c);
}

static void replaces_the_file_whole_or_not_at_all(void)
{
    irra_curves c;
    irra_curves_init(&c);
    make_run(&c, 100, 2);
    irra_err e;
    long ink[3];
    write_file(tmp("old.png"), "an older picture");
    EXPECT(draw_quietly(&c, tmp("old.png"), "again", &e) == 0);
    EXPECT(load_png(tmp("old.png"), ink) == 0);
    EXPECT(draw_quietly(&c, tmp("no/such/dir.png"), "x", &e) == -1);
    EXPECTF(strstr(e.msg, "no/such/dir.png") != NULL, "%s", e.msg);
    EXPECT(leftovers() == 0);
    irra_curves_free(&c);
}

/* A long run is bucketed to what the picture shows: drawing stays fast. */
static void draws_a_million_steps(void)
{
    irra_curves c;
    irra_curves_init(&c);
    make_run(&c, 1000000, 20);
    irra_err e;
    long ink[3];
    EXPECT(draw_quietly(&c, tmp("long.png"), "long", &e) == 0);
    EXPECT(load_png(tmp("long.png"), ink) == 0);
    for (int i = 0; i < 3; i++) EXPECTF(ink[i] > 500, "panel %d: %ld", i, ink[i]);
    irra_curves_free(&c);
}

static void record_limits_parts_and_names(void)
{
    static const char *const names[7] = {"a", "b", "c", "d", "e", "f", "g"};
    double v[7] = {0};
    irra_curves c;
    irra_curves_init(&c);
    irra_err e;
    EXPECT(irra_curves_add_step(&c, 1, 0, 0, 6, names, v, &e) == 0);
    EXPECT(irra_curves_add_step(&c, 2, 0, 0, 1, names + 6, v, &e) == -1);
    EXPECTF(strstr(e.msg, "more than 6") != NULL, "%s", e.msg);
    irra_curves_free(&c);
    const char *longname[1] = {"a_name_of_more_than_thirty_two_bytes_loss"};
    EXPECT(irra_curves_add_step(&c, 1, 0, 0, 1, longname, v, &e) == -1);
    irra_curves_free(&c);
}

static void jsonl_gives_steps_and_evaluations(void)
{
    write_file(tmp("log.jsonl"),
               "{\"step\":1,\"epoch\":0.5,\"loss\":9.5,\"sdm_loss\":6,\"id_loss\":3.5,\"lr\":1e-6,"
               "\"img_acc\":0.1,\"samples_per_s\":40}\n"
               "\n"
               "{\"event\":\"resume\",\"from\":\"ckpt\"}\n"
               "{\"step\":2,\"epoch\":1,\"loss\":NaN,\"sdm_loss\":null,\"id_loss\":Infinity,"
               "\"lr\":2e-6}\n"
               "{\"epoch\":1,\"eval\":{\"R1\":12.5,\"R5\":30,\"R10\":41,\"mAP\":11,\"mINP\":4}}\n");
    irra_curves c;
    irra_curves_init(&c);
    irra_err e = {""};
    EXPECTF(irra_curves_load_jsonl(&c, tmp("log.jsonl"), &e) == 0, "%s", e.msg);
    EXPECT(c.nsteps == 2 && c.nevals == 1 && c.nparts == 3);
    EXPECT(strcmp(c.names[0], "loss") == 0 && strcmp(c.names[2], "id_loss") == 0);
    EXPECT(c.step[0] == 1 && c.epoch[0] == 0.5 && c.lr[1] == 2e-6);
    EXPECT(c.loss[0] == 9.5 && c.loss[1] == 6 && c.loss[2] == 3.5);
    EXPECT(isnan(c.loss[6]) && isnan(c.loss[7]) && isinf(c.loss[8]) && c.logged[1] == 7);
    EXPECT(c.evals[0].epoch == 1 && c.evals[0].r1 == 12.5 && c.evals[0].minp == 4);
    irra_curves_free(&c);
}

/* A run resumed from a checkpoint at step 2 logs steps 3.. again; epoch 2's evaluation too. */
static void jsonl_rerun_steps_replace_the_old_ones(void)
{
    write_file(tmp("resumed.jsonl"),
               "{\"step\":1,\"loss\":5}\n{\"step\":2,\"loss\":4}\n{\"step\":3,\"loss\":3}\n"
               "{\"epoch\":1,\"eval\":{\"R1\":1}}\n{\"epoch\":2,\"eval\":{\"R1\":2}}\n"
               "{\"step\":3,\"loss\":2.5}\n{\"step\":4,\"loss\":2}\n"
               "{\"epoch\":2,\"eval\":{\"R1\":2.5}}\n");
    irra_curves c;
    irra_curves_init(&c);
    irra_err e = {""};
    EXPECTF(irra_curves_load_jsonl(&c, tmp("resumed.jsonl"), &e) == 0, "%s", e.msg);
    EXPECT(c.nsteps == 4 && c.step[2] == 3 && c.loss[2 * IRRA_CURVES_MAX_PARTS] == 2.5);
    EXPECT(c.nevals == 2 && c.evals[1].r1 == 2.5 && isnan(c.evals[1].map));
    irra_curves_free(&c);
}

/* kill -9 mid-write leaves a last line without its newline: skipped. The same text earlier in
 * the file is an error naming file and line. */
static void jsonl_skips_a_torn_last_line_only(void)
{
    write_file(tmp("torn.jsonl"), "{\"step\":1,\"loss\":5}\n{\"step\":2,\"lo");
    irra_curves c;
    irra_curves_init(&c);
    irra_err e = {""};
    EXPECTF(irra_curves_load_jsonl(&c, tmp("torn.jsonl"), &e) == 0, "%s", e.msg);
    EXPECT(c.nsteps == 1);
    irra_curves_free(&c);

    write_file(tmp("bad.jsonl"), "{\"step\":1,\"loss\":5}\n{\"step\":2,\"lo\n{\"step\":3}\n");
    EXPECT(irra_curves_load_jsonl(&c, tmp("bad.jsonl"), &e) == -1);
    EXPECTF(strstr(e.msg, "bad.jsonl:2") != NULL, "%s", e.msg);
    irra_curves_free(&c);

    write_file(tmp("str.jsonl"), "{\"step\":1,\"loss\":\"5\"}\n");
    EXPECT(irra_curves_load_jsonl(&c, tmp("str.jsonl"), &e) == -1);
    EXPECTF(strstr(e.msg, "str.jsonl:1") && strstr(e.msg, "loss"), "%s", e.msg);
    irra_curves_free(&c);

    write_file(tmp("neg.jsonl"), "{\"step\":-4,\"loss\":5}\n");
    EXPECT(irra_curves_load_jsonl(&c, tmp("neg.jsonl"), &e) == -1);
    EXPECT(irra_curves_load_jsonl(&c, tmp("absent.jsonl"), &e) == -1);
    EXPECTF(strstr(e.msg, "absent.jsonl") != NULL, "%s", e.msg);
    irra_curves_free(&c);
}

typedef struct {
    const irra_curves *c;
    char path[256];
    int rc;
} job;

static void *draw_in_thread(void *arg)
{
    job *j = arg;
    irra_err e;
    j->rc = irra_curves_png(j->c, j->path, "t", &e);
    return NULL;
}

/* PLplot's state is process-wide; the lock inside keeps two threads' figures apart. */
static void threads_may_draw_at_once(void)
{
    irra_curves c;
    irra_curves_init(&c);
    make_run(&c, 2000, 5);
    pthread_t t[4];
    job jobs[4];
    for (int i = 0; i < 4; i++) {
        jobs[i] = (job){&c, "", -1};
        snprintf(jobs[i].path, sizeof jobs[i].path, "%s", tmp("thread.png"));
        pthread_create(&t[i], NULL, draw_in_thread, &jobs[i]);
    }
    for (int i = 0; i < 4; i++) {
        pthread_join(t[i], NULL);
        EXPECT(jobs[i].rc == 0);
    }
    long ink[3];
    EXPECT(load_png(tmp("thread.png"), ink) == 0);
    for (int i = 0; i < 3; i++) EXPECTF(ink[i] > 500, "panel %d: %ld", i, ink[i]);
    EXPECT(leftovers() == 0);
    irra_curves_free(&c);
}

/* Drawn again from its own log, a run looks the same as drawn live. */
static void log_and_record_draw_the_same_picture(void)
{
    FILE *f = fopen(tmp("run.jsonl"), "wb");
    irra_curves live;
    irra_curves_init(&live);
    make_run(&live, 400, 4);
    for (size_t k = 0; k < live.nsteps; k++) {
        const double *l = live.loss + k * IRRA_CURVES_MAX_PARTS;
        fprintf(f, "{\"step\":%ld,\"epoch\":%.17g,\"loss\":%.17g,\"sdm_loss\":%.17g,"
                   "\"id_loss\":%.17g,\"mlm_loss\":%.17g,\"lr\":%.17g}\n",
                live.step[k], live.epoch[k], l[0], l[1], l[2], l[3], live.lr[k]);
    }
    for (size_t k = 0; k < live.nevals; k++) {
        const irra_curves_eval *v = &live.evals[k];
        fprintf(f, "{\"epoch\":%d,\"eval\":{\"R1\":%.17g,\"R5\":%.17g,\"R10\":%.17g,\"mAP\":%.17g,"
                   "\"mINP\":%.17g}}\n", v->epoch, v->r1, v->r5, v->r10, v->map, v->minp);
    }
    fclose(f);
    irra_curves back;
    irra_curves_init(&back);
    irra_err e = {""};
    EXPECTF(irra_curves_load_jsonl(&back, tmp("run.jsonl"), &e) == 0, "%s", e.msg);
    EXPECT(draw_quietly(&live, tmp("live.png"), "r", &e) == 0);
    EXPECT(draw_quietly(&back, tmp("back.png"), "r", &e) == 0);
    irra_image a, b;
    EXPECT(irra_image_load(tmp("live.png"), &a, &e) == 0);
    EXPECT(irra_image_load(tmp("back.png"), &b, &e) == 0);
    EXPECT(a.w == b.w && a.h == b.h && memcmp(a.rgb, b.rgb, (size_t)a.w * a.h * 3) == 0);
    irra_image_free(&a);
    irra_image_free(&b);
    irra_curves_free(&live);
    irra_curves_free(&back);
}

int main(void)
{
    if (!mkdtemp(dir)) return 1;
    RUN(missing_driver_is_an_error_not_an_exit);
    RUN(draws_every_panel_of_a_run);
    RUN(draws_empty_panels_before_the_first_step);
    RUN(draws_a_single_step_and_epoch);
    RUN(draws_hostile_values);
    RUN(title_and_names_are_text_not_markup);
    RUN(replaces_the_file_whole_or_not_at_all);
    RUN(draws_a_million_steps);
    RUN(record_limits_parts_and_names);
    RUN(jsonl_gives_steps_and_evaluations);
    RUN(jsonl_rerun_steps_replace_the_old_ones);
    RUN(jsonl_skips_a_torn_last_line_only);
    RUN(log_and_record_draw_the_same_picture);
    RUN(threads_may_draw_at_once);
    if (!getenv("IRRA_KEEP_TEST_FILES")) {
        char cmd[300];
        snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
        if (system(cmd) != 0) return 1;
    }
    return DONE();
}
