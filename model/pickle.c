/* Restricted unpickler: protocol-2 opcodes as torch.save writes them (spec 7.3), plus the few
 * protocol-4 ones (MEMOIZE, FRAME, SHORT_BINUNICODE, STACK_GLOBAL) newer writers use. */
#include "model/pickle.h"

#include <stdlib.h>
#include <string.h>

/* Bounds far above a real IRRA checkpoint (24k values with the optimizer state, MARK depth 3)
 * that keep a hostile pickle's memory under about 100 MB. */
#define MAX_VALUES (1 << 21)
#define MAX_STACK (1 << 22)
#define MAX_MARKS 1024
#define MAX_MEMO (1 << 22)
#define MAX_GLOBAL_LINE 256

enum { G_DICT, G_TENSOR, G_PARAM, G_STORAGE };

static const struct {
    const char *mod, *name;
    int kind, dtype;
    size_t elsize;
} globals[] = {
    {"collections", "OrderedDict", G_DICT, 0, 0},
    /* torch's MultiStepLR keeps its milestones in a Counter: a dict for our purposes */
    {"collections", "Counter", G_DICT, 0, 0},
    {"torch._utils", "_rebuild_tensor_v2", G_TENSOR, 0, 0},
    {"torch._utils", "_rebuild_parameter", G_PARAM, 0, 0},
    {"torch", "HalfStorage", G_STORAGE, IRRA_F16, 2},
    {"torch", "FloatStorage", G_STORAGE, IRRA_F32, 4},
    {"torch", "BFloat16Storage", G_STORAGE, IRRA_BF16, 2},
    {"torch", "LongStorage", G_STORAGE, IRRA_I64, 8},
    {"torch", "IntStorage", G_STORAGE, IRRA_I32, 4},
    {"torch", "ByteStorage", G_STORAGE, IRRA_U8, 1},
    {"torch", "DoubleStorage", G_STORAGE, -1, 8},
    {"torch", "BoolStorage", G_STORAGE, -1, 1},
};

typedef struct {
    irra_pickle *pk;
    const uint8_t *b;
    size_t len, pos;
    int32_t *stack;
    int sp, capstack;
    int *marks;
    int nmarks, capmarks;
    int32_t *memo; /* -1: unset */
    int capmemo, nmemo;
    const char *path;
    irra_err *e;
} unpickler;

/* Makes room for `need` elements of `size` bytes in *p (capacity *cap), refusing above `max`. */
static int grow(void *pp, int *cap, int need, size_t size, int max)
{
    void **p = pp;
    if (need <= *cap) return 0;
    if (need > max) return -1;
    int c = *cap ? *cap : 4; /* most containers are 2- to 6-tuples */
    while (c < need) c = c > max / 2 ? max : c * 2;
    void *q = realloc(*p, (size_t)c * size);
    if (!q) return -1;
    *p = q;
    *cap = c;
    return 0;
}

static int bad(unpickler *u, const char *what)
{
    return irra_fail(u->e, "%s: data.pkl: %s at byte %zu", u->path, what, u->pos);
}

static int new_value(unpickler *u, int kind)
{
    irra_pickle *pk = u->pk;
    if (grow(&pk->v, &pk->capv, pk->nv + 1, sizeof *pk->v, MAX_VALUES))
        return bad(u, "too many values");
    memset(&pk->v[pk->nv], 0, sizeof pk->v[0]);
    pk->v[pk->nv].kind = kind;
    return pk->nv++;
}

static int push(unpickler *u, int v)
{
    if (v < 0) return -1;
    if (grow(&u->stack, &u->capstack, u->sp + 1, sizeof *u->stack, MAX_STACK))
        return bad(u, "stack too deep");
    u->stack[u->sp++] = v;
    return 0;
}

static int pop(unpickler *u)
{
    int floor = u->nmarks ? u->marks[u->nmarks - 1] : 0;
    if (u->sp <= floor) return bad(u, "stack underflow");
    return u->stack[--u->sp];
}

static int top(unpickler *u)
{
    int floor = u->nmarks ? u->marks[u->nmarks - 1] : 0;
    if (u->sp <= floor) return bad(u, "stack underflow");
    return u->stack[u->sp - 1];
}

/* Start of the items above the innermost MARK, which is removed. */
static int pop_mark(unpickler *u)
{
    if (!u->nmarks) return bad(u, "no MARK");
    return u->marks[--u->nmarks];
}

static int add_item(unpickler *u, int c, int item)
{
    irra_pk_val *v = &u->pk->v[c];
    if (grow(&v->u.item, &v->cap, v->n + 1, sizeof *v->u.item, MAX_STACK))
        return bad(u, "container too large");
    v->u.item[v->n++] = item;
    return 0;
}

