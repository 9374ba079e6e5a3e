/* irra_safe_text: what text from files may put on a terminal (model/safe_text.h). */
#include "model/safe_text.h"
#include "tests/check.h"

#include <string.h>

static const char *safe(const char *in, char *buf, size_t n)
{
    irra_safe_text(buf, n, in);
    return buf;
}

static void printable_utf8_is_kept(void)
{
    char b[128];
    const char *s = "ünï/sub dir/0001_c1 \xe2\x80\x94 caf\xc3\xa9 \xf0\x9f\x98\x80.jpg";
    EXPECT(!strcmp(safe(s, b, sizeof b), s));
    EXPECT(irra_text_is_safe(s));
    EXPECT(irra_text_is_safe(""));
}

static void osc52_and_title_sequences_are_defused(void)
{
    char b[128];
    /* ESC ] 52 ; c ; <base64> BEL: a clipboard write; ESC ] 0 ; ... ST: a title */
    EXPECT(!strcmp(safe("a\033]52;c;aGk=\007b", b, sizeof b), "a?]52;c;aGk=?b"));
    EXPECT(!strcmp(safe("\033]0;pwned\033\\", b, sizeof b), "?]0;pwned?\\"));
    EXPECT(!irra_text_is_safe("a\033]52;c;aGk=\007b"));
}

static void c0_del_and_line_breaks_become_one_question_mark_each(void)
{
    char b[64];
    EXPECT(!strcmp(safe("a\tb\nc\rd\x7f" "e\x01", b, sizeof b), "a?b?c?d?e?"));
}

static void c1_controls_in_utf8_and_as_raw_bytes_are_replaced(void)
{
    char b[64];
    /* U+009B (CSI) encoded as C2 9B, and a lone 0x9B byte (CSI to an 8-bit terminal) */
    EXPECT(!strcmp(safe("x\xc2\x9b" "31m", b, sizeof b), "x?31m"));
    EXPECT(!strcmp(safe("x\x9b" "31m", b, sizeof b), "x?31m"));
    EXPECT(!strcmp(safe("\xc2\x85|\xc2\xa0", b, sizeof b), "?|\xc2\xa0")); /* NEL; NBSP kept */
}

static void invalid_utf8_is_replaced_byte_by_byte(void)
{
    char b[64];
    EXPECT(!strcmp(safe("a\xff\xfe" "b", b, sizeof b), "a??b"));
    EXPECT(!strcmp(safe("\xc0\xaf", b, sizeof b), "??"));             /* overlong '/' */
    EXPECT(!strcmp(safe("\xed\xa0\x80", b, sizeof b), "???"));         /* a surrogate */
    EXPECT(!strcmp(safe("end\xe2\x82", b, sizeof b), "end??"));        /* cut short */
}

static void bidi_overrides_are_replaced(void)
{
    char b[64];
    EXPECT(!strcmp(safe("a\xe2\x80\xae" "gpj.exe", b, sizeof b), "a?gpj.exe")); /* U+202E */
    EXPECT(!strcmp(safe("\xe2\x81\xa6x\xe2\x81\xa9", b, sizeof b), "?x?"));     /* U+2066, U+2069 */
}

static void works_in_place_and_never_grows(void)
{
    char s[] = "\xc2\x9b\033]52;\xff\xe2\x80\xae ok \xc3\xa9";
    size_t n = irra_safe_text(s, sizeof s, s);
    EXPECT(!strcmp(s, "??]52;?? ok \xc3\xa9"));
    EXPECT(n == strlen(s));
}

static void a_short_buffer_cuts_at_a_character_boundary(void)
{
    char b[5];
    EXPECT(irra_safe_text(b, sizeof b, "ab\xc3\xa9\xc3\xa9") == 4 && !strcmp(b, "ab\xc3\xa9"));
    EXPECT(irra_safe_text(b, 4, "ab\xc3\xa9") == 2 && !strcmp(b, "ab"));
    EXPECT(irra_safe_text(b, 1, "abc") == 0 && b[0] == 0);
}

int main(void)
{
    RUN(printable_utf8_is_kept);
    RUN(osc52_and_title_sequences_are_defused);
    RUN(c0_del_and_line_breaks_become_one_question_mark_each);
    RUN(c1_controls_in_utf8_and_as_raw_bytes_are_replaced);
    RUN(invalid_utf8_is_replaced_byte_by_byte);
    RUN(bidi_overrides_are_replaced);
    RUN(works_in_place_and_never_grows);
    RUN(a_short_buffer_cuts_at_a_character_boundary);
    return DONE();
}
