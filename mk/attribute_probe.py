#!/usr/bin/python3
"""What a model's features know about each attribute of the synthetic data (README "The shipped
model"): a linear probe on the image feature, and how far apart the text feature puts queries
that differ in one attribute only.

Image: the global feature (irra embed --normalize) of N training images and of every test image;
a multinomial logistic regression per attribute (upper colour, upper type, lower colour, ...,
gender; "none" is a class where a slot can be empty) fitted on the training images by L-BFGS,
its accuracy on the test images (identities never seen) beside the majority class's. An
attribute the feature does not hold stays at the majority rate: retrieval cannot use it.

Text: the mean cosine of query pairs that differ in one thing ("a person wearing red sneakers"
against "a person in red trousers"; "a man in a red top" against "a woman in a red top"): near
1, the text tower does not tell them apart.

usage: attribute_probe.py --irra BIN --model M --dataset DIR [--train N] [--json]"""
import argparse
import json
import random
import subprocess

import torch

COLOURS = ["black", "white", "grey", "red", "blue", "green", "yellow", "orange", "pink",
           "purple", "brown", "beige"]


def slot(s, f):
    return lambda a: "none" if a[s] is None else a[s][f]


ATTRS = [("upper colour", slot("upper", "colour")), ("upper type", slot("upper", "type")),
         ("lower colour", slot("lower", "colour")), ("lower type", slot("lower", "type")),
         ("shoe colour", slot("shoes", "colour")), ("shoe type", slot("shoes", "type")),
         ("bag colour", slot("bag", "colour")), ("gender", lambda a: a["gender"])]

PAIRS = [("footwear / trousers", "a person wearing {c} sneakers", "a person in {c} trousers"),
         ("bag / top", "a man with a {c} bag", "a man in a {c} top"),
         ("coat / t-shirt", "a person in a {c} coat", "a person in a {c} t-shirt"),
         ("man / woman", "a man in a {c} top", "a woman in a {c} top"),
         ("another colour", "a person in a {c} top", "a person in a {d} top")]


def embed(a, flag, items):
    out = []
    for i in range(0, len(items), 200):  # a command line of 200 at a time
        args = [a.irra, "embed", "--model", a.model, "--normalize"]
        for x in items[i:i + 200]:
            args += [flag, x]
        p = subprocess.run(args, capture_output=True, text=True, check=True)
        out += [json.loads(l)["feature"] for l in p.stdout.splitlines()]
    return torch.tensor(out)


def probe(xtr, ytr, xte, yte):
    classes = sorted(set(ytr))
    ix = {c: i for i, c in enumerate(classes)}
    t = torch.tensor([ix[c] for c in ytr])
    e = torch.tensor([ix.get(c, -1) for c in yte])
    w = torch.zeros(xtr.shape[1], len(classes), requires_grad=True)
    b = torch.zeros(len(classes), requires_grad=True)
    opt = torch.optim.LBFGS([w, b], max_iter=300)

    def closure():
        opt.zero_grad()
        loss = torch.nn.functional.cross_entropy(xtr @ w * 10 + b, t) + 1e-4 * (w ** 2).sum()
        loss.backward()
        return loss
    opt.step(closure)
    with torch.no_grad():
        acc = ((xte @ w * 10 + b).argmax(1) == e).float().mean().item()
    major = max((e == i).float().mean().item() for i in range(len(classes)))
    return len(classes), 100 * acc, 100 * major


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--irra", required=True)
    ap.add_argument("--model", required=True)
    ap.add_argument("--dataset", required=True)
    ap.add_argument("--train", type=int, default=3000)
    ap.add_argument("--json", action="store_true")
    a = ap.parse_args()
    torch.manual_seed(0)
    rows = [json.loads(l) for l in open(a.dataset + "/attributes.jsonl")]
    tr = [r for r in rows if r["file_path"].startswith("train/")]
    te = [r for r in rows if r["file_path"].startswith("test/")]
    tr = random.Random(0).sample(tr, min(a.train, len(tr)))
    x = embed(a, "--image", [a.dataset + "/imgs/" + r["file_path"] for r in tr + te])
    xtr, xte = x[:len(tr)], x[len(tr):]
    report = {"image": {}, "text": {}}
    for name, f in ATTRS:
        k, acc, major = probe(xtr, [f(r) for r in tr], xte, [f(r) for r in te])
        report["image"][name] = {"classes": k, "accuracy": round(acc, 1), "majority": round(major, 1)}
    for name, p, q in PAIRS:
        qs = [s.format(c=c, d=COLOURS[(i + 1) % len(COLOURS)]) for i, c in enumerate(COLOURS)
              for s in (p, q)]
        t = embed(a, "--text", qs)
        report["text"][name] = round(float((t[0::2] * t[1::2]).sum(1).mean()), 3)
    if a.json:
        print(json.dumps(report))
        return
    print("image feature, linear probe on %d training images, test accuracy (majority class):" % len(tr))
    for name, r in report["image"].items():
        print("  %-13s %2d classes  %5.1f%%  (%.1f%%)" % (name, r["classes"], r["accuracy"], r["majority"]))
    print("text feature, mean cosine of queries that differ in one thing (12 colours):")
    for name, c in report["text"].items():
        print("  %-20s %.3f" % (name, c))


if __name__ == "__main__":
    main()
