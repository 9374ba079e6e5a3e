#!/usr/bin/python3
# Writes tests/data/bpe-words.jsonl: long and repetitive ASCII words, encoded by a replica of
# IRRA's utils/simple_tokenizer.py (tests/ref/clip_tokenizer.py). The C test encodes them with a
# context of 4096, so nothing is truncated. Run from the repository root:
#   /usr/bin/python3 tests/gen_bpe_words.py > tests/data/bpe-words.jsonl
import json
import os
import random
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ref'))
from clip_tokenizer import ClipTokenizer  # noqa: E402

encode = ClipTokenizer('assets/bpe_simple_vocab_16e6.txt.gz').encode

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
