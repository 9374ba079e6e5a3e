/* Zip writer for the torch.save container (zip_write.h); zip.c reads what this writes. */
#include "model/zip_write.h"

#include <zlib.h>

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CDIR 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define ALIGN 64       /* torch's kFieldAlignment */
#define LIMIT 0xFFFFFFFFu /* past this a classic zip needs ZIP64 fields */
#define VERSION 20     /* "version needed": 2.0, plain stored entries */
#define FLAGS 0x0800   /* names are UTF-8 */
#define DOS_DATE 0x0021 /* 1980-01-01, so that output does not depend on the clock */

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v, p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v) { put16(p, v & 0xFFFF), put16(p + 2, v >> 16); }

/* fwrite that remembers the first failure and counts the offset */
static int out(irra_zipw *z, const void *p, size_t n)
{
    if (z->err) return -1;
    if (n && fwrite(p, 1, n, z->f) != n) {
        z->err = errno ? errno : -1;
        return -1;
    }
    z->off += n;
    return 0;
}

static int io_fail(irra_zipw *z, irra_err *e)
{
    return irra_fail(e, "%s: write failed: %s", z->path,
                     z->err > 0 ? strerror(z->err) : "I/O error");
}

int irra_zipw_init(irra_zipw *z, FILE *f, const char *prefix, const char *path, irra_err *e)
{
    memset(z, 0, sizeof *z);
    z->f = f, z->path = path;
    if (!(z->prefix = strdup(prefix))) return irra_fail(e, "%s: out of memory", path);
    return 0;
}

int irra_zipw_begin(irra_zipw *z, const char *name, uint64_t size, irra_err *e)
{
    if (z->n == z->cap) {
        int cap = z->cap ? 2 * z->cap : 64;
        irra_zipw_entry *ent = cap < 65535 ? realloc(z->ent, (size_t)cap * sizeof *ent) : NULL;
        if (!ent) return irra_fail(e, "%s: too many zip entries", z->path);
        z->ent = ent, z->cap = cap;
    }
    size_t pl = strlen(z->prefix), nl = strlen(name);
    if (pl + 1 + nl > 0xFFFF) return irra_fail(e, "%s: zip entry name too long", z->path);
    irra_zipw_entry *en = &z->ent[z->n];
    if (!(en->name = malloc(pl + nl + 2))) return irra_fail(e, "%s: out of memory", z->path);
    snprintf(en->name, pl + nl + 2, "%s/%s", z->prefix, name);
    z->n++;
    en->local_off = z->off, en->size = size, en->crc = 0;
    size_t fl = pl + 1 + nl;
    /* the data start after 30 header bytes, the name and a 4-byte "FB" record of pad bytes */
    size_t pad = (ALIGN - (z->off + 30 + fl + 4) % ALIGN) % ALIGN;
    uint64_t data_end = z->off + 30 + fl + 4 + pad + size;
    if (data_end > LIMIT)
        return irra_fail(e, "%s: the archive would pass 4 GiB (irra writes no ZIP64)", z->path);
    uint8_t h[30], x[4 + ALIGN];
    put32(h, SIG_LOCAL), put16(h + 4, VERSION), put16(h + 6, FLAGS), put16(h + 8, 0);
    put16(h + 10, 0), put16(h + 12, DOS_DATE), put32(h + 14, 0);
    put32(h + 18, (uint32_t)size), put32(h + 22, (uint32_t)size);
    put16(h + 26, (unsigned)fl), put16(h + 28, (unsigned)(4 + pad));
    put16(x, 0x4246), put16(x + 2, (unsigned)pad); /* "FB" */
    memset(x + 4, 'Z', pad);
    if (out(z, h, 30) || out(z, en->name, fl) || out(z, x, 4 + pad)) return io_fail(z, e);
    z->in_entry = 1, z->got = 0, z->crc = (uint32_t)crc32(0L, Z_NULL, 0);
    return 0;
}

int irra_zipw_write(void *ctx, const void *p, size_t n)
{
    irra_zipw *z = ctx;
    const uint8_t *b = p;
    if (!z->in_entry || out(z, p, n)) return -1;
    z->got += n;
    for (size_t at = 0; at < n;) { /* crc32 takes a uInt length */
        size_t m = n - at < (1u << 30) ? n - at : (1u << 30);
        z->crc = (uint32_t)crc32(z->crc, b + at, (uInt)m);
        at += m;
    }
    return 0;
}

int irra_zipw_end(irra_zipw *z, irra_err *e)
{
    irra_zipw_entry *en = &z->ent[z->n - 1];
    if (z->err) return io_fail(z, e);
    z->in_entry = 0;
    if (z->got != en->size)
        return irra_fail(e, "%s: zip entry '%s' got %llu bytes, %llu announced", z->path,
                         en->name, (unsigned long long)z->got, (unsigned long long)en->size);
    en->crc = z->crc;
    uint8_t c[4];
    put32(c, en->crc);
    if (fseeko(z->f, (off_t)(en->local_off + 14), SEEK_SET) || fwrite(c, 1, 4, z->f) != 4 ||
        fseeko(z->f, (off_t)z->off, SEEK_SET)) {
        z->err = errno ? errno : -1;
        return io_fail(z, e);
    }
    return 0;
}

int irra_zipw_add(irra_zipw *z, const char *name, const void *data, uint64_t size, irra_err *e)
{
    if (irra_zipw_begin(z, name, size, e)) return -1;
    if (irra_zipw_write(z, data, (size_t)size)) return io_fail(z, e);
    return irra_zipw_end(z, e);
}

int irra_zipw_finish(irra_zipw *z, irra_err *e)
{
    uint64_t cd_off = z->off;
    for (int i = 0; i < z->n; i++) {
        const irra_zipw_entry *en = &z->ent[i];
        size_t nl = strlen(en->name);
        uint8_t h[46] = {0};
        put32(h, SIG_CDIR), put16(h + 4, VERSION), put16(h + 6, VERSION), put16(h + 8, FLAGS);
        put16(h + 12, 0), put16(h + 14, DOS_DATE), put32(h + 16, en->crc);
        put32(h + 20, (uint32_t)en->size), put32(h + 24, (uint32_t)en->size);
        put16(h + 28, (unsigned)nl), put32(h + 42, (uint32_t)en->local_off);
        if (out(z, h, 46) || out(z, en->name, nl)) return io_fail(z, e);
    }
    uint64_t cd_size = z->off - cd_off;
    if (z->off + 22 > LIMIT)
        return irra_fail(e, "%s: the archive would pass 4 GiB (irra writes no ZIP64)", z->path);
    uint8_t r[22] = {0};
    put32(r, SIG_EOCD), put16(r + 8, (unsigned)z->n), put16(r + 10, (unsigned)z->n);
    put32(r + 12, (uint32_t)cd_size), put32(r + 16, (uint32_t)cd_off);
    return out(z, r, 22) ? io_fail(z, e) : 0;
}

void irra_zipw_free(irra_zipw *z)
{
    for (int i = 0; i < z->n; i++) free(z->ent[i].name);
    free(z->ent);
    free(z->prefix);
    memset(z, 0, sizeof *z);
}