/* A TUPLE/LIST of the stack items [from, sp), which are popped. */
static int make_seq(unpickler *u, int kind, int from)
{
    int t = new_value(u, kind);
    if (t < 0) return -1;
    for (int i = from; i < u->sp; i++)
        if (add_item(u, t, u->stack[i])) return -1;
    u->sp = from;
    return push(u, t);
}

static const uint8_t *take(unpickler *u, size_t n)
{
    if (n > u->len - u->pos) return NULL;
    const uint8_t *p = u->b + u->pos;
    u->pos += n;
    return p;
}

static uint64_t le(const uint8_t *p, int n)
{
    uint64_t x = 0;
    for (int i = n - 1; i >= 0; i--) x = x << 8 | p[i];
    return x;
}

static int push_int(unpickler *u, int kind, int64_t x)
{
    int v = new_value(u, kind);
    if (v < 0) return -1;
    u->pk->v[v].u.i = x;
    return push(u, v);
}

static int push_str(unpickler *u, size_t n)
{
    const uint8_t *p = take(u, n);
    if (!p) return bad(u, "string past the end");
    int v = new_value(u, IRRA_PK_STR);
    if (v < 0) return -1;
    if (!(u->pk->v[v].u.s = strndup((const char *)p, n)) || memchr(p, 0, n))
        return bad(u, "string with a NUL byte");
    u->pk->v[v].n = (int32_t)n;
    return push(u, v);
}

/* LONG1: little-endian two's complement of n bytes. */
static int push_long(unpickler *u, size_t n)
{
    const uint8_t *p = take(u, n);
    if (!p) return bad(u, "integer past the end");
    if (n > 8) return push(u, new_value(u, IRRA_PK_OTHER));
    uint64_t x = n ? le(p, (int)n) : 0;
    if (n && n < 8 && (p[n - 1] & 0x80)) x |= ~(uint64_t)0 << (8 * n);
    return push_int(u, IRRA_PK_INT, (int64_t)x);
}

static int push_global(unpickler *u, const char *mod, const char *name)
{
    for (size_t i = 0; i < sizeof globals / sizeof globals[0]; i++)
        if (!strcmp(globals[i].mod, mod) && !strcmp(globals[i].name, name)) {
            int v = new_value(u, IRRA_PK_GLOBAL);
            if (v < 0) return -1;
            u->pk->v[v].aux = (int32_t)i;
            return push(u, v);
        }
    return irra_fail(u->e, "%s: data.pkl: refused pickle global '%.100s.%.100s' (not a tensor or "
                     "dict type)", u->path, mod, name);
}

/* GLOBAL: "module\nname\n" */
static int op_global(unpickler *u)
{
    char part[2][MAX_GLOBAL_LINE + 1];
    for (int k = 0; k < 2; k++) {
        size_t left = u->len - u->pos, max = left < MAX_GLOBAL_LINE ? left : MAX_GLOBAL_LINE;
        const uint8_t *nl = memchr(u->b + u->pos, '\n', max);
        if (!nl) return bad(u, "GLOBAL name too long or unterminated");
        size_t n = (size_t)(nl - (u->b + u->pos));
        memcpy(part[k], u->b + u->pos, n);
        part[k][n] = 0;
        u->pos += n + 1;
    }
    return push_global(u, part[0], part[1]);
}

static int op_stack_global(unpickler *u)
{
    int name = pop(u), mod = name < 0 ? -1 : pop(u);
    if (mod < 0) return -1;
    if (u->pk->v[name].kind != IRRA_PK_STR || u->pk->v[mod].kind != IRRA_PK_STR)
        return bad(u, "STACK_GLOBAL of a non-string");
    return push_global(u, u->pk->v[mod].u.s, u->pk->v[name].u.s);
}

static int memo_put(unpickler *u, uint64_t idx)
{
    if (idx >= MAX_MEMO) return bad(u, "memo index too large");
    int old = u->capmemo;
    if (grow(&u->memo, &u->capmemo, (int)idx + 1, sizeof *u->memo, MAX_MEMO))
        return bad(u, "out of memory for memo");
    for (int i = old; i < u->capmemo; i++) u->memo[i] = -1;
    int t = top(u);
    if (t < 0) return -1;
    if (u->memo[idx] < 0) u->nmemo++;
    u->memo[idx] = t;
    return 0;
}

static int memo_get(unpickler *u, uint64_t idx)
{
    if (idx >= (uint64_t)u->capmemo || u->memo[idx] < 0) return bad(u, "memo key not set");
    return push(u, u->memo[idx]);
}

