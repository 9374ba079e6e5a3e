/* irra fill-mask: the IRR head as a visual fill-in-the-blank. Each <|mask|> in the text is
 * predicted from the text around it and the image, through the cross-modal encoder. */
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
    "usage: irra fill-mask [--model M] --image F [--top-k K] [--json] TEXT\n\n"
    "Predicts every <|mask|> in TEXT from the rest of the text and the image, with the model's\n"
    "implicit-relation-reasoning (MLM) head, and prints the top-k tokens with probabilities.\n"
    "[MASK] (BERT's spelling) and <mask> (RoBERTa's) are read as <|mask|>.\n"
    "Example: irra fill-mask --image p.jpg \"a woman in a <|mask|> coat and black trousers\"\n\n"
    "options:\n"
    "  --image F          the person image\n"
    "  -k, --top-k K      candidates per mask (default 5)\n"
    "  --json             one JSON object for scripts\n"
    CLI_MODEL_USAGE;

typedef struct {
    int id;
    float p;
} cand;

/* softmax(logits[V]) and the k most probable ids, best first (ties: lower id first). */
static void top_k(const float *logits, int V, int k, cand *out)
{
    float mx = logits[0];
    for (int i = 1; i < V; i++) mx = logits[i] > mx ? logits[i] : mx;
    double sum = 0;
    for (int i = 0; i < V; i++) sum += exp(logits[i] - mx);
    for (int j = 0; j < k; j++) out[j] = (cand){-1, -1};
    for (int i = 0; i < V; i++) {
        float p = (float)(exp(logits[i] - mx) / sum);
        if (p <= out[k - 1].p) continue;
        int j = k - 1;
        for (; j > 0 && out[j - 1].p < p; j--) out[j] = out[j - 1];
        out[j] = (cand){i, p};
    }
}

static const char *token_text(const irra_bpe *b, int id)
{
    const char *t = irra_bpe_token(b, id);
    return t ? t : "?";
}

static void print_masks(const irra_bpe *bpe, const char *text, const int32_t *ids, int n,
                        const float *logits, int V, int k, int as_json)
{
    cand *c = malloc(sizeof *c * k);
    json_object *root = json_object_new_object(), *masks = json_object_new_array();
    json_object_object_add(root, "text", json_object_new_string(text));
    int nmask = 0;
    for (int t = 0; t < n; t++) {
        if (ids[t] != irra_bpe_mask(bpe)) continue;
        top_k(logits + (size_t)t * V, V, k, c);
        nmask++;
        if (!as_json) {
            char safe[1024]; /* tokens come from the vocabulary file */
            printf("mask %d (token %d, after \"%s\"):\n", nmask, t,
                   cli_safe(token_text(bpe, ids[t - 1]), safe, sizeof safe));
            for (int j = 0; j < k && c[j].id >= 0; j++)
                printf("  %-16s %.4f\n", cli_safe(token_text(bpe, c[j].id), safe, sizeof safe),
                       c[j].p);
            continue;
        }
        json_object *m = json_object_new_object(), *a = json_object_new_array();
        json_object_object_add(m, "position", json_object_new_int(t));
        for (int j = 0; j < k && c[j].id >= 0; j++) {
            json_object *o = json_object_new_object();
            json_object_object_add(o, "token", json_object_new_string(token_text(bpe, c[j].id)));
            json_object_object_add(o, "id", json_object_new_int(c[j].id));
            json_object_object_add(o, "probability", json_object_new_double(c[j].p));
            json_object_array_add(a, o);
        }
        json_object_object_add(m, "candidates", a);
        json_object_array_add(masks, m);
    }
    json_object_object_add(root, "masks", masks);
    if (as_json) puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
    free(c);
}

/* text with every [MASK] and <mask> (other models' spellings) written as CLIP's <|mask|>; NULL
 * when out of memory. */
static char *with_clip_masks(const char *text)
{
    static const char *alias[] = {"[MASK]", "<mask>"};
    size_t n = strlen(text), extra = 0;
    for (int a = 0; a < 2; a++)
        for (const char *p = text; (p = strstr(p, alias[a])); p += strlen(alias[a])) extra += 2;
    char *out = malloc(n + extra + 1), *q = out;
    if (!out) return NULL;
    for (const char *p = text; *p;) {
        int a = !strncmp(p, alias[0], 6) ? 0 : !strncmp(p, alias[1], 6) ? 1 : -1;
        if (a < 0) {
            *q++ = *p++;
            continue;
        }
        memcpy(q, "<|mask|>", 8);
        q += 8;
        p += 6;
    }
    *q = 0;
    return out;
}

