/* The tokenizer against IRRA's Python tokenizer: every line of tests/data/tokenizer-vectors.jsonl (made by
 * a Python replica of utils/simple_tokenizer.py), the vectors written in spec section 8, the
 * truncation rule of spec 4.7, the cleaning steps, and loading errors. */
#include "model/bpe.h"
#include "tests/check.h"

#include <json.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define MERGES "assets/bpe_simple_vocab_16e6.txt.gz"
#define VECTORS "tests/data/tokenizer-vectors.jsonl"

static irra_bpe *bpe;
static char tmpdir[] = "/tmp/test_bpe.XXXXXX";

static int encode(const char *text, int32_t *ids, int context)
{
    irra_err e = {{0}};
    int n = irra_bpe_encode(bpe, text, ids, context, &e);
    if (n < 0) printf("  encode(\"%s\"): %s\n", text, e.msg);
    return n;
}

/* ids of text equal want[0..nwant) */
static int same_ids(const char *text, const int32_t *want, int nwant)
{
    int32_t ids[512];
    int n = encode(text, ids, 512);
    if (n == nwant && !memcmp(ids, want, (size_t)n * sizeof *ids)) return 1;
    printf("  \"%s\": got", text);
    for (int i = 0; i < n; i++) printf(" %d", ids[i]);
    printf("\n");
    return 0;
}

/* Two texts encode alike (a cleaning step that Python applies). */
static int same_as(const char *a, const char *b)
{
    int32_t x[256], y[256];
    int n = encode(a, x, 256), m = encode(b, y, 256);
    return n > 0 && n == m && !memcmp(x, y, (size_t)n * sizeof *x);
}

/* Encodes the "text" of every line of a jsonl file and compares with its "ids"; returns the
 * number of lines checked. */
static int check_vector_file(const char *path, int context)
{
    FILE *f = fopen(path, "r");
    EXPECTF(f, "cannot open %s", path);
    if (!f) return 0;
    char *line = NULL;
    size_t cap = 0;
    int lineno = 0, checked = 0;
    int32_t *want = malloc((size_t)context * sizeof *want), *got = malloc((size_t)context * sizeof *got);
    while (getline(&line, &cap, f) > 0) {
        lineno++;
        json_object *o = json_tokener_parse(line), *text, *ids;
        int ok = o && json_object_object_get_ex(o, "text", &text) && json_object_object_get_ex(o, "ids", &ids);
        EXPECTF(ok, "%s: line %d unreadable", path, lineno);
        if (!ok) {
            json_object_put(o);
            continue;
        }
        int n = (int)json_object_array_length(ids);
        for (int i = 0; i < n && i < context; i++)
            want[i] = json_object_get_int(json_object_array_get_idx(ids, (size_t)i));
        int m = encode(json_object_get_string(text), got, context);
        EXPECTF(m == n && !memcmp(got, want, (size_t)n * sizeof *got), "%s: line %d: %.60s", path,
                lineno, json_object_get_string(text));
        checked++;
        json_object_put(o);
    }
    free(want);
    free(got);
    free(line);
    fclose(f);
    return checked;
}

static void every_vector_in_reference_file(void)
{
    int n = check_vector_file(VECTORS, 77);
    EXPECTF(n >= 24, "only %d vectors", n);
}

/* Long and repetitive words ("aaaa", "abab", 3000 letters) against the Python bpe() loop:
 * tests/gen_bpe_words.py wrote them. */
static void long_words_match_python_loop(void)
{
    int n = check_vector_file("tests/data/bpe-words.jsonl", 4096);
    EXPECTF(n >= 40, "only %d words", n);
}

