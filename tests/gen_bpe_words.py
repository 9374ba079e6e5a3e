#!/usr/bin/python3
# Writes tests/data/bpe-words.jsonl: long and repetitive ASCII words, encoded by a replica of
# IRRA's utils/simple_tokenizer.py (its bpe() verbatim; for ASCII text ftfy and html.unescape
# do nothing and the regex classes are plain ASCII ones). The C test encodes them with a
# context of 4096, so nothing is truncated. Run from the repository root:
#   /usr/bin/python3 tests/gen_bpe_words.py > tests/data/bpe-words.jsonl
import gzip
import json
import random
import re

lines = gzip.open('assets/bpe_simple_vocab_16e6.txt.gz').read().decode('utf-8').split('\n')
merges = [tuple(m.split()) for m in lines[1:49152 - 256 - 2 + 1]]
bs = list(range(33, 127)) + list(range(161, 173)) + list(range(174, 256))
cs = bs[:]
for b in range(256):
    if b not in bs:
        bs.append(b)
        cs.append(256 + len(cs) - 188)
byte_encoder = {b: chr(c) for b, c in zip(bs, cs)}
vocab = list(byte_encoder.values())
vocab += [v + '</w>' for v in vocab]
vocab += [''.join(m) for m in merges]
vocab.pop()
vocab += ['<|mask|>', '<|startoftext|>', '<|endoftext|>']
encoder = dict(zip(vocab, range(len(vocab))))
ranks = dict(zip(merges, range(len(merges))))


def bpe(token):
    word = tuple(token[:-1]) + (token[-1] + '</w>',)
    pairs = set(zip(word, word[1:]))
    if not pairs:
        return token + '</w>'
    while True:
        bigram = min(pairs, key=lambda p: ranks.get(p, float('inf')))
        if bigram not in ranks:
            break
        first, second = bigram
        new_word, i = [], 0
        while i < len(word):
            try:
                j = word.index(first, i)
                new_word.extend(word[i:j])
                i = j
            except ValueError:
                new_word.extend(word[i:])
                break
            if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                new_word.append(first + second)
                i += 2
            else:
                new_word.append(word[i])
                i += 1
        word = tuple(new_word)
        if len(word) == 1:
            break
        pairs = set(zip(word, word[1:]))
    return ' '.join(word)


pat = re.compile(r"'s|'t|'re|'ve|'m|'ll|'d|[a-z]+|[0-9]|[^\sa-z0-9]+")


def encode(text):
    ids = [49406]
    for tok in pat.findall(' '.join(text.split()).lower()):
        tok = ''.join(byte_encoder[b] for b in tok.encode('utf-8'))
        ids += [encoder[t] for t in bpe(tok).split(' ')]
    return ids + [49407]


rng = random.Random(16)
texts = []
for n in (1, 2, 3, 7, 20, 64, 200, 1000, 3000):
    texts.append(''.join(rng.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(n)))
    texts.append(''.join(rng.choice('aab') for _ in range(n)))
    texts.append(''.join(rng.choice('eirnst') for _ in range(n)))
for n in (2, 5, 40, 500):
    texts += ['a' * n, 'ab' * n, '!' * n, '.-' * n, 'the' * n]
texts.append(' '.join(rng.choice(['red', 'shirt', 'walking', 'backpack', "she's", 'x-ray', '12'])
                      for _ in range(800)))
for t in texts:
    print(json.dumps({'text': t, 'ids': encode(t)}))
