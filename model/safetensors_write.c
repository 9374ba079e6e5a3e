/* Writing a safetensors file (format in safetensors.c). The data are laid out by element size,
 * largest first, so that with the 8-byte-aligned data start every tensor is aligned to its
 * element size; the header lists tensors in the caller's order. */
#include "model/tensors_io.h"

#include <json-c/json.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CHUNK 65536

static int is_float(irra_dtype d) { return d == IRRA_F32 || d == IRRA_F16 || d == IRRA_BF16; }

static irra_dtype out_dtype(const irra_tensor *t, irra_dtype want)
{
    return is_float(t->dtype) ? want : t->dtype;
}

/* n elements `stride` apart from src, converted to dtype `to`, appended to f. */
static int write_run(FILE *f, const uint8_t *src, irra_dtype from, irra_dtype to, int64_t n,
                     int64_t stride, float *fbuf, uint16_t *hbuf)
{
    size_t es = irra_dtype_size(from);
    if (from == to && stride == 1) return fwrite(src, es, (size_t)n, f) == (size_t)n ? 0 : -1;
    for (int64_t at = 0; at < n; at += CHUNK) {
        int64_t m = n - at < CHUNK ? n - at : CHUNK;
        const uint8_t *p = src + at * stride * (int64_t)es;
        if (!is_float(from)) { /* integers keep their type; gather them */
            for (int64_t i = 0; i < m; i++) memcpy((uint8_t *)fbuf + i * es, p + i * stride * es, es);
            if (fwrite(fbuf, es, (size_t)m, f) != (size_t)m) return -1;
            continue;
        }
        irra_convert_to_f32(p, from, m, stride, fbuf);
        if (to == IRRA_F32) {
            if (fwrite(fbuf, 4, (size_t)m, f) != (size_t)m) return -1;
        } else {
            for (int64_t i = 0; i < m; i++) hbuf[i] = irra_f32_to_f16(fbuf[i]);
            if (fwrite(hbuf, 2, (size_t)m, f) != (size_t)m) return -1;
        }
    }
    return 0;
}

static int write_tensor(FILE *f, const irra_tensor *t, irra_dtype to, float *fbuf, uint16_t *hbuf)
{
    if (irra_tensor_numel(t) == 0) return 0;
    if (irra_tensor_is_contiguous(t))
        return write_run(f, t->data, t->dtype, to, irra_tensor_numel(t), 1, fbuf, hbuf);
    int64_t len, stride, rows = irra_tensor_rows(t, &len, &stride);
    for (int64_t r = 0; r < rows; r++)
        if (write_run(f, irra_tensor_row(t, r), t->dtype, to, len, stride, fbuf, hbuf)) return -1;
    return 0;
}

/* Data order: a stable sort by output element size, largest first. */
static int *data_order(const irra_tensor *t, int n, irra_dtype want)
{
    int *ord = malloc(((size_t)n + 1) * sizeof *ord), k = 0;
    if (!ord) return NULL;
    for (size_t sz = 8; sz >= 1; sz /= 2)
        for (int i = 0; i < n; i++)
            if (irra_dtype_size(out_dtype(&t[i], want)) == sz) ord[k++] = i;
    return ord;
}

static struct json_object *header(const irra_tensor *t, int n, irra_dtype want, const int *ord,
                                  const char *const *mk, const char *const *mv, int nmeta)
{
    struct json_object *h = json_object_new_object(), *meta = NULL;
    int64_t *begin = malloc(((size_t)n + 1) * sizeof *begin), at = 0;
    if (!h || !begin) goto fail;
    for (int k = 0; k < n; k++) {
        int i = ord[k];
        begin[i] = at;
        at += irra_tensor_numel(&t[i]) * (int64_t)irra_dtype_size(out_dtype(&t[i], want));
    }
    if (nmeta) {
        if (!(meta = json_object_new_object())) goto fail;
        json_object_object_add(h, "__metadata__", meta);
        for (int i = 0; i < nmeta; i++)
            json_object_object_add(meta, mk[i], json_object_new_string(mv[i]));
    }
    for (int i = 0; i < n; i++) {
        irra_dtype d = out_dtype(&t[i], want);
        struct json_object *o = json_object_new_object(), *shape = json_object_new_array(),
                           *offs = json_object_new_array();
        if (!o || !shape || !offs) goto fail;
        for (int k = 0; k < t[i].ndim; k++)
            json_object_array_add(shape, json_object_new_int64(t[i].shape[k]));
        int64_t end = begin[i] + irra_tensor_numel(&t[i]) * (int64_t)irra_dtype_size(d);
        json_object_array_add(offs, json_object_new_int64(begin[i]));
        json_object_array_add(offs, json_object_new_int64(end));
        json_object_object_add(o, "dtype", json_object_new_string(irra_dtype_name(d)));
        json_object_object_add(o, "shape", shape);
        json_object_object_add(o, "data_offsets", offs);
        json_object_object_add(h, t[i].name, o);
    }
    free(begin);
    return h;
fail:
    free(begin);
    json_object_put(h);
    return NULL;
}

