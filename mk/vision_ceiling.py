#!/usr/bin/python3
"""How much of each synthetic attribute an image tower of a given size can see at all (README
"The shipped model"): the shipped model's ViT shape (192x64 input, width W, L layers of 2
heads, patch P) trained from scratch in PyTorch with one linear head per attribute, straight on
the true attributes of the training images (cross-entropy, AdamW 1e-3, weight decay 0.05, batch
64, random flips), and its accuracy on the test images after each epoch. Retrieval training
never sees the attributes; what this tower cannot learn when told, retrieval will not find.

usage: vision_ceiling.py DATASET_DIR [--patch 16] [--epochs 8] [--width 128] [--layers 2]
                         [--threads 1]"""
import argparse
import json
import time

import torch
import torch.nn as nn
from PIL import Image

from attribute_probe import slot  # mk/, beside this file


HEADS = [("shoe colour", slot("shoes", "colour")), ("bag colour", slot("bag", "colour")),
         ("gender", lambda a: a["gender"]), ("upper type", slot("upper", "type")),
         ("upper colour", slot("upper", "colour"))]
# CLIP's normalisation to 3 decimals (the README's figures were made with these)
MEAN = torch.tensor([0.481, 0.458, 0.408]).view(1, 3, 1, 1)
STD = torch.tensor([0.269, 0.261, 0.276]).view(1, 3, 1, 1)


class ViT(nn.Module):
    def __init__(self, classes, patch, width, layers, h=192, w=64):
        super().__init__()
        n = (h // patch) * (w // patch)
        self.conv = nn.Conv2d(3, width, patch, patch, bias=False)
        self.cls = nn.Parameter(torch.randn(width) * width ** -0.5)
        self.pos = nn.Parameter(torch.randn(n + 1, width) * width ** -0.5)
        self.pre = nn.LayerNorm(width)
        block = nn.TransformerEncoderLayer(width, 2, 4 * width, 0.0, activation="gelu",
                                           batch_first=True, norm_first=True)
        self.blocks = nn.TransformerEncoder(block, layers, enable_nested_tensor=False)
        self.post = nn.LayerNorm(width)
        self.heads = nn.ModuleList(nn.Linear(width, len(c)) for c in classes)

    def forward(self, x):
        t = self.conv(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls.expand(len(t), 1, -1), t], 1) + self.pos
        h = self.post(self.blocks(self.pre(t))[:, 0])
        return [head(h) for head in self.heads]


def load(root, rows, classes):
    px = [torch.tensor(list(Image.open(root + "/imgs/" + a["file_path"]).convert("RGB").getdata()),
                       dtype=torch.uint8).view(192, 64, 3).permute(2, 0, 1) for a in rows]
    y = [[c.index(f(a)) if f(a) in c else -1 for c, (_, f) in zip(classes, HEADS)] for a in rows]
    return torch.stack(px), torch.tensor(y)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dataset")
    ap.add_argument("--patch", type=int, default=16)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--width", type=int, default=128)
    ap.add_argument("--layers", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    rows = [json.loads(l) for l in open(a.dataset + "/attributes.jsonl")]
    tr = [r for r in rows if r["file_path"].startswith("train/")]
    te = [r for r in rows if r["file_path"].startswith("test/")]
    classes = [sorted(set(f(r) for r in tr)) for _, f in HEADS]
    xtr, ytr = load(a.dataset, tr, classes)
    xte, yte = load(a.dataset, te, classes)
    m = ViT(classes, a.patch, a.width, a.layers)
    opt = torch.optim.AdamW(m.parameters(), 1e-3, weight_decay=0.05)
    prep = lambda x: (x.float() / 255 - MEAN) / STD  # noqa: E731
    t0 = time.time()
    for ep in range(a.epochs):
        m.train()
        perm = torch.randperm(len(xtr))
        for i in range(0, len(perm), 64):
            b = perm[i:i + 64]
            x = prep(xtr[b])
            if torch.rand(1) < 0.5:
                x = x.flip(3)
            loss = sum(nn.functional.cross_entropy(o, ytr[b][:, k]) for k, o in enumerate(m(x)))
            opt.zero_grad()
            loss.backward()
            opt.step()
        m.eval()
        with torch.no_grad():
            out = m(prep(xte))
        acc = " | ".join("%s %.1f%%" % (n, 100 * (o.argmax(1) == yte[:, k]).float().mean())
                         for k, ((n, _), o) in enumerate(zip(HEADS, out)))
        print("patch %d epoch %d %.0fs  %s" % (a.patch, ep + 1, time.time() - t0, acc), flush=True)


if __name__ == "__main__":
    main()
