#!/usr/bin/python3
"""The ids irra tokenize printed for a learned vocabulary against IRRA's simple_tokenizer.py
(tests/ref/clip_tokenizer.py) on the same merges file:
  check_vocab.py texts DATASET_DIR OTHER...  every caption of reid_raw.json, then OTHER, as
                                             JSON strings, one a line
  check_vocab.py compare VOCAB TEXTS IDS     exit 0 when every line of IDS is the replica's ids
                                             of that line of TEXTS"""
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), 'ref'))
from clip_tokenizer import ClipTokenizer  # noqa: E402


def main():
    if sys.argv[1] == 'texts':
        for entry in json.load(open(os.path.join(sys.argv[2], 'reid_raw.json'))):
            for c in entry['captions']:
                print(json.dumps(c))
        for t in sys.argv[3:]:
            print(json.dumps(t))
        return
    tok = ClipTokenizer(sys.argv[2])
    texts = [json.loads(line) for line in open(sys.argv[3])]
    ids = [json.loads(line) for line in open(sys.argv[4])]
    bad = [(t, i, tok.encode(t)) for t, i in zip(texts, ids) if tok.encode(t) != i]
    if bad or len(texts) != len(ids) or not texts:
        for t, i, w in bad[:3]:
            print(f"'{t}': irra {i}, Python {w}")
        sys.exit(f"{len(bad)} of {len(texts)} texts differ ({len(ids)} answers)")
    print(f"{len(texts)} texts, vocabulary of {tok.vocab_size}: the same ids")


main()
