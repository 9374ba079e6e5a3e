/* Drives the tensor-file loaders for tests/test_loaders.sh; each check prints "ok NAME" or
 * "FAIL NAME" with the reason above it.
 *   tool_loaders check DIR             every file of DIR/manifest.json (tests/gen_checkpoints.py):
 *                                      good files match the expected tensors, bad ones fail
 *   tool_loaders roundtrip IN OUTDIR   IN -> OUTDIR/rt_f32.safetensors and rt_f16.safetensors,
 *                                      read back and compared
 *   tool_loaders convert IN OUT F32|F16
 *   tool_loaders dump FILE
 *   tool_loaders yaml FILE             prints "h w stride" (unchanged outputs stay -1) */
#include "model/run_config.h"
#include "model/tensors.h"

#include <json-c/json.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static int failures;

static void report(const char *name, const char *why)
{
    if (why) printf("  %s\n", why);
    printf("%s %s\n", why ? "FAIL" : "ok", name);
    failures += why != NULL;
}

static int same_float(float a, float b)
{
    return (isnan(a) && isnan(b)) || !memcmp(&a, &b, sizeof a);
}

static float *read_f32(const char *path, int64_t n)
{
    float *v = malloc((size_t)(n ? n : 1) * sizeof *v);
    FILE *f = fopen(path, "rb");
    if (!f || fread(v, sizeof *v, (size_t)n, f) != (size_t)n) {
        free(v);
        v = NULL;
    }
    if (f) fclose(f);
    return v;
}

/* Compares tensor t with manifest entry x; writes the first difference to why. */
static int same_tensor(const irra_tensor *t, struct json_object *x, const char *dir, char *why,
                       size_t wl)
{
    struct json_object *o;
    const char *name = json_object_get_string(json_object_object_get_ex(x, "name", &o) ? o : NULL);
    if (strcmp(t->name, name)) return snprintf(why, wl, "name %s, want %s", t->name, name), 0;
    json_object_object_get_ex(x, "dtype", &o);
    if (strcmp(irra_dtype_name(t->dtype), json_object_get_string(o)))
        return snprintf(why, wl, "%s: dtype %s, want %s", name, irra_dtype_name(t->dtype),
                        json_object_get_string(o)), 0;
    json_object_object_get_ex(x, "shape", &o);
    int nd = (int)json_object_array_length(o);
    int ok = nd == t->ndim;
    for (int k = 0; ok && k < nd; k++)
        ok = json_object_get_int64(json_object_array_get_idx(o, (size_t)k)) == t->shape[k];
    if (!ok) return snprintf(why, wl, "%s: shape differs", name), 0;
    json_object_object_get_ex(x, "contiguous", &o);
    if (irra_tensor_is_contiguous(t) != json_object_get_boolean(o))
        return snprintf(why, wl, "%s: contiguity %d", name, irra_tensor_is_contiguous(t)), 0;
    char vpath[4096];
    json_object_object_get_ex(x, "values", &o);
    snprintf(vpath, sizeof vpath, "%s/%s", dir, json_object_get_string(o));
    int64_t n = irra_tensor_numel(t);
    float *want = read_f32(vpath, n), *got = malloc((size_t)(n ? n : 1) * sizeof *got);
    if (!want) return snprintf(why, wl, "%.200s: cannot read %.300s", name, vpath), free(got), 0;
    irra_tensor_to_f32(t, got);
    for (int64_t i = 0; ok && i < n; i++)
        if (!same_float(got[i], want[i]))
            ok = 0, snprintf(why, wl, "%s[%lld] = %.9g, want %.9g", name, (long long)i, got[i],
                             want[i]);
    free(want), free(got);
    return ok;
}