static void spec_section_8_vectors(void)
{
    EXPECT(same_ids("A woman wearing a red shirt and black pants.",
                    (int32_t[]){49406, 320, 2308, 3309, 320, 736, 2523, 537, 1449, 5003, 269, 49407}, 12));
    EXPECT(same_ids("The man has short black hair, wears a white T-shirt; he's carrying a bag!",
                    (int32_t[]){49406, 518, 786, 791, 3005, 1449, 2225, 267, 11869, 320, 1579, 339, 268,
                                2523, 282, 797, 568, 9920, 320, 3365, 256, 49407}, 22));
    EXPECT(same_ids("person in 2 blue shoes", (int32_t[]){49406, 2533, 530, 273, 1746, 4079, 49407}, 7));
}

/* spec 4.7: tokens[:context], the last overwritten with EOT, so context-2 BPE ids survive */
static void truncation_keeps_eot_last(void)
{
    int32_t ids[77], five[5];
    EXPECT(encode("a red shirt and black pants", five, 5) == 5);
    EXPECT(!memcmp(five, ((int32_t[]){49406, 320, 736, 2523, 49407}), sizeof five));
    EXPECT(encode("a red", ids, 2) == 2 && ids[0] == irra_bpe_sot(bpe) && ids[1] == irra_bpe_eot(bpe));
    EXPECT(encode("a red", ids, 3) == 3 && ids[1] == 320 && ids[2] == irra_bpe_eot(bpe));
    char longtext[400] = "";
    for (int i = 0; i < 90; i++) strcat(longtext, "red ");
    EXPECT(encode(longtext, ids, 77) == 77 && ids[0] == irra_bpe_sot(bpe) && ids[75] == 736 && ids[76] == irra_bpe_eot(bpe));
    irra_err e = {{0}};
    EXPECT(irra_bpe_encode(bpe, "a", ids, 1, &e) == -1 && strstr(e.msg, "context"));
}

/* Python raises KeyError on "jekyll" (its merge's token became <|mask|>); here the merge is
 * unranked, so the word stays "jeky" + "ll</w>" (ids 43893, 865 in the merges file). */
static void jekyll_merge_is_unranked(void)
{
    EXPECT(same_ids("jekyll", (int32_t[]){49406, 43893, 865, 49407}, 4));
    EXPECT(same_ids("Jekylls", (int32_t[]){49406, 43893, 40535, 49407}, 4));
}

static void token_display_strings(void)
{
    EXPECT(irra_bpe_vocab_size(bpe) == 49408);
    EXPECT(!strcmp(irra_bpe_token(bpe, 2308), "woman"));
    EXPECT(!strcmp(irra_bpe_token(bpe, 0), "!") && !strcmp(irra_bpe_token(bpe, 256), "!"));
    EXPECT(!strcmp(irra_bpe_token(bpe, 15304), "caf\xc3\xa9"));
    EXPECT(!strcmp(irra_bpe_token(bpe, 127), "<0xC3>")); /* half of a UTF-8 character */
    EXPECT(!strcmp(irra_bpe_token(bpe, 49405), "<|mask|>"));
    EXPECT(!strcmp(irra_bpe_token(bpe, 49406), "<|startoftext|>"));
    EXPECT(!strcmp(irra_bpe_token(bpe, 49407), "<|endoftext|>"));
    EXPECT(irra_bpe_token(bpe, -1) == NULL && irra_bpe_token(bpe, 49408) == NULL);
}