/* SETITEM(S) / APPEND(S): the stack items [from, sp) go into the container at stack[from - 1],
 * which must be a `kind` (a dict takes them as key, value pairs). */
static int extend(unpickler *u, int from, int kind)
{
    const char *op = kind == IRRA_PK_DICT ? "SETITEMS" : "APPENDS";
    if (from < 1 || (u->nmarks && from - 1 < u->marks[u->nmarks - 1]) ||
        u->pk->v[u->stack[from - 1]].kind != kind)
        return irra_fail(u->e, "%s: data.pkl: %s without a %s at byte %zu", u->path, op,
                         kind == IRRA_PK_DICT ? "dict" : "list", u->pos);
    if (kind == IRRA_PK_DICT && (u->sp - from) % 2) return bad(u, "odd number of dict items");
    int c = u->stack[from - 1];
    for (int i = from; i < u->sp; i++)
        if (add_item(u, c, u->stack[i])) return -1;
    u->sp = from;
    return 0;
}

/* ('storage', <storage class>, '<key>', '<location>', <numel>) */
static int op_persid(unpickler *u)
{
    irra_pickle *pk = u->pk;
    int t = pop(u);
    if (t < 0) return -1;
    const irra_pk_val *pid = &pk->v[t];
    if (pid->kind != IRRA_PK_TUPLE || pid->n != 5) return bad(u, "persistent id is not a 5-tuple");
    const irra_pk_val *tag = &pk->v[pid->u.item[0]], *cls = &pk->v[pid->u.item[1]],
                      *key = &pk->v[pid->u.item[2]], *numel = &pk->v[pid->u.item[4]];
    if (tag->kind != IRRA_PK_STR || strcmp(tag->u.s, "storage"))
        return bad(u, "persistent id is not a storage");
    if (cls->kind != IRRA_PK_GLOBAL || globals[cls->aux].kind != G_STORAGE)
        return bad(u, "persistent id without a storage class");
    if (key->kind != IRRA_PK_STR || numel->kind != IRRA_PK_INT || numel->u.i < 0)
        return bad(u, "malformed storage persistent id");
    if (grow(&pk->st, &pk->capst, pk->nst + 1, sizeof *pk->st, MAX_VALUES))
        return bad(u, "too many storages");
    irra_pk_storage *s = &pk->st[pk->nst];
    if (!(s->key = strdup(key->u.s))) return bad(u, "out of memory");
    s->dtype = globals[cls->aux].dtype;
    s->cls = globals[cls->aux].name;
    s->elsize = globals[cls->aux].elsize;
    s->numel = numel->u.i;
    int v = new_value(u, IRRA_PK_STORAGE);
    if (v < 0) return -1;
    pk->v[v].aux = pk->nst++;
    return push(u, v);
}

/* _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, hooks[, metadata]) */
static int rebuild_tensor(unpickler *u, const irra_pk_val *args)
{
    irra_pickle *pk = u->pk;
    if (args->n < 4) return bad(u, "_rebuild_tensor_v2 with too few arguments");
    const irra_pk_val *st = &pk->v[args->u.item[0]], *off = &pk->v[args->u.item[1]],
                      *size = &pk->v[args->u.item[2]], *stride = &pk->v[args->u.item[3]];
    if (st->kind != IRRA_PK_STORAGE || off->kind != IRRA_PK_INT || off->u.i < 0 ||
        size->kind != IRRA_PK_TUPLE || stride->kind != IRRA_PK_TUPLE)
        return bad(u, "malformed _rebuild_tensor_v2 arguments");
    if (size->n != stride->n || size->n > IRRA_MAX_DIMS)
        return bad(u, "tensor size and stride differ in length or exceed 8 dimensions");
    if (grow(&pk->t, &pk->capt, pk->nt + 1, sizeof *pk->t, MAX_VALUES))
        return bad(u, "too many tensors");
    irra_pk_tensor *t = &pk->t[pk->nt];
    memset(t, 0, sizeof *t);
    t->storage = st->aux;
    t->offset = off->u.i;
    t->ndim = size->n;
    for (int k = 0; k < t->ndim; k++) {
        const irra_pk_val *a = &pk->v[size->u.item[k]], *b = &pk->v[stride->u.item[k]];
        if (a->kind != IRRA_PK_INT || b->kind != IRRA_PK_INT || a->u.i < 0 || b->u.i < 0)
            return bad(u, "tensor size or stride is not a non-negative integer");
        t->shape[k] = a->u.i;
        t->stride[k] = b->u.i;
    }
    int v = new_value(u, IRRA_PK_TENSOR);
    if (v < 0) return -1;
    pk->v[v].aux = pk->nt++;
    return push(u, v);
}

