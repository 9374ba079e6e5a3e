#include "gallery/json_read.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define MAX_DEPTH 64

json_object *gal_json_parse(const char *buf, size_t n, const char *name, irra_err *e)
{
    if (n > (size_t)GAL_JSON_MAX_BYTES) return irra_fail(e, "%s: larger than 1 GiB", name), NULL;
    json_tokener *tok = json_tokener_new_ex(MAX_DEPTH);
    if (!tok) return irra_fail(e, "%s: out of memory", name), NULL;
    json_object *root = json_tokener_parse_ex(tok, buf, (int)n);
    enum json_tokener_error err = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    while (root && end < n && isspace((unsigned char)buf[end])) end++;
    if (!root || err != json_tokener_success || end != n) {
        irra_fail(e, "%s: malformed JSON near byte %zu (%s)", name, end,
                  root && err == json_tokener_success ? "text after the value"
                  : err == json_tokener_continue      ? "unexpected end of file"
                                                      : json_tokener_error_desc(err));
        json_object_put(root);
        root = NULL;
    }
    json_tokener_free(tok);
    return root;
}

json_object *gal_json_read_file(const char *path, irra_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return irra_fail(e, "%s: %s", path, strerror(errno)), NULL;
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > GAL_JSON_MAX_BYTES) {
        fclose(f);
        return irra_fail(e, "%s: not a regular file below 1 GiB", path), NULL;
    }
    size_t n = (size_t)st.st_size;
    char *buf = malloc(n + 1);
    if (!buf) {
        fclose(f);
        return irra_fail(e, "%s: out of memory", path), NULL;
    }
    size_t got = fread(buf, 1, n, f);
    fclose(f);
    json_object *root = got == n ? gal_json_parse(buf, n, path, e)
                                 : (irra_fail(e, "%s: read error", path), NULL);
    free(buf);
    return root;
}
