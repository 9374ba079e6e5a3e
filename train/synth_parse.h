/* Reads a caption back into what it claims about the person, and checks the claims against the
 * ground truth: the test that every caption describes its image and nothing else. */
#ifndef SYN_PARSE_H
#define SYN_PARSE_H

#include "train/synth_caption.h"

#include <stddef.h>

/* Fills c with what caption text claims. Colour and length words attach to the noun they
 * modify: forwards over other modifiers ("short black hair", "a pair of red sneakers"), else
 * backwards within the sentence ("her coat is red"). */
void syn_parse_caption(const char *text, syn_claims *c);

/* Returns 0 when every claim in c holds for p; otherwise -1 with the first false claim
 * described in why (n bytes). */
int syn_check_claims(const syn_claims *c, const syn_person *p, char *why, size_t n);

#endif
