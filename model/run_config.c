/* configs.yaml reader on libyaml's document loader (tags such as !!python/tuple are kept as
 * tags and do not matter to us). */
#include "model/run_config.h"

#include <yaml.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* configs.yaml is read automatically beside any .pth, and libyaml's loader takes quadratic time
 * in the nesting depth (40,000 levels in 80 KB: 6 s). The trainer's file is ~2 KB and two levels
 * deep; the limits leave room for hand edits. */
#define MAX_YAML_BYTES (256 << 10)
#define MAX_YAML_DEPTH 32

static int scalar_int(yaml_node_t *n, int *out)
{
    if (!n || n->type != YAML_SCALAR_NODE) return -1;
    const char *s = (const char *)n->data.scalar.value;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (end == s || *end || errno || v <= 0 || v > 1 << 20) return -1;
    *out = (int)v;
    return 0;
}

static int read_keys(yaml_document_t *doc, const char *path, int *img_h, int *img_w,
                     int *stride, irra_err *e)
{
    yaml_node_t *root = yaml_document_get_root_node(doc);
    if (!root) return irra_fail(e, "%s: empty YAML document", path);
    if (root->type != YAML_MAPPING_NODE) return irra_fail(e, "%s: YAML top level is not a mapping", path);
    for (yaml_node_pair_t *p = root->data.mapping.pairs.start; p < root->data.mapping.pairs.top; p++) {
        yaml_node_t *k = yaml_document_get_node(doc, p->key), *v = yaml_document_get_node(doc, p->value);
        if (!k || k->type != YAML_SCALAR_NODE) continue;
        const char *key = (const char *)k->data.scalar.value;
        if (!strcmp(key, "stride_size")) {
            if (scalar_int(v, stride))
                return irra_fail(e, "%s: stride_size is not a positive integer", path);
        } else if (!strcmp(key, "img_size")) {
            int hw[2];
            if (!v || v->type != YAML_SEQUENCE_NODE ||
                v->data.sequence.items.top - v->data.sequence.items.start != 2 ||
                scalar_int(yaml_document_get_node(doc, v->data.sequence.items.start[0]), &hw[0]) ||
                scalar_int(yaml_document_get_node(doc, v->data.sequence.items.start[1]), &hw[1]))
                return irra_fail(e, "%s: img_size is not a pair of positive integers", path);
            *img_h = hw[0], *img_w = hw[1];
        }
    }
    return 0;
}

static int malformed(yaml_parser_t *p, const char *path, irra_err *e)
{
    return irra_fail(e, "%s:%zu: malformed YAML: %s", path, p->problem_mark.line + 1,
                     p->problem ? p->problem : "parse error");
}

/* The file's bytes, at most MAX_YAML_BYTES (a regular file only: not a FIFO that never ends). */
static char *slurp(const char *path, size_t *len, irra_err *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) return irra_fail(e, "%s: %s", path, strerror(errno)), NULL;
    struct stat st;
    char *buf = NULL;
    if (fstat(fileno(f), &st) || !S_ISREG(st.st_mode))
        irra_fail(e, "%s: not a regular file", path);
    else if (st.st_size > MAX_YAML_BYTES)
        irra_fail(e, "%s: %lld bytes: not a configs.yaml (at most %d)", path,
                  (long long)st.st_size, MAX_YAML_BYTES);
    else if (!(buf = malloc((size_t)st.st_size + 1)))
        irra_fail(e, "%s: out of memory", path);
    else if ((*len = fread(buf, 1, (size_t)st.st_size + 1, f)) > (size_t)st.st_size) {
        irra_fail(e, "%s: grew while being read", path);
        free(buf);
        buf = NULL;
    }
    fclose(f);
    return buf;
}

/* Walks the events (cheap: no tree is built) and stops at the first level past the limit. */
static int check_depth(const char *buf, size_t len, const char *path, irra_err *e)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) return irra_fail(e, "%s: out of memory", path);
    yaml_parser_set_input_string(&p, (const unsigned char *)buf, len);
    int depth = 0, rc = 0, done = 0;
    while (!rc && !done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            rc = malformed(&p, path, e);
            break;
        }
        if (ev.type == YAML_SEQUENCE_START_EVENT || ev.type == YAML_MAPPING_START_EVENT) depth++;
        if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) depth--;
        if (depth > MAX_YAML_DEPTH)
            rc = irra_fail(e, "%s:%zu: YAML nested over %d levels deep: not a configs.yaml", path,
                           ev.start_mark.line + 1, MAX_YAML_DEPTH);
        done = ev.type == YAML_STREAM_END_EVENT;
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    return rc;
}

int irra_read_run_config(const char *yaml_path, int *img_h, int *img_w, int *stride, irra_err *e)
{
    size_t len;
    char *buf = slurp(yaml_path, &len, e);
    if (!buf) return -1;
    if (check_depth(buf, len, yaml_path, e)) {
        free(buf);
        return -1;
    }
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        free(buf);
        return irra_fail(e, "%s: out of memory", yaml_path);
    }
    yaml_parser_set_input_string(&parser, (const unsigned char *)buf, len);
    int rc;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = malformed(&parser, yaml_path, e);
    } else {
        rc = read_keys(&doc, yaml_path, img_h, img_w, stride, e);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    free(buf);
    return rc;
}