/* OrderedDict(), OrderedDict(dict), Counter(dict) and OrderedDict([(k, v), ...]) */
static int rebuild_dict(unpickler *u, int args)
{
    irra_pickle *pk = u->pk;
    int d = new_value(u, IRRA_PK_DICT);
    if (d < 0) return -1;
    const irra_pk_val *a = &pk->v[args];
    if (a->n > 1) return bad(u, "dict constructor with more than one argument");
    if (a->n == 1) {
        int src = a->u.item[0];
        const irra_pk_val *s = &pk->v[src];
        for (int i = 0; i < s->n; i++) {
            const irra_pk_val *it = &pk->v[s->u.item[i]];
            if (s->kind == IRRA_PK_DICT) {
                if (add_item(u, d, s->u.item[i])) return -1;
            } else if ((s->kind == IRRA_PK_LIST || s->kind == IRRA_PK_TUPLE) &&
                       it->kind == IRRA_PK_TUPLE && it->n == 2) {
                int k = it->u.item[0], v = it->u.item[1];
                if (add_item(u, d, k) || add_item(u, d, v)) return -1;
            } else {
                return bad(u, "dict constructor argument is not a dict or a list of pairs");
            }
        }
    }
    return push(u, d);
}

static int op_reduce(unpickler *u)
{
    irra_pickle *pk = u->pk;
    int args = pop(u), fn = args < 0 ? -1 : pop(u);
    if (fn < 0) return -1;
    if (pk->v[args].kind != IRRA_PK_TUPLE) return bad(u, "REDUCE arguments are not a tuple");
    if (pk->v[fn].kind != IRRA_PK_GLOBAL) return bad(u, "REDUCE of a value that is not callable");
    const irra_pk_val *a = &pk->v[args];
    switch (globals[pk->v[fn].aux].kind) {
    case G_DICT: return rebuild_dict(u, args);
    case G_TENSOR: return rebuild_tensor(u, a);
    case G_PARAM: /* _rebuild_parameter(data, requires_grad, hooks): the tensor itself */
        if (a->n < 1 || pk->v[a->u.item[0]].kind != IRRA_PK_TENSOR)
            return bad(u, "_rebuild_parameter of a non-tensor");
        return push(u, a->u.item[0]);
    default: return bad(u, "a storage class called directly");
    }
}

