/* Writing a torch.save checkpoint (spec 7.1, 7.3): {"model": OrderedDict(name -> tensor)} as
 * torch 1.x-2.x pickle it with protocol 2, and one storage per tensor. pth.c reads it back, and
 * the pickle uses only the globals torch.load(weights_only=True) allows: OrderedDict,
 * _rebuild_tensor_v2 and the storage classes. */
#include "model/atomic_file.h"
#include "model/tensors_io.h"
#include "model/zip_write.h"

#include <utf8proc.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>

/* pickle opcodes (Lib/pickletools.py) */
enum {
    OP_PROTO = 0x80, OP_STOP = '.', OP_MARK = '(', OP_EMPTY_DICT = '}', OP_EMPTY_TUPLE = ')',
    OP_TUPLE = 't', OP_SETITEM = 's', OP_SETITEMS = 'u', OP_BININT = 'J', OP_BININT1 = 'K',
    OP_BININT2 = 'M', OP_LONG1 = 0x8a, OP_BINUNICODE = 'X', OP_GLOBAL = 'c', OP_REDUCE = 'R',
    OP_BINPERSID = 'Q', OP_NEWFALSE = 0x89
};

typedef struct {
    uint8_t *b;
    size_t n, cap;
    int oom;
} pbuf;

static void put(pbuf *p, const void *d, size_t n)
{
    if (p->oom) return;
    if (p->n + n > p->cap) {
        size_t cap = p->cap ? p->cap : 4096;
        while (cap < p->n + n) cap *= 2;
        uint8_t *b = realloc(p->b, cap);
        if (!b) {
            p->oom = 1;
            return;
        }
        p->b = b, p->cap = cap;
    }
    memcpy(p->b + p->n, d, n);
    p->n += n;
}

static void op(pbuf *p, int code) { put(p, &(uint8_t){(uint8_t)code}, 1); }

static void le(pbuf *p, uint64_t v, int bytes)
{
    uint8_t b[8];
    for (int i = 0; i < bytes; i++) b[i] = (uint8_t)(v >> (8 * i));
    put(p, b, (size_t)bytes);
}

/* The shortest form Python's pickler would choose for a non-negative int. */
static void pint(pbuf *p, int64_t v)
{
    if (v < 256) op(p, OP_BININT1), le(p, (uint64_t)v, 1);
    else if (v < 65536) op(p, OP_BININT2), le(p, (uint64_t)v, 2);
    else if (v < 0x7FFFFFFF) op(p, OP_BININT), le(p, (uint64_t)v, 4);
    else op(p, OP_LONG1), op(p, 8), le(p, (uint64_t)v, 8); /* v < 2^63: the sign bit is clear */
}

static void pstr(pbuf *p, const char *s)
{
    size_t n = strlen(s);
    op(p, OP_BINUNICODE), le(p, n, 4), put(p, s, n);
}

static void pglobal(pbuf *p, const char *module, const char *name)
{
    op(p, OP_GLOBAL), put(p, module, strlen(module)), op(p, '\n');
    put(p, name, strlen(name)), op(p, '\n');
}

static const char *storage_class(irra_dtype d)
{
    switch (d) {
    case IRRA_F32: return "FloatStorage";
    case IRRA_F16: return "HalfStorage";
    case IRRA_BF16: return "BFloat16Storage";
    case IRRA_I64: return "LongStorage";
    case IRRA_I32: return "IntStorage";
    case IRRA_U8: return "ByteStorage";
    }
    return NULL;
}

/* _rebuild_tensor_v2(('storage', torch.<Cls>Storage, '<key>', 'cpu', numel), 0, shape,
 * contiguous strides, False, OrderedDict()) */
static void ptensor(pbuf *p, const irra_tensor *t, irra_dtype d, int key)
{
    char k[16];
    snprintf(k, sizeof k, "%d", key);
    pglobal(p, "torch._utils", "_rebuild_tensor_v2");
    op(p, OP_MARK);
    op(p, OP_MARK), pstr(p, "storage"), pglobal(p, "torch", storage_class(d)), pstr(p, k);
    pstr(p, "cpu"), pint(p, irra_tensor_numel(t)), op(p, OP_TUPLE), op(p, OP_BINPERSID);
    pint(p, 0);
    op(p, OP_MARK);
    for (int i = 0; i < t->ndim; i++) pint(p, t->shape[i]);
    op(p, OP_TUPLE);
    op(p, OP_MARK);
    for (int i = 0; i < t->ndim; i++) {
        int64_t stride = 1; /* row-major: the product of the later sizes */
        for (int j = i + 1; j < t->ndim; j++) stride *= t->shape[j];
        pint(p, stride);
    }
    op(p, OP_TUPLE);
    op(p, OP_NEWFALSE);
    pglobal(p, "collections", "OrderedDict"), op(p, OP_EMPTY_TUPLE), op(p, OP_REDUCE);
    op(p, OP_TUPLE), op(p, OP_REDUCE);
}

