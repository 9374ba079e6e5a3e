/* Temporary file + fsync + rename (atomic_file.h). */
#include "model/atomic_file.h"

#include <errno.h>
#include <libdeflate.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* mkstemp creates 0600; a model file gets what open(..., 0666) would under the process umask.
 * umask() can only be read by changing it (process-wide, racy with threads), so read it from
 * /proc/self/status (Linux >= 4.7); 022 when that is not available. */
static mode_t process_umask(void)
{
    unsigned mask = 022;
    char line[128];
    FILE *f = fopen("/proc/self/status", "r");
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "Umask: %o", &mask) == 1) break;
    if (f) fclose(f);
    return (mode_t)(mask & 0777);
}

int irra_atomic_open(irra_atomic *a, const char *path, irra_err *e)
{
    memset(a, 0, sizeof *a);
    a->path = path;
    size_t pl = strlen(path);
    if (!(a->tmp = malloc(pl + 16))) return irra_fail(e, "%s: out of memory", path);
    snprintf(a->tmp, pl + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(a->tmp);
    if (fd < 0) {
        irra_fail(e, "%s: cannot write: %s", path, strerror(errno));
        free(a->tmp), a->tmp = NULL;
        return -1;
    }
    fchmod(fd, 0666 & ~process_umask());
    if (!(a->f = fdopen(fd, "wb"))) {
        int err = errno;
        close(fd);
        unlink(a->tmp);
        free(a->tmp), a->tmp = NULL;
        return irra_fail(e, "%s: %s", path, strerror(err));
    }
    return 0;
}

void irra_atomic_abort(irra_atomic *a)
{
    if (a->f) fclose(a->f);
    if (a->tmp) unlink(a->tmp);
    free(a->tmp);
    a->f = NULL, a->tmp = NULL;
}

int irra_atomic_close(irra_atomic *a, int write_failed, irra_err *e)
{
    int err = write_failed;
    if (fflush(a->f) || fsync(fileno(a->f))) err = err ? err : errno;
    if (fclose(a->f)) err = err ? err : errno;
    a->f = NULL;
    if (!err) return 0;
    irra_atomic_abort(a);
    return irra_fail(e, "%s: write failed: %s", a->path, err > 0 ? strerror(err) : "I/O error");
}

int irra_atomic_rename(irra_atomic *a, irra_err *e)
{
    if (rename(a->tmp, a->path)) {
        int err = errno;
        irra_atomic_abort(a);
        return irra_fail(e, "%s: cannot write: %s", a->path, strerror(err));
    }
    free(a->tmp), a->tmp = NULL;
    return 0;
}

int irra_atomic_commit(irra_atomic *a, int write_failed, irra_err *e)
{
    return irra_atomic_close(a, write_failed, e) ? -1 : irra_atomic_rename(a, e);
}

int irra_atomic_write(const char *path, const void *data, size_t n, int gzip, irra_err *e)
{
    void *z = NULL;
    if (gzip) {
        struct libdeflate_compressor *c = libdeflate_alloc_compressor(9);
        size_t cap = c ? libdeflate_gzip_compress_bound(c, n) : 0;
        z = cap ? malloc(cap) : NULL;
        size_t zn = z ? libdeflate_gzip_compress(c, data, n, z, cap) : 0;
        if (c) libdeflate_free_compressor(c);
        if (!zn) return free(z), irra_fail(e, "%s: out of memory for gzip", path);
        data = z, n = zn;
    }
    irra_atomic a;
    if (irra_atomic_open(&a, path, e)) return free(z), -1;
    int failed = fwrite(data, 1, n, a.f) != n ? (errno ? errno : -1) : 0;
    free(z);
    return irra_atomic_commit(&a, failed, e);
}