/* Runs one opcode; returns 1 at STOP. */
static int step(unpickler *u)
{
    const uint8_t *p = take(u, 1);
    if (!p) return bad(u, "no STOP opcode");
    uint8_t op = *p;
    switch (op) {
    case 0x80: /* PROTO */
        if (!(p = take(u, 1)) || *p > 5) return bad(u, "bad PROTO");
        return 0;
    case 0x95: /* FRAME: only a read-ahead hint */
        return take(u, 8) ? 0 : bad(u, "truncated FRAME");
    case '.': return 1;
    case '(':
        if (grow(&u->marks, &u->capmarks, u->nmarks + 1, sizeof *u->marks, MAX_MARKS))
            return bad(u, "MARKs nested too deeply");
        u->marks[u->nmarks++] = u->sp;
        return 0;
    case '}': return push(u, new_value(u, IRRA_PK_DICT));
    case ']': return push(u, new_value(u, IRRA_PK_LIST));
    case ')': return push(u, new_value(u, IRRA_PK_TUPLE));
    case 'N': return push(u, new_value(u, IRRA_PK_NONE));
    case 0x88: return push_int(u, IRRA_PK_BOOL, 1);
    case 0x89: return push_int(u, IRRA_PK_BOOL, 0);
    case 't': {
        int from = pop_mark(u);
        return from < 0 ? -1 : make_seq(u, IRRA_PK_TUPLE, from);
    }
    case 0x85: case 0x86: case 0x87: { /* TUPLE1..3 */
        int n = op - 0x84, floor = u->nmarks ? u->marks[u->nmarks - 1] : 0;
        if (u->sp - floor < n) return bad(u, "stack underflow");
        return make_seq(u, IRRA_PK_TUPLE, u->sp - n);
    }
    case 's': return extend(u, u->sp - 2, IRRA_PK_DICT);
    case 'u': {
        int from = pop_mark(u);
        return from < 0 ? -1 : extend(u, from, IRRA_PK_DICT);
    }
    case 'a': return extend(u, u->sp - 1, IRRA_PK_LIST);
    case 'e': {
        int from = pop_mark(u);
        return from < 0 ? -1 : extend(u, from, IRRA_PK_LIST);
    }
    case 'q': return (p = take(u, 1)) ? memo_put(u, *p) : bad(u, "truncated BINPUT");
    case 'r': return (p = take(u, 4)) ? memo_put(u, le(p, 4)) : bad(u, "truncated LONG_BINPUT");
    case 0x94: return memo_put(u, (uint64_t)u->nmemo);
    case 'h': return (p = take(u, 1)) ? memo_get(u, *p) : bad(u, "truncated BINGET");
    case 'j': return (p = take(u, 4)) ? memo_get(u, le(p, 4)) : bad(u, "truncated LONG_BINGET");
    case 'J':
        return (p = take(u, 4)) ? push_int(u, IRRA_PK_INT, (int32_t)(uint32_t)le(p, 4))
                                : bad(u, "truncated BININT");
    case 'K': return (p = take(u, 1)) ? push_int(u, IRRA_PK_INT, *p) : bad(u, "truncated BININT1");
    case 'M':
        return (p = take(u, 2)) ? push_int(u, IRRA_PK_INT, (int64_t)le(p, 2))
                                : bad(u, "truncated BININT2");
    case 0x8a: return (p = take(u, 1)) ? push_long(u, *p) : bad(u, "truncated LONG1");
    case 'G': { /* big-endian IEEE double */
        if (!(p = take(u, 8))) return bad(u, "truncated BINFLOAT");
        uint64_t x = 0;
        for (int i = 0; i < 8; i++) x = x << 8 | p[i];
        int v = new_value(u, IRRA_PK_FLOAT);
        if (v < 0) return -1;
        memcpy(&u->pk->v[v].u.f, &x, 8);
        return push(u, v);
    }
    case 'X': return (p = take(u, 4)) ? push_str(u, le(p, 4)) : bad(u, "truncated BINUNICODE");
    case 0x8c: return (p = take(u, 1)) ? push_str(u, *p) : bad(u, "truncated SHORT_BINUNICODE");
    case 'c': return op_global(u);
    case 0x93: return op_stack_global(u);
    case 'R': return op_reduce(u);
    case 'b': /* BUILD: state is dropped (only dict metadata in a state dict) */
        return pop(u) < 0 || top(u) < 0 ? -1 : 0;
    case 'Q': return op_persid(u);
    default: return irra_fail(u->e, "%s: data.pkl: unsupported pickle opcode 0x%02x at byte %zu",
                              u->path, op, u->pos - 1);
    }
}

int irra_pickle_load(irra_pickle *pk, const uint8_t *buf, size_t len, const char *path,
                     irra_err *e)
{
    memset(pk, 0, sizeof *pk);
    unpickler u = {.pk = pk, .b = buf, .len = len, .path = path, .e = e};
    /* torch's pickles hold about one value per 7 bytes: reserve that much up front */
    int rc = grow(&pk->v, &pk->capv, (int)(len < 8u * MAX_VALUES ? len / 8 + 16 : MAX_VALUES),
                  sizeof *pk->v, MAX_VALUES);
    if (rc) return irra_fail(e, "%s: out of memory", path);
    while ((rc = step(&u)) == 0) {}
    if (rc == 1) {
        if (u.nmarks) rc = bad(&u, "unclosed MARK at STOP");
        else if (u.sp != 1) rc = bad(&u, "STOP with a stack that does not hold one value");
        else pk->root = u.stack[0], rc = 0;
    }
    free(u.stack);
    free(u.marks);
    free(u.memo);
    if (rc) irra_pickle_free(pk);
    return rc;
}

void irra_pickle_free(irra_pickle *pk)
{
    for (int i = 0; i < pk->nv; i++) {
        irra_pk_val *v = &pk->v[i];
        if (v->kind == IRRA_PK_STR) free(v->u.s);
        else if (v->kind == IRRA_PK_TUPLE || v->kind == IRRA_PK_LIST || v->kind == IRRA_PK_DICT)
            free(v->u.item);
    }
    for (int i = 0; i < pk->nst; i++) free(pk->st[i].key);
    free(pk->v);
    free(pk->st);
    free(pk->t);
    memset(pk, 0, sizeof *pk);
}

int irra_pickle_dict_get(const irra_pickle *pk, int d, const char *key)
{
    const irra_pk_val *v = &pk->v[d];
    if (v->kind != IRRA_PK_DICT) return -1;
    for (int i = v->n - 2; i >= 0; i -= 2) {
        const irra_pk_val *k = &pk->v[v->u.item[i]];
        if (k->kind == IRRA_PK_STR && !strcmp(k->u.s, key)) return v->u.item[i + 1];
    }
    return -1;
}