static void check_good(struct json_object *g, const char *dir)
{
    struct json_object *o, *list, *meta;
    json_object_object_get_ex(g, "file", &o);
    const char *file = json_object_get_string(o);
    char path[4096], why[600] = "", name[300];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(name, sizeof name, "loads_%s", file);
    irra_err e;
    irra_tensors *ts = irra_tensors_open(path, &e);
    if (!ts) return report(name, e.msg);
    json_object_object_get_ex(g, "tensors", &list);
    int n = (int)json_object_array_length(list);
    if (ts->n != n) snprintf(why, sizeof why, "%d tensors, want %d", ts->n, n);
    for (int i = 0; !*why && i < n; i++)
        same_tensor(&ts->t[i], json_object_array_get_idx(list, (size_t)i), dir, why, sizeof why);
    if (!*why && json_object_object_get_ex(g, "meta", &meta)) {
        json_object_object_foreach(meta, k, v) {
            const char *got = irra_tensors_meta(ts, k);
            if (!got || strcmp(got, json_object_get_string(v)))
                snprintf(why, sizeof why, "metadata %s = %s", k, got ? got : "(absent)");
        }
    }
    if (!*why && ts->n && irra_tensors_find(ts, ts->t[ts->n - 1].name) != &ts->t[ts->n - 1])
        snprintf(why, sizeof why, "find(%s) does not return it", ts->t[ts->n - 1].name);
    if (!*why && irra_tensors_find(ts, "no.such.tensor")) snprintf(why, sizeof why, "found a ghost");
    irra_tensors_free(ts);
    report(name, *why ? why : NULL);
}

static void check_bad(struct json_object *b, const char *dir)
{
    struct json_object *o;
    json_object_object_get_ex(b, "file", &o);
    const char *file = json_object_get_string(o);
    json_object_object_get_ex(b, "expect", &o);
    const char *expect = json_object_get_string(o);
    char path[4096], why[1200] = "", name[300];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    snprintf(name, sizeof name, "refuses_%s", file);
    irra_err e = {"untouched"};
    irra_tensors *ts = irra_tensors_open(path, &e);
    if (ts) {
        snprintf(why, sizeof why, "opened (%d tensors)", ts->n);
        irra_tensors_free(ts);
    } else if (strncmp(e.msg, path, strlen(path)) || strchr(e.msg, '\n') || !strstr(e.msg, expect)) {
        snprintf(why, sizeof why, "message '%.500s' should start with the path, be one line and "
                 "contain '%.100s'", e.msg, expect);
    }
    report(name, *why ? why : NULL);
}

static int check(const char *dir)
{
    char mpath[4096];
    snprintf(mpath, sizeof mpath, "%s/manifest.json", dir);
    struct json_object *m = json_object_from_file(mpath), *good, *bad, *marker;
    if (!m || !json_object_object_get_ex(m, "good", &good) ||
        !json_object_object_get_ex(m, "bad", &bad) ||
        !json_object_object_get_ex(m, "marker", &marker)) {
        report("manifest", "cannot read manifest.json");
        return 1;
    }
    for (size_t i = 0; i < json_object_array_length(good); i++)
        check_good(json_object_array_get_idx(good, i), dir);
    for (size_t i = 0; i < json_object_array_length(bad); i++)
        check_bad(json_object_array_get_idx(bad, i), dir);
    report("hostile_pickles_ran_nothing",
           access(json_object_get_string(marker), F_OK) ? NULL : "the marker file exists");
    json_object_put(m);
    return failures != 0;
}