/* Runs image tower + IRR head; logits: [context, mlm_vocab]. */
static int predict(irra_model *m, const char *image, const int32_t *ids, float *logits, irra_err *e)
{
    const irra_config *c = irra_model_config(m);
    float *px = malloc(sizeof(float) * 3 * c->img_h * c->img_w);
    float *tok = malloc(sizeof(float) * c->v_tokens * c->embed_dim);
    float *feat = malloc(sizeof(float) * c->embed_dim);
    int rc = -1;
    if (!px || !tok || !feat) irra_fail(e, "out of memory");
    else if (!irra_image_load_input(image, c->img_h, c->img_w, px, e) &&
             !irra_encode_image(m, px, 1, feat, tok, e))
        rc = irra_mlm(m, ids, tok, 1, logits, NULL, e);
    free(px), free(tok), free(feat);
    return rc;
}

int cmd_fill_mask(int argc, char **argv)
{
    if (cli_wants_help(argc, argv, usage)) return 0;
    static const struct option longopts[] = {
        {"image", required_argument, 0, 'i'}, {"top-k", required_argument, 0, 'k'},
        {"json", no_argument, 0, 'j'}, CLI_MODEL_LONGOPTS, {0, 0, 0, 0}};
    cli_model_opts mo = {0};
    const char *image = NULL;
    int k = 5, as_json = 0, c;
    optind = 1;
    while ((c = getopt_long(argc, argv, "k:", longopts, NULL)) != -1) {
        int r = cli_model_opt(&mo, c, optarg);
        if (r < 0) return CLI_EXIT_ERROR;
        if (r) continue;
        if (c == 'i') image = optarg;
        else if (c == 'k' && (k = atoi(optarg)) >= 1 && k <= 1000) continue;
        else if (c == 'k') return cli_error("fill-mask: --top-k wants 1..1000, got '%s'", optarg);
        else if (c == 'j') as_json = 1;
        else return cli_bad_option("fill-mask", "irra fill-mask --help", "k:", argv);
    }
    if (!image) return cli_error("fill-mask: --image F is required");
    if (optind != argc - 1) return cli_error("fill-mask: give one TEXT containing <|mask|>");
    char *text = with_clip_masks(argv[optind]);
    if (!text) return cli_error("fill-mask: out of memory");
    irra_model *m = cli_model_load(&mo);
    if (!m) return free(text), CLI_EXIT_ERROR;
    const irra_config *cfg = irra_model_config(m);
    const irra_bpe *bpe = irra_model_bpe(m);
    irra_err e = {{0}};
    int32_t *ids = calloc(cfg->context, sizeof *ids);
    float *logits = malloc(sizeof(float) * cfg->context * (size_t)cfg->mlm_vocab);
    int rc = 0, n = -1, has_mask = 0;
    if (!cfg->has_mlm) rc = cli_error("fill-mask: %s has no MLM head (mlm_head.*)", mo.model ? mo.model : "the model");
    else if (!bpe) rc = cli_error("fill-mask: the model has no vocabulary: give --vocab F");
    else if (!ids || !logits) rc = cli_error("fill-mask: out of memory");
    else if ((n = irra_bpe_encode(bpe, text, ids, cfg->context, &e)) < 0) rc = cli_error("fill-mask: %s", e.msg);
    for (int t = 0; t < n; t++) has_mask |= ids[t] == irra_bpe_mask(bpe);
    if (!rc && !has_mask)
        rc = cli_error("fill-mask: the text has no <|mask|> token (write <|mask|> where a word is missing)");
    if (!rc && predict(m, image, ids, logits, &e)) rc = cli_error("fill-mask: %s", e.msg);
    if (!rc) print_masks(bpe, text, ids, n, logits, cfg->mlm_vocab, k, as_json);
    free(ids), free(logits), free(text);
    irra_model_free(m);
    return rc;
}
