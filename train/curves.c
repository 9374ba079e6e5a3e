/* The record of a run's curves and its reader from the JSONL log (the PNG is curves_plot.c). */
#include "train/curves.h"

#include "gallery/json_read.h"

#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void irra_curves_init(irra_curves *c)
{
    memset(c, 0, sizeof *c);
}

void irra_curves_free(irra_curves *c)
{
    free(c->step);
    free(c->epoch);
    free(c->lr);
    free(c->loss);
    free(c->logged);
    free(c->evals);
    irra_curves_init(c);
}

/* Grows every per-step array to hold one more step. */
static int grow_steps(irra_curves *c, irra_err *e)
{
    if (c->nsteps < c->cap_steps) return 0;
    size_t cap = c->cap_steps ? c->cap_steps * 2 : 1024;
    if (cap > SIZE_MAX / (IRRA_CURVES_MAX_PARTS * sizeof(double)))
        return irra_fail(e, "training curves: too many steps");
    long *step = realloc(c->step, cap * sizeof *step);
    if (step) c->step = step;
    double *epoch = realloc(c->epoch, cap * sizeof *epoch);
    if (epoch) c->epoch = epoch;
    double *lr = realloc(c->lr, cap * sizeof *lr);
    if (lr) c->lr = lr;
    double *loss = realloc(c->loss, cap * IRRA_CURVES_MAX_PARTS * sizeof *loss);
    if (loss) c->loss = loss;
    unsigned *logged = realloc(c->logged, cap * sizeof *logged);
    if (logged) c->logged = logged;
    if (!step || !epoch || !lr || !loss || !logged)
        return irra_fail(e, "training curves: out of memory");
    c->cap_steps = cap;
    return 0;
}

static int part_index(irra_curves *c, const char *name, irra_err *e)
{
    for (int i = 0; i < c->nparts; i++)
        if (strcmp(c->names[i], name) == 0) return i;
    if (strlen(name) >= IRRA_CURVES_NAME_LEN)
        return irra_fail(e, "training curves: loss name '%.40s...' longer than %d bytes", name,
                         IRRA_CURVES_NAME_LEN - 1);
    if (c->nparts == IRRA_CURVES_MAX_PARTS)
        return irra_fail(e, "training curves: more than %d loss parts (%s)",
                         IRRA_CURVES_MAX_PARTS, name);
    strcpy(c->names[c->nparts], name);
    return c->nparts++;
}

int irra_curves_add_step(irra_curves *c, long step, double epoch, double lr, int nvals,
                         const char *const *names, const double *vals, irra_err *e)
{
    int idx[IRRA_CURVES_MAX_PARTS];
    if (nvals < 0 || nvals > IRRA_CURVES_MAX_PARTS)
        return irra_fail(e, "training curves: %d loss parts in one step", nvals);
    for (int i = 0; i < nvals; i++)
        if ((idx[i] = part_index(c, names[i], e)) < 0) return -1;
    /* A resumed run repeats the steps after its checkpoint: the rerun replaces them. */
    while (c->nsteps > 0 && c->step[c->nsteps - 1] >= step) c->nsteps--;
    if (grow_steps(c, e) != 0) return -1;
    size_t k = c->nsteps++;
    c->step[k] = step;
    c->epoch[k] = epoch;
    c->lr[k] = lr;
    double *row = c->loss + k * IRRA_CURVES_MAX_PARTS;
    for (int j = 0; j < IRRA_CURVES_MAX_PARTS; j++) row[j] = NAN;
    c->logged[k] = 0;
    for (int i = 0; i < nvals; i++) row[idx[i]] = vals[i], c->logged[k] |= 1u << idx[i];
    return 0;
}

int irra_curves_add_eval(irra_curves *c, const irra_curves_eval *ev, irra_err *e)
{
    while (c->nevals > 0 && c->evals[c->nevals - 1].epoch >= ev->epoch) c->nevals--;
    if (c->nevals == c->cap_evals) {
        size_t cap = c->cap_evals ? c->cap_evals * 2 : 64;
        irra_curves_eval *p =
            cap < SIZE_MAX / sizeof *p ? realloc(c->evals, cap * sizeof *p) : NULL;
        if (!p) return irra_fail(e, "training curves: out of memory");
        c->evals = p;
        c->cap_evals = cap;
    }
    c->evals[c->nevals++] = *ev;
    return 0;
}

/* A JSON number, or NaN for null (a non-finite value written by a strict JSON writer). Returns
 * 0, or -1 when v is something else. */