/* Reads back a file we wrote and compares it with the source tensors. */
static const char *compare_written(const irra_tensors *src, const char *path, irra_dtype dt)
{
    static char why[600];
    irra_err e;
    irra_tensors *ts = irra_tensors_open(path, &e);
    if (!ts) return snprintf(why, sizeof why, "%s", e.msg), why;
    *why = 0;
    if (ts->n != src->n) snprintf(why, sizeof why, "%d tensors, want %d", ts->n, src->n);
    const char *meta = irra_tensors_meta(ts, "source");
    if (!*why && (!meta || strcmp(meta, src->path))) snprintf(why, sizeof why, "metadata lost");
    for (int i = 0; !*why && i < ts->n; i++) {
        const irra_tensor *a = &src->t[i], *b = &ts->t[i];
        int isf = a->dtype == IRRA_F32 || a->dtype == IRRA_F16 || a->dtype == IRRA_BF16;
        int64_t n = irra_tensor_numel(a);
        size_t al = irra_dtype_size(b->dtype);
        if (strcmp(a->name, b->name) || b->dtype != (isf ? dt : a->dtype) || a->ndim != b->ndim ||
            memcmp(a->shape, b->shape, (size_t)a->ndim * sizeof a->shape[0]) || !irra_tensor_is_contiguous(b)) {
            snprintf(why, sizeof why, "%s: name, dtype, shape or layout differs", a->name);
            break;
        }
        if (n && ((const char *)b->data - (const char *)ts->map) % al) {
            snprintf(why, sizeof why, "%s: data not aligned to %zu bytes", a->name, al);
            break;
        }
        float *x = malloc((size_t)(n ? n : 1) * 4), *y = malloc((size_t)(n ? n : 1) * 4);
        irra_tensor_to_f32(a, x);
        irra_tensor_to_f32(b, y);
        for (int64_t j = 0; j < n && !*why; j++) {
            float want = isf && dt == IRRA_F16 ? irra_f16_to_f32(irra_f32_to_f16(x[j])) : x[j];
            if (!same_float(y[j], want))
                snprintf(why, sizeof why, "%s[%lld] = %.9g, want %.9g", a->name, (long long)j, y[j], want);
        }
        free(x), free(y);
    }
    irra_tensors_free(ts);
    return *why ? why : NULL;
}

static int roundtrip(const char *in, const char *dir)
{
    irra_err e;
    irra_tensors *src = irra_tensors_open(in, &e);
    if (!src) return report("roundtrip_source", e.msg), 1;
    const char *k[] = {"source"}, *v[] = {src->path};
    const irra_dtype dts[] = {IRRA_F32, IRRA_F16};
    for (int i = 0; i < 2; i++) {
        char out[4096], name[64];
        snprintf(out, sizeof out, "%s/rt_%s.safetensors", dir, i ? "f16" : "f32");
        snprintf(name, sizeof name, "roundtrip_%s", i ? "f16" : "f32");
        if (irra_safetensors_write(out, src->t, src->n, dts[i], k, v, 1, &e)) report(name, e.msg);
        else report(name, compare_written(src, out, dts[i]));
    }
    /* a failed write leaves the old file and no temporary behind */
    char out[4096], why[600] = "";
    snprintf(out, sizeof out, "%s/rt_f32.safetensors", dir);
    irra_tensor twice[2] = {src->t[0], src->t[0]};
    if (!irra_safetensors_write(out, twice, 2, IRRA_F32, NULL, NULL, 0, &e))
        snprintf(why, sizeof why, "duplicate names were written");
    else if (strncmp(e.msg, out, strlen(out)))
        snprintf(why, sizeof why, "message does not name the file: %s", e.msg);
    else if (compare_written(src, out, IRRA_F32))
        snprintf(why, sizeof why, "the old file was damaged");
    report("failed_write_keeps_old_file", *why ? why : NULL);
    snprintf(out, sizeof out, "%s/no/such/dir/x.safetensors", dir);
    report("write_to_missing_dir_fails",
           irra_safetensors_write(out, src->t, 1, IRRA_F32, NULL, NULL, 0, &e) && strstr(e.msg, out)
               ? NULL : "wrote or gave a message without the path");
    irra_tensors_free(src);
    return failures != 0;
}

/* The most elements dump converts at once: 1 GiB of floats. */
#define DUMP_MAX (1LL << 28)