static void cleaning_follows_ftfy_and_html(void)
{
    EXPECT(same_as("\xe2\x80\x98long\xe2\x80\x99 \xe2\x80\x9c" "coat\xe2\x80\x9d", "'long' \"coat\""));
    EXPECT(same_as("a&#x41;&#66;&amp;amp;c &lt;", "aab&c <"));    /* ftfy, then html twice */
    EXPECT(same_as("fish &amp;amp;amp;amp; chips", "fish & chips")); /* ftfy repeats to a fixpoint */
    EXPECT(same_as("<b> &amp;amp;amp; </b>", "<b> & amp ; </b>")); /* "<" stops ftfy: 2 levels */
    EXPECT(same_as("re\x01" "d\x1b[31m coat\xef\xbb\xbf", "red coat"));
    EXPECT(same_as("cafe\xcc\x81", "caf\xc3\xa9"));            /* NFC */
    EXPECT(same_as("\xef\xbc\xa1\xef\xbc\xa2\xef\xbc\xa3", "abc")); /* fullwidth */
    EXPECT(same_as("\xef\xac\x81ne", "fine"));                  /* ligature */
    EXPECT(same_as("red\xc2\xa0\xe3\x80\x80 \t coat", "red coat"));
    EXPECT(same_as("\xce\x9f\xce\xA3", "\xce\xbf\xcf\x82"));    /* final sigma: "ΟΣ" -> "ος" */
    EXPECT(same_as("\xc4\xb0", "i\xcc\x87"));                   /* "İ".lower() is two characters */
    int32_t ids[8];
    irra_err e = {{0}};
    EXPECT(irra_bpe_encode(bpe, "bad \xff byte", ids, 8, &e) == -1 && strstr(e.msg, "UTF-8"));
}

/* Random mixes of the pieces that cleaning treats specially: every one either encodes to ids in
 * range, SOT first and EOT last, or is refused with a message (only invalid UTF-8 is). */
static void random_text_is_encoded_or_refused(void)
{
    static const char *piece[] = {"&", "#", "x", "X", "4", "1;", ";", "amp", "AMP", "lt", "nLt", "EACUTE;",
                                  "&#", "&#x", "<", ">", "\r", "\n", "\t", " ", "\xc2\x85", "\xc2\x9f",
                                  "\xc4\xb0", "\xce\xa3", "\xef\xac\x81", "\xef\xbc\xa1", "\x1b[", "\x1b",
                                  "'s", "'", "<|mask|>", "<|endoftext|>", "e\xcc\x81", "\xe2\x80\x9c",
                                  "\xef\xbb\xbf", "\x01", "\xf0\x9f\x98\x80", "\xe4\xb8\x80", "\xff", "\xe2\x80"};
    const int npiece = sizeof piece / sizeof *piece;
    unsigned seed = 12345;
    int refused = 0, bad = 0;
    for (int k = 0; k < 3000; k++) {
        char text[400] = "";
        int len = 1 + (int)((seed = seed * 1103515245u + 12345u) >> 16) % 40;
        for (int i = 0; i < len; i++) strcat(text, piece[((seed = seed * 1103515245u + 12345u) >> 16) % npiece]);
        int32_t ids[40];
        irra_err e = {{0}};
        int n = irra_bpe_encode(bpe, text, ids, 40, &e);
        if (n < 0) {
            refused++;
            bad += !e.msg[0] || !(strstr(text, "\xff") || strstr(text, "\xe2\x80") != NULL);
            continue;
        }
        int ok = n >= 2 && n <= 40 && ids[0] == irra_bpe_sot(bpe) && ids[n - 1] == irra_bpe_eot(bpe);
        for (int i = 0; i < n; i++) ok &= ids[i] >= 0 && ids[i] < 49408;
        bad += !ok;
    }
    EXPECTF(bad == 0, "%d bad results", bad);
    EXPECT(refused > 0 && refused < 3000);
}

static void load_mem_round_trips(void)
{
    size_t n, m;
    const char *t = irra_bpe_merges_text(bpe, &n);
    EXPECT(n > 400000 && !strncmp(t, "\"bpe_simple_vocab_16e6.txt#version: 0.2\n", 40));
    int lines = 0;
    for (size_t i = 0; i < n; i++) lines += t[i] == '\n';
    EXPECT(lines == 48895 && !strcmp(t + n - 12, "jeky ll</w>\n"));
    irra_err e = {{0}};
    irra_bpe *b = irra_bpe_load_mem(t, n, &e);
    EXPECTF(b, "%s", e.msg);
    if (!b) return;
    const char *t2 = irra_bpe_merges_text(b, &m);
    EXPECT(m == n && !memcmp(t, t2, n));
    int32_t x[77], y[77];
    const char *text = "The man has short black hair, wears a white T-shirt; he's carrying a bag!";
    int k = irra_bpe_encode(b, text, x, 77, &e);
    EXPECT(k == encode(text, y, 77) && !memcmp(x, y, (size_t)k * sizeof *x));
    irra_bpe_free(b);
}

