/* CLIP's byte-level BPE tokenizer exactly as IRRA uses it (spec section 8). CLIP's file gives
 * 48,894 merges, <|mask|> = 49405, <|startoftext|> = 49406, <|endoftext|> = 49407; a shorter
 * merges file (a vocabulary learned by irra vocab) gives 512 + its merges + 3 ids, the same
 * ones IRRA's simple_tokenizer.py gives for it, with the three special ids last. */
#ifndef IRRA_BPE_H
#define IRRA_BPE_H

#include "model/err.h"

#include <stddef.h>
#include <stdint.h>

typedef struct irra_bpe irra_bpe;

/* A merges file (bpe_simple_vocab_16e6.txt or a learned one, gzipped or plain). */
irra_bpe *irra_bpe_load_file(const char *path, irra_err *e);
/* The same content from memory (gzipped or plain), e.g. embedded in a model file. */
irra_bpe *irra_bpe_load_mem(const void *data, size_t n, irra_err *e);
/* The same, with `name` (a file, a model file's entry) in error messages. */
irra_bpe *irra_bpe_load_mem_named(const void *data, size_t n, const char *name, irra_err *e);
void irra_bpe_free(irra_bpe *b);

/* The merges text actually used (the header line and the merges read: 48,894 of CLIP's), for
 * embedding in a model file: "A B\n" lines whatever the file's white space was;
 * irra_bpe_load_mem of it gives the same tokenizer and the same text. */
const char *irra_bpe_merges_text(const irra_bpe *b, size_t *len);

/* Cleans and encodes text as [SOT, ids..., EOT], truncated to at most `context` ids with EOT
 * kept last (spec 4.7). Writes at most `context` ids; returns their count, or -1 on error
 * (text that is not UTF-8, context < 2). A caption that reaches the "jekyll" merge, on which
 * IRRA's Python raises KeyError, encodes without that merge ("jeky" + "ll"). Thread-safe. */
int irra_bpe_encode(const irra_bpe *b, const char *text, int32_t *ids, int context, irra_err *e);

/* The text of one token for display ("coat", "</w>" stripped; special tokens by name; a byte
 * that is not part of valid UTF-8, as in half a Chinese character, as "<0xE4>").
 * Returns a pointer into b that lives as long as b, or NULL for an id out of range. */
const char *irra_bpe_token(const irra_bpe *b, int id);
int irra_bpe_vocab_size(const irra_bpe *b);
/* The special ids, the last three: <|mask|>, <|startoftext|>, <|endoftext|> (CLIP's: 49405..7).
 * EOT is the largest id, which is how the text tower finds it (argmax). */
int irra_bpe_mask(const irra_bpe *b);
int irra_bpe_sot(const irra_bpe *b);
int irra_bpe_eot(const irra_bpe *b);

/* The character that spells a byte in a merges file (CLIP's bytes_to_unicode): printable bytes
 * are themselves, the other 68 are U+0100.. in byte order. */
int irra_bpe_byte_codepoint(unsigned char byte);

#endif