static int dump(const char *path)
{
    irra_err e;
    irra_tensors *ts = irra_tensors_open(path, &e);
    if (!ts) return fprintf(stderr, "%s\n", e.msg), 2;
    for (int i = 0; i < ts->n; i++) {
        const irra_tensor *t = &ts->t[i];
        printf("%s %s ", t->name, irra_dtype_name(t->dtype));
        for (int k = 0; k < t->ndim; k++) printf("%s%lld", k ? "," : "", (long long)t->shape[k]);
        int64_t n = irra_tensor_numel(t);
        /* A loader may accept views far larger than their storage (stride 0: 2^31 x 2^31 over
         * one element); n * 4 would wrap. Such tensors are listed, not summed. */
        float *v = n >= 0 && n <= DUMP_MAX ? malloc((size_t)(n ? n : 1) * sizeof *v) : NULL, sum = 0;
        if (!v) {
            printf(" too large to sum (%lld elements)\n", (long long)n);
            continue;
        }
        irra_tensor_to_f32(t, v); /* touches every element: a fuzzer's bounds check */
        for (int64_t j = 0; j < n; j++) sum += v[j];
        printf(" sum %g\n", sum);
        free(v);
    }
    irra_tensors_free(ts);
    return 0;
}

static int convert(const char *in, const char *out, const char *dt)
{
    irra_err e;
    irra_tensors *ts = irra_tensors_open(in, &e);
    if (!ts) return fprintf(stderr, "%s\n", e.msg), 2;
    const char *k[] = {"source"}, *v[] = {in};
    int rc = irra_safetensors_write(out, ts->t, ts->n, strcmp(dt, "F16") ? IRRA_F32 : IRRA_F16,
                                    k, v, 1, &e);
    if (rc) fprintf(stderr, "%s\n", e.msg);
    irra_tensors_free(ts);
    return rc ? 2 : 0;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

/* time FILE: milliseconds to open (best of 5), to find every tensor, and to convert all to fp32 */
static int timing(const char *path)
{
    irra_err e;
    double best = 1e9;
    irra_tensors *ts = NULL;
    for (int r = 0; r < 5; r++) {
        irra_tensors_free(ts);
        double t0 = now();
        if (!(ts = irra_tensors_open(path, &e))) return fprintf(stderr, "%s\n", e.msg), 2;
        best = fmin(best, now() - t0);
    }
    double t0 = now();
    for (int i = 0; i < ts->n; i++)
        if (irra_tensors_find(ts, ts->t[i].name) != &ts->t[i]) return 2;
    double tfind = now() - t0;
    int64_t total = 0, maxn = 0;
    for (int i = 0; i < ts->n; i++) {
        int64_t n = irra_tensor_numel(&ts->t[i]);
        total += n;
        maxn = n > maxn ? n : maxn;
    }
    float *buf = malloc((size_t)maxn * sizeof *buf);
    t0 = now();
    for (int i = 0; i < ts->n; i++) irra_tensor_to_f32(&ts->t[i], buf);
    double tconv = now() - t0;
    printf("%s: %d tensors, %lld elements; open %.2f ms, find all %.2f ms, to_f32 all %.1f ms\n",
           path, ts->n, (long long)total, best * 1e3, tfind * 1e3, tconv * 1e3);
    free(buf);
    irra_tensors_free(ts);
    return 0;
}

static int yaml(const char *path)
{
    int h = -1, w = -1, s = -1;
    irra_err e;
    if (irra_read_run_config(path, &h, &w, &s, &e)) return fprintf(stderr, "%s\n", e.msg), 2;
    printf("%d %d %d\n", h, w, s);
    return 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && !strcmp(argv[1], "check")) return check(argv[2]);
    if (argc == 4 && !strcmp(argv[1], "roundtrip")) return roundtrip(argv[2], argv[3]);
    if (argc == 5 && !strcmp(argv[1], "convert")) return convert(argv[2], argv[3], argv[4]);
    if (argc == 3 && !strcmp(argv[1], "dump")) return dump(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "yaml")) return yaml(argv[2]);
    if (argc == 3 && !strcmp(argv[1], "time")) return timing(argv[2]);
    fprintf(stderr, "usage: tool_loaders check DIR | roundtrip IN OUTDIR | convert IN OUT F32|F16 "
                    "| dump FILE | yaml FILE\n");
    return 2;
}
