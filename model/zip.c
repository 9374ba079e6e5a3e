/* Zip central-directory reader for the torch.save container. Sizes and offsets come from the
 * central directory, never from local headers' size fields (torch's writer pads the local
 * extra field for 64-byte alignment, and other writers use data descriptors). */
#include "model/zip.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u
#define SIG_CDIR 0x02014b50u
#define SIG_LOCAL 0x04034b50u
/* best.pth with its optimizer state has about 1500 entries */
#define MAX_ENTRIES (1 << 20)

static uint16_t rd16(const uint8_t *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t rd32(const uint8_t *p) { return (uint32_t)rd16(p) | (uint32_t)rd16(p + 2) << 16; }
static uint64_t rd64(const uint8_t *p) { return (uint64_t)rd32(p) | (uint64_t)rd32(p + 4) << 32; }

/* true when [off, off+n) lies inside a buffer of len bytes */
static int inside(uint64_t off, uint64_t n, size_t len)
{
    return off <= len && n <= len - off;
}

/* Where the central directory is and how many entries it has (classic or ZIP64 EOCD). */
static int find_cdir(const uint8_t *b, size_t len, const char *path, uint64_t *cd_off,
                     uint64_t *cd_size, uint64_t *count, irra_err *e)
{
    if (len < 22) return irra_fail(e, "%s: not a zip file (too short)", path);
    /* the EOCD record sits in the last 22 + 65535 (comment) bytes */
    size_t lo = len - 22 > 65535 ? len - 22 - 65535 : 0, at = len - 22 + 1;
    int found = 0;
    while (at-- > lo)
        if (rd32(b + at) == SIG_EOCD && at + 22 + rd16(b + at + 20) == len) {
            found = 1;
            break;
        }
    if (!found) return irra_fail(e, "%s: zip end-of-central-directory record not found", path);
    const uint8_t *r = b + at;
    if (rd16(r + 4) != 0 || rd16(r + 6) != 0)
        return irra_fail(e, "%s: multi-disk zip archives are not supported", path);
    *count = rd16(r + 10);
    *cd_size = rd32(r + 12);
    *cd_off = rd32(r + 16);
    if (at >= 20 && rd32(b + at - 20) == SIG_LOC64) {
        uint64_t off64 = rd64(b + at - 20 + 8);
        if (!inside(off64, 56, len) || rd32(b + off64) != SIG_EOCD64)
            return irra_fail(e, "%s: bad ZIP64 end-of-central-directory record", path);
        const uint8_t *z = b + off64;
        *count = rd64(z + 32);
        *cd_size = rd64(z + 40);
        *cd_off = rd64(z + 48);
    }
    if (!inside(*cd_off, *cd_size, len))
        return irra_fail(e, "%s: zip central directory lies outside the file", path);
    if (*count > *cd_size / 46 || *count > MAX_ENTRIES)
        return irra_fail(e, "%s: zip central directory cannot hold %llu entries", path,
                         (unsigned long long)*count);
    return 0;
}

/* Replaces 0xFFFFFFFF sizes/offset by the values of the ZIP64 extra field (id 1). */
static int zip64_extra(const uint8_t *x, size_t xlen, uint64_t *usize, uint64_t *csize,
                       uint64_t *off)
{
    while (xlen >= 4) {
        uint16_t id = rd16(x), n = rd16(x + 2);
        if ((size_t)n + 4 > xlen) return -1;
        if (id == 1) {
            uint64_t *want[3] = {usize, csize, off};
            size_t p = 4;
            for (int i = 0; i < 3; i++) {
                if (*want[i] != 0xFFFFFFFFu) continue;
                if (p + 8 > (size_t)n + 4) return -1;
                *want[i] = rd64(x + p);
                p += 8;
            }
            return 0;
        }
        x += 4 + n;
        xlen -= 4 + (size_t)n;
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const irra_zip_entry *)a)->name, ((const irra_zip_entry *)b)->name);
}

static int by_offset(const void *a, const void *b)
{
    uint64_t x = ((const irra_zip_entry *)a)->local_off, y = ((const irra_zip_entry *)b)->local_off;
    return (x > y) - (x < y);
}

/* Entries whose bytes overlap would let one entry be read as another (a tensor storage
 * pointing at data.pkl loads the pickle's bytes as weights). In offset order each entry must
 * start after the one before and end before the next, or before the central directory; the
 * start is checked here, the end where the local header gives it (irra_zip_data). */
static int set_ends(irra_zip *z, uint64_t cd_off, irra_err *e)
{
    qsort(z->ent, (size_t)z->n, sizeof *z->ent, by_offset);
    for (int i = 0; i < z->n; i++) {
        z->ent[i].end = i + 1 < z->n ? z->ent[i + 1].local_off : cd_off;
        if (z->ent[i].local_off >= z->ent[i].end)
            return i + 1 < z->n ? irra_fail(e, "%s: zip entries '%s' and '%s' overlap (one local "
                                            "header)", z->path, z->ent[i].name, z->ent[i + 1].name)
                                : irra_fail(e, "%s: zip entry '%s' lies inside the central "
                                            "directory", z->path, z->ent[i].name);
    }
    return 0;
}

