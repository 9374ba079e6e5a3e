/* irra embed: IRRA's global features of texts and images, one JSON object per line. */
#include "cmd/cli.h"
#include "cmd/commands.h"
#include "cmd/model_opts.h"
#include "model/image.h"

#include <json-c/json.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char usage[] =
    "usage: irra embed [--model M] [--text T]... [--image F]... [--normalize]\n\n"
    "Prints, per input and in the order given, one JSON object per line:\n"
    "  {\"kind\":\"text\"|\"image\",\"input\":...,\"feature\":[...]}\n"
    "with IRRA's global feature (projected EOT token for a text, projected CLS token for an\n"
    "image), unnormalised unless --normalize.\n\n"
    "options:\n"
    "  --text T           a description to encode (repeatable)\n"
    "  --image F          an image file to encode (repeatable; JPEG, PNG, BMP, ...)\n"
    "  --normalize        L2-normalise the features\n"
    CLI_MODEL_USAGE;

typedef struct {
    int is_image;
    const char *value;
} input;

static void print_feature(const input *in, const float *f, int dim, int normalize)
{
    double norm = 0;
    for (int i = 0; i < dim; i++) norm += (double)f[i] * f[i];
    norm = normalize && norm > 0 ? sqrt(norm) : 1;
    json_object *o = json_object_new_object(), *a = json_object_new_array_ext(dim);
    json_object_object_add(o, "kind", json_object_new_string(in->is_image ? "image" : "text"));
    json_object_object_add(o, "input", json_object_new_string(in->value));
    for (int i = 0; i < dim; i++) json_object_array_add(a, json_object_new_double(f[i] / norm));
    json_object_object_add(o, "feature", a);
    puts(json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

/* Encodes one input into feat[dim]. */
static int encode(irra_model *m, const input *in, float *feat, irra_err *e)
{
    const irra_config *c = irra_model_config(m);
    if (!in->is_image) {
        const irra_bpe *bpe = irra_model_bpe(m);
        if (!bpe) return irra_fail(e, "the model has no vocabulary: give --vocab F");
        int32_t *ids = calloc(c->context, sizeof *ids);
        int rc = !ids || irra_bpe_encode(bpe, in->value, ids, c->context, e) < 0 ? -1
                 : irra_encode_text(m, ids, 1, feat, NULL, e);
        free(ids);
        return rc;
    }
    float *px = malloc(sizeof(float) * 3 * c->img_h * c->img_w);
    int rc = !px ? irra_fail(e, "out of memory")
             : irra_image_load_input(in->value, c->img_h, c->img_w, px, e) ? -1
             : irra_encode_image(m, px, 1, feat, NULL, e);
    free(px);
    return rc;
}

int cmd_embed(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    static const struct option longopts[] = {
        {"text", required_argument, 0, 't'}, {"image", required_argument, 0, 'i'},
        {"normalize", no_argument, 0, 'n'}, CLI_MODEL_LONGOPTS, {0, 0, 0, 0}};
    cli_model_opts mo = {0};
    input *in = calloc(argc, sizeof *in);
    int nin = 0, normalize = 0, c, rc = 0;
    optind = 1;
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        int r = cli_model_opt(&mo, c, optarg);
        if (r < 0) return free(in), CLI_EXIT_ERROR;
        if (r) continue;
        if (c == 't' || c == 'i') in[nin++] = (input){c == 'i', optarg};
        else if (c == 'n') normalize = 1;
        else return free(in), cli_bad_option("embed", "irra embed --help", "", argv);
    }
    if (optind < argc) return free(in), cli_error("embed: unexpected '%s' (use --text or --image)", argv[optind]);
    if (!nin) return free(in), cli_error("embed: nothing to encode (give --text T or --image F)");
    irra_model *m = cli_model_load(&mo);
    if (!m) return free(in), CLI_EXIT_ERROR;
    int images = 0;
    for (int i = 0; i < nin; i++) images += in[i].is_image;
    if (images > IRRA_PREPARE_AFTER) irra_model_prepare(m, IRRA_PREPARE_IMAGE);
    if (nin - images > IRRA_PREPARE_AFTER) irra_model_prepare(m, IRRA_PREPARE_TEXT);
    int dim = irra_model_config(m)->embed_dim;
    float *feat = malloc(sizeof(float) * dim);
    json_c_set_serialization_double_format("%.9g", JSON_C_OPTION_THREAD);
    for (int i = 0; i < nin && !rc; i++) {
        irra_err e = {{0}};
        if (encode(m, &in[i], feat, &e)) rc = cli_error("embed: %s", e.msg);
        else print_feature(&in[i], feat, dim, normalize);
    }
    free(feat);
    free(in);
    irra_model_free(m);
    return rc;
}
