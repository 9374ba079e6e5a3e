#!/usr/bin/python3
"""Fixtures for tests/test_gallery.sh: tiny random-weight IRRA models (through tests/ref/irra_ref.py),
folders of images and small datasets in the three annotation formats (spec section 6), all written
here, and the reference metrics (numpy) of a similarity matrix.

usage: gallery_fixture.py model OUTDIR tiny|slow
       gallery_fixture.py images DIR N SEED
       gallery_fixture.py dataset cuhk-pedes|icfg-pedes|rstpreid DIR
       gallery_fixture.py metrics SEARCH_JSONL DIR-queries.json   (prints R1 R5 R10 mAP mINP)"""
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ref"))

MODELS = {
    # full CLIP vocabulary (the real tokenizer's ids), everything else tiny
    "tiny": dict(v_width=64, v_layers=1, t_width=64, t_layers=1, embed=32, patch=8, stride=8,
                 img_h=32, img_w=16, context=16, vocab=49408, cmt_depth=0, num_classes=3,
                 mlm=False, B=1),
    # slow enough per image that a build of a few hundred images takes seconds (kill -9 test)
    "slow": dict(v_width=192, v_layers=4, t_width=64, t_layers=1, embed=32, patch=8, stride=8,
                 img_h=128, img_w=64, context=16, vocab=49408, cmt_depth=0, num_classes=3,
                 mlm=False, B=1),
}


def make_model(outdir, name):
    import torch
    import irra_ref
    torch.set_num_threads(2)
    irra_ref.CONFIGS[name] = MODELS[name]
    irra_ref.generate(outdir, name, 7)


def write_image(path, rng, w=None, h=None):
    from PIL import Image
    w = w or int(rng.integers(24, 90))
    h = h or int(rng.integers(60, 200))
    base = rng.integers(0, 256, 3)
    px = np.clip(base + rng.normal(0, 40, (h, w, 3)), 0, 255).astype(np.uint8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    fmt = "JPEG" if path.lower().endswith((".jpg", ".jpeg")) else "PNG"
    Image.fromarray(px).save(path, fmt)


def make_images(d, n, seed):
    rng = np.random.default_rng(seed)
    for i in range(n):
        sub = ["", "sub dir/", "ünï/"][i % 3]
        ext = ["png", "jpg"][i % 2]
        write_image(os.path.join(d, "%s%04d_c%d_img.%s" % (sub, i, i % 5 + 1, ext)), rng)


WORDS = "a man woman wearing red blue black white shirt coat jeans shoes bag hair long short".split()


def caption(rng):
    return " ".join(rng.choice(WORDS, int(rng.integers(4, 12))))


def make_dataset(kind, d):
    """10 test identities with 2-3 images each, 2 captions per image (1 for ICFG), plus train and
    val entries that must not appear in the test split."""
    rng = np.random.default_rng(3)
    entries, k = [], 0
    splits = ["test"] * 10 + ["train"] * 3 + (["val"] * 2 if kind != "icfg-pedes" else [])
    for pid, split in enumerate(splits):
        for j in range(2 + pid % 2):
            rel = ("%s/%04d_c%d_%04d.png" % (split, pid, j + 1, k)) if kind != "rstpreid" else \
                  ("%04d_c%d_%04d.jpg" % (pid, j + 1, k))
            k += 1
            write_image(os.path.join(d, "imgs", rel), rng)
            caps = [caption(rng) for _ in range(1 if kind == "icfg-pedes" else 2)]
            raw_id = pid + 1 if kind == "cuhk-pedes" else pid
            e = {"split": split, "captions": caps, "id": raw_id}
            if kind == "rstpreid":
                e["img_path"] = rel
            else:
                e["file_path"] = rel
            if kind == "cuhk-pedes":
                e["processed_tokens"] = [c.split() for c in caps]
            entries.append(e)
    name = {"cuhk-pedes": "reid_raw.json", "icfg-pedes": "ICFG-PEDES.json",
            "rstpreid": "data_captions.json"}[kind]
    with open(os.path.join(d, name), "w") as f:
        json.dump(entries, f)
    # the test split's queries as the spec defines them: captions flattened in JSON order, each
    # with the raw id of its entry
    queries = [{"caption": c, "pid": e["id"]} for e in entries if e["split"] == "test"
               for c in e["captions"]]
    with open(d.rstrip("/") + "-queries.json", "w") as f:
        json.dump(queries, f)


def metrics(search_jsonl, pids_json):
    """IRRA's rank() (utils/metrics.py) in numpy on the score matrix that `irra search --json
    --top-k ALL` printed: stable sort by descending score, ties by gallery order."""
    rows = [json.loads(line) for line in open(search_jsonl)]
    qpid = np.array([q["pid"] for q in json.load(open(pids_json))])
    paths = sorted({r["path"] for r in rows[0]["results"]})
    order = {p: i for i, p in enumerate(paths)}  # the store's row order is the path order here
    gpid = np.zeros(len(paths), int)
    sim = np.zeros((len(rows), len(paths)))
    for q, row in enumerate(rows):
        for r in row["results"]:
            sim[q, order[r["path"]]] = r["score"]
            gpid[order[r["path"]]] = r["identity"]
    idx = np.argsort(-sim, axis=1, kind="stable")
    m = gpid[idx] == qpid[:, None]
    cmc = np.minimum(m.cumsum(1), 1)
    num_rel = m.sum(1)
    pos = m.cumsum(1) / (np.arange(m.shape[1]) + 1.0)
    ap = (pos * m).sum(1) / num_rel
    last = np.array([np.nonzero(r)[0].max() for r in m])
    inp = num_rel / (last + 1.0)
    print("%.3f %.3f %.3f %.3f %.3f" % (cmc[:, 0].mean() * 100, cmc[:, 4].mean() * 100,
                                       cmc[:, 9].mean() * 100, ap.mean() * 100, inp.mean() * 100))


def main():
    cmd = sys.argv[1]
    if cmd == "model":
        make_model(sys.argv[2], sys.argv[3])
    elif cmd == "images":
        make_images(sys.argv[2], int(sys.argv[3]), int(sys.argv[4]))
    elif cmd == "dataset":
        make_dataset(sys.argv[2], sys.argv[3])
    elif cmd == "metrics":
        metrics(sys.argv[2], sys.argv[3])


if __name__ == "__main__":
    main()