static char *slurp(const char *path, size_t *n)
{
    FILE *f = fopen(path, "rb");
    if (!f) return NULL;
    fseek(f, 0, SEEK_END);
    *n = (size_t)ftell(f);
    rewind(f);
    char *d = malloc(*n);
    if (d && fread(d, 1, *n, f) != *n) free(d), d = NULL;
    fclose(f);
    return d;
}

static char *write_tmp(const char *name, const void *d, size_t n)
{
    static char path[4][256];
    static int k;
    char *p = path[k++ % 4];
    snprintf(p, 256, "%s/%s", tmpdir, name);
    FILE *f = fopen(p, "wb");
    fwrite(d, 1, n, f);
    fclose(f);
    return p;
}

/* A bad file gives NULL and a message naming it that says what is wrong. */
static int fails_with(const char *path, const char *what)
{
    irra_err e = {{0}};
    irra_bpe *b = irra_bpe_load_file(path, &e);
    if (b) irra_bpe_free(b);
    if (!b && strstr(e.msg, path) && strstr(e.msg, what)) return 1;
    printf("  %s: \"%s\" (wanted \"%s\")\n", path, b ? "loaded" : e.msg, what);
    return 0;
}

static void bad_files_are_clear_errors(void)
{
    size_t n, tn;
    char *gz = slurp(MERGES, &n);
    const char *t = irra_bpe_merges_text(bpe, &tn);
    EXPECT(gz != NULL);
    if (!gz) return;
    EXPECT(fails_with("/nonexistent/merges.txt.gz", "No such file"));
    EXPECT(fails_with(write_tmp("truncated.gz", gz, n / 3), "truncated gzip"));
    gz[n / 2] ^= 0x55, gz[n / 2 + 1] ^= 0x55;
    EXPECT(fails_with(write_tmp("corrupt.gz", gz, n), "corrupt gzip"));
    EXPECT(fails_with(write_tmp("garbage", "\x7f" "ELF\x01\x02garbage\n\x80\x81 \x82\n", 20), "line 2"));
    EXPECT(fails_with(write_tmp("empty", "", 0), "empty file"));
    EXPECT(fails_with(write_tmp("header", "#version: 0.2", 13), "no merge lines"));
    EXPECT(fails_with(write_tmp("blank", "#v\ni n\n\ni s\n", 12), "line 3: not a merge"));
    EXPECT(fails_with(write_tmp("three", "#v\ni n x\n", 9), "line 2: not a merge"));
    EXPECT(fails_with(write_tmp("unknown", "#v\nin g\n", 8), "not a token made by an earlier line"));
    EXPECT(fails_with(write_tmp("twice", "#v\ni n\ni n\n", 11), "line 3: 'in' is made by an earlier line"));
    EXPECT(fails_with(write_tmp("final", "#v\ni</w> n\n", 11), "'</w>' ends the first"));
    EXPECT(fails_with(tmpdir, "not a regular file"));
    free(gz);
    /* the plain text loads as well as the gzip */
    irra_err e = {{0}};
    irra_bpe *b = irra_bpe_load_file(write_tmp("plain.txt", t, tn), &e);
    EXPECTF(b, "%s", e.msg);
    irra_bpe_free(b);
}

static irra_bpe *load_text(const char *name, const char *t, size_t n)
{
    irra_err e = {{0}};
    irra_bpe *b = irra_bpe_load_file(write_tmp(name, t, n), &e);
    if (!b) printf("  %s: %s\n", name, e.msg);
    return b;
}

/* A shorter file is a smaller vocabulary, as simple_tokenizer.py reads it: split on '\n',
 * every element after the header but the last makes a token. After a final newline the last
 * element is empty, so all 1000 merges make tokens; without it the 1000th is popped. */