static int number_of(json_object *v, double *out)
{
    if (!v) {
        *out = NAN;
        return 0;
    }
    if (json_object_is_type(v, json_type_double) || json_object_is_type(v, json_type_int)) {
        *out = json_object_get_double(v);
        return 0;
    }
    return -1;
}

static int ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), m = strlen(tail);
    return n >= m && strcmp(s + n - m, tail) == 0;
}

static int load_step(irra_curves *c, json_object *o, const char *where, irra_err *e)
{
    double step, epoch = NAN, lr = NAN, vals[IRRA_CURVES_MAX_PARTS];
    const char *names[IRRA_CURVES_MAX_PARTS];
    int n = 0;
    if (number_of(json_object_object_get(o, "step"), &step) != 0 || !(step >= 0 && step < 1e15))
        return irra_fail(e, "%s: \"step\" is not a step number", where);
    json_object_object_foreach(o, key, val) {
        double x;
        if (strcmp(key, "epoch") == 0 || strcmp(key, "lr") == 0 || ends_with(key, "loss")) {
            if (number_of(val, &x) != 0)
                return irra_fail(e, "%s: \"%.40s\" is not a number", where, key);
            if (strcmp(key, "epoch") == 0) epoch = x;
            else if (strcmp(key, "lr") == 0) lr = x;
            else if (n == IRRA_CURVES_MAX_PARTS)
                return irra_fail(e, "%s: more than %d loss parts", where, IRRA_CURVES_MAX_PARTS);
            else {
                names[n] = key;
                vals[n++] = x;
            }
        }
    }
    irra_err why;
    if (irra_curves_add_step(c, (long)step, epoch, lr, n, names, vals, &why) != 0)
        return irra_fail(e, "%s: %s", where, why.msg);
    return 0;
}

static int load_eval(irra_curves *c, json_object *o, json_object *ev, const char *where,
                     irra_err *e)
{
    static const char *const keys[5] = {"R1", "R5", "R10", "mAP", "mINP"};
    irra_curves_eval r;
    double *dst[5] = {&r.r1, &r.r5, &r.r10, &r.map, &r.minp}, epoch;
    if (!json_object_is_type(ev, json_type_object))
        return irra_fail(e, "%s: \"eval\" is not an object", where);
    json_object *ep = json_object_object_get(o, "epoch");
    if (!ep || number_of(ep, &epoch) != 0 || !(epoch >= 0 && epoch < 1e9))
        return irra_fail(e, "%s: an evaluation without its \"epoch\"", where);
    r.epoch = (int)epoch;
    for (int i = 0; i < 5; i++)
        if (number_of(json_object_object_get(ev, keys[i]), dst[i]) != 0)
            return irra_fail(e, "%s: \"%s\" is not a number", where, keys[i]);
    irra_err why;
    if (irra_curves_add_eval(c, &r, &why) != 0) return irra_fail(e, "%s: %s", where, why.msg);
    return 0;
}

static int load_line(irra_curves *c, const char *buf, size_t n, const char *where, irra_err *e)
{
    json_object *o = gal_json_parse(buf, n, where, e);
    if (!o) return -1;
    int rc = 0;
    json_object *ev;
    if (!json_object_is_type(o, json_type_object))
        rc = irra_fail(e, "%s: not a JSON object", where);
    else if (json_object_object_get_ex(o, "eval", &ev))
        rc = load_eval(c, o, ev, where, e);
    else if (json_object_object_get_ex(o, "step", NULL))
        rc = load_step(c, o, where, e);
    json_object_put(o);
    return rc;
}

int irra_curves_load_jsonl(irra_curves *c, const char *path, irra_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return irra_fail(e, "%s: %s", path, strerror(errno));
    char *line = NULL, where[300];
    size_t cap = 0;
    ssize_t len;
    int rc = 0;
    for (long no = 1; rc == 0 && (len = getline(&line, &cap, f)) >= 0; no++) {
        int torn = len == 0 || line[len - 1] != '\n';
        size_t n = (size_t)len, sp = 0;
        while (sp < n && strchr(" \t\r\n", line[sp])) sp++;
        if (sp == n) continue;
        snprintf(where, sizeof where, "%.250s:%ld", path, no);
        irra_err tmp;
        rc = load_line(c, line, n, where, &tmp);
        if (rc != 0 && torn) rc = 0; /* the last line, cut short by a kill */
        else if (rc != 0 && e) *e = tmp;
    }
    if (rc == 0 && ferror(f)) rc = irra_fail(e, "%s: read error", path);
    free(line);
    fclose(f);
    return rc;
}
