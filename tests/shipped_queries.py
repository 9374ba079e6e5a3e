"""Attribute queries for the shipped model's quality tests (tests/test_shipped.sh), scored
against the true attributes irra synth wrote for the gallery's images.

  shipped_queries.py queries                    every attribute query, one a line
  shipped_queries.py score ATTRS HITS.jsonl     irra search --json output -> precision at 10
  shipped_queries.py top-colours                "a person in a C top" for every colour
  shipped_queries.py upper-body ATTRS MAPS.jsonl  tool_heatmap output -> upper vs lower mass
  shipped_queries.py relation ATTRS MAPS.jsonl  the same figures, printed, never failing

Every colour and garment of the generator (train/synth_attrs.c) is asked for, in the words its
captions use. A query's precision is the share of its top 10 that has the attribute, out of
the places it can fill: min(10, images that have it)."""
import json
import sys

COLOURS = ["black", "white", "grey", "red", "blue", "green", "yellow", "orange", "pink",
           "purple", "brown", "beige"]
UPPERS = ["t-shirt", "pullover", "coat", "shirt"]
SHOES = ["sandals", "sneakers", "ankle boots"]


def article(word):
    return "an" if word[0] in "aeiou" else "a"


def piece(slot, kind=None, colour=None):
    def has(a):
        p = a[slot]
        return p is not None and (kind is None or p["type"] == kind) and p["colour"] == colour
    return has


def queries():
    """(family, text, predicate on an attributes row)"""
    out = []
    for c in COLOURS:
        out.append(("top colour", f"a person in {article(c)} {c} top", piece("upper", None, c)))
        for g in UPPERS:
            out.append(("upper garment", f"a person in {article(c)} {c} {g}", piece("upper", g, c)))
        out.append(("dress", f"a woman in {article(c)} {c} dress", piece("lower", "dress", c)))
        out.append(("trousers", f"a person in {c} trousers", piece("lower", "trousers", c)))
        for g in SHOES:
            out.append(("footwear", f"a person wearing {c} {g}", piece("shoes", g, c)))
        for who in ("man", "woman"):
            bag = piece("bag", "bag", c)
            out.append(("bag", f"a {who} with {article(c)} {c} bag",
                        lambda a, who=who, bag=bag: a["gender"] == who and bag(a)))
    return out


def load_attrs(path):
    return {a["file_path"]: a for a in map(json.loads, open(path))}


def key(path):
    """A gallery path (.../imgs/test/000901_01.png) -> its file_path (test/000901_01.png)."""
    return path.split("/imgs/", 1)[-1]


def score(attrs_path, hits_path):
    attrs = load_attrs(attrs_path)
    preds = {text: (fam, p) for fam, text, p in queries()}
    fams, worst, skipped = {}, [], 0
    for line in open(hits_path):
        r = json.loads(line)
        fam, pred = preds[r["query"]]
        n = sum(map(pred, attrs.values()))
        if n == 0:
            skipped += 1
            continue
        top = [attrs[key(h["path"])] for h in r["results"][:10]]
        prec = sum(map(pred, top)) / min(10, n)
        fams.setdefault(fam, []).append(prec)
        worst.append((prec, r["query"], n))
    every = [p for v in fams.values() for p in v]
    for fam, v in fams.items():
        print(f"  {fam:14s} {len(v):3d} queries  precision at 10: {100 * sum(v) / len(v):5.1f}%")
    worst.sort()
    print("  worst: " + "; ".join(f"'{q}' {100 * p:.0f}% ({n} match)" for p, q, n in worst[:5]))
    mean = sum(every) / len(every)
    print(f"  all {len(every)} queries ({skipped} match no image): {100 * mean:.1f}%")
    return mean >= 0.8


def halves(a, gh):
    """Row weights of the upper and lower half of the body in a gh-row map: each map row
    covers [r/gh, (r+1)/gh) of the image height."""
    top, bottom = a["body"]["top"], a["body"]["bottom"]
    mid = (top + bottom) / 2

    def overlap(lo, hi, r):
        return max(0.0, min(hi, (r + 1) / gh) - max(lo, r / gh)) * gh
    return [overlap(top, mid, r) for r in range(gh)], [overlap(mid, bottom, r) for r in range(gh)]


def body_mass(attrs_path, maps_path, report_only):
    attrs = load_attrs(attrs_path)
    preds = {text: p for _, text, p in queries()}
    up_wins, total, shares = 0, 0, []
    for line in open(maps_path):
        r = json.loads(line)
        a = attrs[key(r["path"])]
        pred = preds.get(r["query"])
        if pred is not None and not pred(a):
            continue
        gh, gw, m = r["gh"], r["gw"], r["map"]
        wu, wl = halves(a, gh)
        rows = [sum(m[y * gw:(y + 1) * gw]) for y in range(gh)]
        up = sum(w * v for w, v in zip(wu, rows))
        low = sum(w * v for w, v in zip(wl, rows))
        total += 1
        up_wins += up > low
        shares.append(up / (up + low) if up + low > 0 else 0.5)
    shares.sort()
    med = shares[len(shares) // 2] if shares else 0
    print(f"  {total} matching images: upper body outweighs the lower in {up_wins} "
          f"({100 * up_wins / max(total, 1):.1f}%); median upper share {100 * med:.1f}%")
    return report_only or (total > 0 and up_wins >= 0.8 * total)


def main():
    cmd = sys.argv[1]
    if cmd == "queries":
        for _, text, _ in queries():
            print(text)
    elif cmd == "top-colours":
        for fam, text, _ in queries():
            if fam == "top colour":
                print(text)
    elif cmd == "score":
        sys.exit(0 if score(sys.argv[2], sys.argv[3]) else 1)
    elif cmd in ("upper-body", "relation"):
        sys.exit(0 if body_mass(sys.argv[2], sys.argv[3], cmd == "relation") else 1)
    else:
        sys.exit(f"shipped_queries.py: unknown command {cmd}")


main()