static void short_files_are_smaller_vocabularies(void)
{
    size_t tn, n;
    const char *t = irra_bpe_merges_text(bpe, &tn), *nl = t;
    for (int i = 0; i < 1001; i++) nl = strchr(nl, '\n') + 1;
    irra_bpe *b = load_text("few", t, (size_t)(nl - t));
    int32_t ids[8];
    irra_err e = {{0}};
    EXPECT(b && irra_bpe_vocab_size(b) == 1515 && irra_bpe_mask(b) == 1512 && irra_bpe_eot(b) == 1514);
    if (!b) return;
    EXPECT(irra_bpe_encode(b, "a red <|mask|>", ids, 8, &e) == 5 &&
           !memcmp(ids, ((int32_t[]){1513, 320, 736, 1512, 1514}), 5 * sizeof *ids));
    EXPECT(!strcmp(irra_bpe_token(b, 1512), "<|mask|>") && !strcmp(irra_bpe_token(b, 1514), "<|endoftext|>"));
    EXPECT(irra_bpe_token(b, 1515) == NULL);
    const char *bt = irra_bpe_merges_text(b, &n);
    EXPECT(n == (size_t)(nl - t) && !memcmp(bt, t, n));
    irra_bpe_free(b);
    b = load_text("few-no-newline", t, (size_t)(nl - t) - 1);
    EXPECT(b && irra_bpe_vocab_size(b) == 1514);
    if (b) {
        bt = irra_bpe_merges_text(b, &n);
        EXPECT(n == (size_t)(nl - t) - 1 && bt[n - 1] != '\n');
        irra_bpe *again = irra_bpe_load_mem(bt, n, &e);
        EXPECT(again && irra_bpe_vocab_size(again) == 1514);
        irra_bpe_free(again);
    }
    irra_bpe_free(b);
    b = load_text("bytes-only", "#version: 0.2\n", 14);
    EXPECT(b && irra_bpe_vocab_size(b) == 515 && irra_bpe_encode(b, "ab", ids, 8, &e) == 4 &&
           ids[1] == 64 && ids[2] == 256 + 65);
    irra_bpe_free(b);
}

/* Interactive use: a 30-word caption, reported as tokens per second. */
static void encodes_fast_enough(void)
{
    const char *cap = "The woman is wearing a white blouse with short sleeves, a pair of dark blue jeans "
                      "and white sneakers. She is carrying a brown handbag over her left shoulder.";
    int32_t ids[77];
    int reps = 2000, tokens = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    for (int i = 0; i < reps; i++) tokens += encode(cap, ids, 77) - 2;
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double s = (double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec);
    printf("  %d-token caption: %.1f us per caption, %.0f tokens/s\n", tokens / reps, 1e6 * s / reps, tokens / s);
    EXPECT(tokens / s > 2000);
}

int main(void)
{
    irra_err e = {{0}};
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    bpe = irra_bpe_load_file(MERGES, &e);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (!bpe || !mkdtemp(tmpdir)) {
        printf("FAIL load: %s\n", e.msg);
        return 1;
    }
    printf("  load %s: %.0f ms\n", MERGES, 1e3 * ((double)(t1.tv_sec - t0.tv_sec) + 1e-9 * (double)(t1.tv_nsec - t0.tv_nsec)));
    RUN(every_vector_in_reference_file);
    RUN(long_words_match_python_loop);
    RUN(spec_section_8_vectors);
    RUN(truncation_keeps_eot_last);
    RUN(jekyll_merge_is_unranked);
    RUN(token_display_strings);
    RUN(cleaning_follows_ftfy_and_html);
    RUN(random_text_is_encoded_or_refused);
    RUN(load_mem_round_trips);
    RUN(bad_files_are_clear_errors);
    RUN(short_files_are_smaller_vocabularies);
    RUN(encodes_fast_enough);
    irra_bpe_free(bpe);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
    if (system(cmd)) printf("  could not remove %s\n", tmpdir);
    return DONE();
}