static int pickle_model(pbuf *p, const irra_tensor *t, int n, const irra_dtype *dt)
{
    op(p, OP_PROTO), op(p, 2), op(p, OP_EMPTY_DICT), pstr(p, "model");
    pglobal(p, "collections", "OrderedDict"), op(p, OP_EMPTY_TUPLE), op(p, OP_REDUCE);
    op(p, OP_MARK);
    for (int i = 0; i < n; i++) pstr(p, t[i].name), ptensor(p, &t[i], dt[i], i);
    op(p, OP_SETITEMS), op(p, OP_SETITEM), op(p, OP_STOP);
    return p->oom ? -1 : 0;
}

static int is_float(irra_dtype d) { return d == IRRA_F32 || d == IRRA_F16 || d == IRRA_BF16; }

static int valid_utf8(const char *s)
{
    size_t n = strlen(s);
    for (size_t i = 0; i < n;) {
        utf8proc_int32_t c;
        utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                              (utf8proc_ssize_t)(n - i), &c);
        if (k <= 0) return 0;
        i += (size_t)k;
    }
    return 1;
}

static int check_input(const char *path, const irra_tensor *t, int n, const irra_dtype *dt,
                       irra_err *e)
{
    if (n <= 0) return irra_fail(e, "%s: no tensors to write", path);
    for (int i = 0; i < n; i++) {
        if (t[i].ndim < 0 || t[i].ndim > IRRA_MAX_DIMS || irra_tensor_numel(&t[i]) < 0)
            return irra_fail(e, "%s: tensor '%s' has a bad shape", path, t[i].name);
        if (!valid_utf8(t[i].name))
            return irra_fail(e, "%s: tensor name '%s' is not UTF-8", path, t[i].name);
        if (is_float(t[i].dtype) ? dt[i] != IRRA_F32 && dt[i] != IRRA_F16 : dt[i] != t[i].dtype)
            return irra_fail(e, "%s: tensor '%s' cannot be stored as %s", path, t[i].name,
                             irra_dtype_name(dt[i]));
        for (int j = 0; j < i; j++)
            if (!strcmp(t[i].name, t[j].name))
                return irra_fail(e, "%s: tensor '%s' given twice", path, t[i].name);
    }
    return 0;
}

/* torch names the archive's folder after the file: "best" for best.pth */
static char *stem(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot && dot > base ? (size_t)(dot - base) : strlen(base);
    return n ? strndup(base, n) : strdup("archive");
}

int irra_pth_write_stream(FILE *f, const char *path, const irra_tensor *t, int n,
                          const irra_dtype *dtype, irra_err *e)
{
    irra_dtype *dt = malloc((size_t)(n > 0 ? n : 1) * sizeof *dt);
    char *prefix = stem(path);
    if (!dt || !prefix) {
        free(dt), free(prefix);
        return irra_fail(e, "%s: out of memory", path);
    }
    for (int i = 0; i < n; i++) dt[i] = dtype ? dtype[i] : t[i].dtype;
    pbuf p = {0};
    irra_zipw z;
    int rc = check_input(path, t, n, dt, e);
    if (!rc && pickle_model(&p, t, n, dt)) rc = irra_fail(e, "%s: out of memory", path);
    if (!rc) rc = irra_zipw_init(&z, f, prefix, path, e);
    if (!rc) {
        rc = irra_zipw_add(&z, "data.pkl", p.b, p.n, e) ||
             irra_zipw_add(&z, "byteorder", "little", 6, e) ? -1 : 0;
        for (int i = 0; i < n && !rc; i++) {
            char name[32];
            snprintf(name, sizeof name, "data/%d", i);
            uint64_t bytes = (uint64_t)irra_tensor_numel(&t[i]) * irra_dtype_size(dt[i]);
            rc = irra_zipw_begin(&z, name, bytes, e);
            if (!rc && irra_tensor_stream(&t[i], dt[i], irra_zipw_write, &z))
                rc = z.err ? irra_fail(e, "%s: write failed: %s", path,
                                       z.err > 0 ? strerror(z.err) : "I/O error")
                           : irra_fail(e, "%s: out of memory", path);
            if (!rc) rc = irra_zipw_end(&z, e);
        }
        if (!rc) rc = irra_zipw_add(&z, "version", "3\n", 2, e);
        if (!rc) rc = irra_zipw_finish(&z, e);
        irra_zipw_free(&z);
    }
    free(p.b), free(dt), free(prefix);
    return rc;
}

int irra_pth_write(const char *path, const irra_tensor *t, int n, const irra_dtype *dtype,
                   irra_err *e)
{
    irra_atomic a;
    if (irra_atomic_open(&a, path, e)) return -1;
    if (irra_pth_write_stream(a.f, path, t, n, dtype, e)) {
        irra_atomic_abort(&a);
        return -1;
    }
    return irra_atomic_commit(&a, 0, e);
}
