"""IRRA's utils/simple_tokenizer.py for ASCII text: the vocabulary built from a merges file and
bpe() as the official code has them, line for line; for ASCII text ftfy and html.unescape do
nothing and the regex classes are plain ASCII ones, so neither package is needed. The merges
file may be gzipped (as the official code requires) or plain."""
import gzip
import re


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + \
        list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(2 ** 8):
        if b not in bs:
            bs.append(b)
            cs.append(2 ** 8 + n)
            n += 1
    return dict(zip(bs, [chr(c) for c in cs]))


class ClipTokenizer:
    pat = re.compile(r"<\|startoftext\|>|<\|mask\|>|<\|endoftext\|>|'s|'t|'re|'ve|'m|'ll|'d|"
                     r"[a-z]+|[0-9]|[^\sa-z0-9]+")

    def __init__(self, path):
        self.byte_encoder = bytes_to_unicode()
        raw = open(path, 'rb').read()
        if raw[:2] == b'\x1f\x8b':
            raw = gzip.decompress(raw)
        merges = raw.decode('utf-8').split('\n')
        merges = merges[1:49152 - 256 - 2 + 1]
        merges = [tuple(merge.split()) for merge in merges]
        vocab = list(self.byte_encoder.values())
        vocab = vocab + [v + '</w>' for v in vocab]
        for merge in merges:
            vocab.append(''.join(merge))
        vocab.pop(-1)
        vocab.extend(['<|mask|>', '<|startoftext|>', '<|endoftext|>'])
        self.vocab_size = len(vocab)
        self.encoder = dict(zip(vocab, range(len(vocab))))
        self.bpe_ranks = dict(zip(merges, range(len(merges))))
        self.cache = {'<|startoftext|>': '<|startoftext|>', '<|mask|>': '<|mask|>',
                      '<|endoftext|>': '<|endoftext|>'}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + '</w>',)
        pairs = set(zip(word, word[1:]))
        if not pairs:
            return token + '</w>'
        while True:
            bigram = min(pairs, key=lambda pair: self.bpe_ranks.get(pair, float('inf')))
            if bigram not in self.bpe_ranks:
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
        word = ' '.join(word)
        self.cache[token] = word
        return word

    def encode(self, text):
        """[<|startoftext|>, the BPE ids, <|endoftext|>], as IRRA's tokenize() builds them."""
        ids = [self.encoder['<|startoftext|>']]
        for tok in self.pat.findall(' '.join(text.split()).lower()):
            tok = ''.join(self.byte_encoder[b] for b in tok.encode('utf-8'))
            ids += [self.encoder[t] for t in self.bpe(tok).split(' ')]
        return ids + [self.encoder['<|endoftext|>']]