/* Reads central-directory record *p (advancing it) into *out. */
static int read_entry(const uint8_t *b, size_t len, uint64_t *p, uint64_t cd_end,
                      irra_zip_entry *out, const char *path, irra_err *e)
{
    if (!inside(*p, 46, cd_end) || rd32(b + *p) != SIG_CDIR)
        return irra_fail(e, "%s: bad zip central directory record", path);
    const uint8_t *r = b + *p;
    uint16_t flags = rd16(r + 8), method = rd16(r + 10);
    uint64_t csize = rd32(r + 20), usize = rd32(r + 24), off = rd32(r + 42);
    size_t nlen = rd16(r + 28), xlen = rd16(r + 30), clen = rd16(r + 32);
    if (!inside(*p + 46, nlen + xlen + clen, cd_end))
        return irra_fail(e, "%s: zip central directory record overruns the directory", path);
    const char *name = (const char *)r + 46;
    if (nlen == 0 || memchr(name, 0, nlen))
        return irra_fail(e, "%s: zip entry with an empty or invalid name", path);
    if (zip64_extra(r + 46 + nlen, xlen, &usize, &csize, &off))
        return irra_fail(e, "%s: bad ZIP64 extra field in entry '%.*s'", path, (int)nlen, name);
    *p += 46 + nlen + xlen + clen;
    if (flags & 1)
        return irra_fail(e, "%s: zip entry '%.*s' is encrypted", path, (int)nlen, name);
    if (method != 0 || csize != usize)
        return irra_fail(e, "%s: zip entry '%.*s' is compressed (only STORED is supported)", path,
                         (int)nlen, name);
    /* the data follow the local header, so they can only lie before the central directory */
    if (!inside(off, 30, len) || !inside(off + 30, usize, len))
        return irra_fail(e, "%s: zip entry '%.*s': local header or data past the end of the file",
                         path, (int)nlen, name);
    out->name = strndup(name, nlen);
    if (!out->name) return irra_fail(e, "%s: out of memory", path);
    out->local_off = off;
    out->size = usize;
    return 0;
}

const uint8_t *irra_zip_data(const irra_zip *z, const irra_zip_entry *ent, irra_err *e)
{
    uint8_t local[30];
    uint64_t off = ent->local_off;
    if (z->fd >= 0 ? pread(z->fd, local, 30, (off_t)off) != 30 : !memcpy(local, z->buf + off, 30))
        local[0] = 0;
    if (rd32(local) != SIG_LOCAL) {
        irra_fail(e, "%s: zip entry '%s': corrupt local header", z->path, ent->name);
        return NULL;
    }
    uint64_t data = off + 30 + rd16(local + 26) + rd16(local + 28);
    if (!inside(data, ent->size, z->len)) {
        irra_fail(e, "%s: zip entry '%s': data lies past the end of the file", z->path, ent->name);
        return NULL;
    }
    if (data + ent->size > ent->end) {
        irra_fail(e, "%s: zip entry '%s': data overlap the next entry or the central directory",
                  z->path, ent->name);
        return NULL;
    }
    return z->buf + data;
}

int irra_zip_open(irra_zip *z, const void *buf, size_t len, int fd, const char *path, irra_err *e)
{
    const uint8_t *b = buf;
    memset(z, 0, sizeof *z);
    z->buf = b, z->len = len, z->fd = fd, z->path = path;
    uint64_t cd_off = 0, cd_size = 0, count = 0;
    if (find_cdir(b, len, path, &cd_off, &cd_size, &count, e)) return -1;
    if (count == 0) return irra_fail(e, "%s: empty zip archive", path);
    z->ent = calloc(count, sizeof *z->ent);
    if (!z->ent) return irra_fail(e, "%s: out of memory", path);
    uint64_t p = cd_off;
    for (uint64_t i = 0; i < count; i++, z->n++)
        if (read_entry(b, len, &p, cd_off + cd_size, &z->ent[i], path, e)) goto fail;
    /* the first entry in the directory names the archive's folder */
    const char *slash = strchr(z->ent[0].name, '/');
    if (!slash) {
        irra_fail(e, "%s: zip entry '%s' is not inside a folder", path, z->ent[0].name);
        goto fail;
    }
    z->prefix = strndup(z->ent[0].name, (size_t)(slash - z->ent[0].name));
    if (!z->prefix) {
        irra_fail(e, "%s: out of memory", path);
        goto fail;
    }
    if (set_ends(z, cd_off, e)) goto fail;
    qsort(z->ent, (size_t)z->n, sizeof *z->ent, by_name);
    for (int i = 1; i < z->n; i++)
        if (!strcmp(z->ent[i].name, z->ent[i - 1].name)) {
            irra_fail(e, "%s: duplicate zip entry '%s'", path, z->ent[i].name);
            goto fail;
        }
    return 0;
fail:
    irra_zip_free(z);
    return -1;
}

const irra_zip_entry *irra_zip_find(const irra_zip *z, const char *name)
{
    size_t pl = strlen(z->prefix), nl = strlen(name);
    char *full = malloc(pl + nl + 2);
    if (!full) return NULL;
    memcpy(full, z->prefix, pl);
    full[pl] = '/';
    memcpy(full + pl + 1, name, nl + 1);
    irra_zip_entry key = {.name = full};
    const irra_zip_entry *hit = bsearch(&key, z->ent, (size_t)z->n, sizeof *z->ent, by_name);
    free(full);
    return hit;
}

void irra_zip_free(irra_zip *z)
{
    for (int i = 0; i < z->n; i++) free(z->ent[i].name);
    free(z->ent);
    free(z->prefix);
    memset(z, 0, sizeof *z);
}