static int check_input(const char *path, const irra_tensor *t, int n, irra_dtype dtype,
                       irra_err *e)
{
    if (dtype != IRRA_F32 && dtype != IRRA_F16)
        return irra_fail(e, "%s: safetensors output dtype must be F32 or F16", path);
    for (int i = 0; i < n; i++) {
        if (t[i].ndim < 0 || t[i].ndim > IRRA_MAX_DIMS || irra_tensor_numel(&t[i]) < 0)
            return irra_fail(e, "%s: tensor '%s' has a bad shape", path, t[i].name);
        if (!strcmp(t[i].name, "__metadata__"))
            return irra_fail(e, "%s: a tensor may not be called __metadata__", path);
        for (int j = 0; j < i; j++)
            if (!strcmp(t[i].name, t[j].name))
                return irra_fail(e, "%s: tensor '%s' given twice", path, t[i].name);
    }
    return 0;
}

/* Writes header and data to f. */
static int write_all(FILE *f, const irra_tensor *t, int n, irra_dtype dtype,
                     const char *const *mk, const char *const *mv, int nmeta)
{
    int rc = -1, *ord = data_order(t, n, dtype);
    float *fbuf = malloc(CHUNK * sizeof *fbuf * 2);
    uint16_t *hbuf = malloc(CHUNK * sizeof *hbuf);
    struct json_object *h = ord ? header(t, n, dtype, ord, mk, mv, nmeta) : NULL;
    if (h && fbuf && hbuf) {
        size_t len;
        const char *js = json_object_to_json_string_length(
            h, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
        size_t pad = (8 - len % 8) % 8;
        uint8_t hl[8];
        for (int i = 0; i < 8; i++) hl[i] = (uint8_t)((len + pad) >> (8 * i));
        rc = js && fwrite(hl, 1, 8, f) == 8 && fwrite(js, 1, len, f) == len &&
                     fwrite("        ", 1, pad, f) == pad ? 0 : -1;
        for (int k = 0; k < n && !rc; k++)
            rc = write_tensor(f, &t[ord[k]], out_dtype(&t[ord[k]], dtype), fbuf, hbuf);
    }
    json_object_put(h);
    free(ord), free(fbuf), free(hbuf);
    return rc;
}

/* mkstemp creates 0600; the model file gets what open(..., 0666) would under the process umask.
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

int irra_safetensors_write(const char *path, const irra_tensor *t, int n, irra_dtype dtype,
                           const char *const *meta_key, const char *const *meta_val, int nmeta,
                           irra_err *e)
{
    if (check_input(path, t, n, dtype, e)) return -1;
    size_t pl = strlen(path);
    char *tmp = malloc(pl + 16);
    if (!tmp) return irra_fail(e, "%s: out of memory", path);
    snprintf(tmp, pl + 16, "%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        irra_fail(e, "%s: cannot create %s: %s", path, tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    fchmod(fd, 0666 & ~process_umask());
    FILE *f = fdopen(fd, "wb");
    int rc = f ? write_all(f, t, n, dtype, meta_key, meta_val, nmeta) : -1;
    int err = errno;
    if (f) {
        if (fflush(f) || fsync(fileno(f))) rc = -1, err = errno;
        if (fclose(f)) rc = -1, err = errno;
    } else {
        close(fd);
    }
    if (!rc && rename(tmp, path)) rc = -1, err = errno;
    if (rc) {
        unlink(tmp);
        irra_fail(e, "%s: write failed: %s", path, strerror(err));
    }
    free(tmp);
    return rc;
}
