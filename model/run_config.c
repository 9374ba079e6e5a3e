/* configs.yaml reader on libyaml's document loader (tags such as !!python/tuple are kept as
 * tags and do not matter to us). */
#include "model/run_config.h"

#include <yaml.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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

int irra_read_run_config(const char *yaml_path, int *img_h, int *img_w, int *stride, irra_err *e)
{
    FILE *f = fopen(yaml_path, "rb");
    if (!f) return irra_fail(e, "%s: %s", yaml_path, strerror(errno));
    yaml_parser_t parser;
    yaml_document_t doc;
    if (!yaml_parser_initialize(&parser)) {
        fclose(f);
        return irra_fail(e, "%s: out of memory", yaml_path);
    }
    yaml_parser_set_input_file(&parser, f);
    int rc;
    if (!yaml_parser_load(&parser, &doc)) {
        rc = irra_fail(e, "%s:%zu: malformed YAML: %s", yaml_path, parser.problem_mark.line + 1,
                       parser.problem ? parser.problem : "parse error");
    } else {
        rc = read_keys(&doc, yaml_path, img_h, img_w, stride, e);
        yaml_document_delete(&doc);
    }
    yaml_parser_delete(&parser);
    fclose(f);
    return rc;
}
