#!/usr/bin/python3
"""irra import / embed / fill-mask / tokenize --model, end to end against the PyTorch reference
(tests/ref/irra_ref.py) on a narrow model with CLIP's full vocabulary, so real captions work.
Tolerance: 1e-4 * max|reference| per output, as the model parity test.
usage: check_model_cmds.py BUILD_DIR; prints ok/FAIL lines."""
import json
import os
import subprocess
import sys
import tempfile

import numpy as np
import torch
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "ref"))
import irra_ref  # noqa: E402
from cli_checks import IRRA, VOCAB, check, finish, run  # noqa: E402

MEAN, STD = np.array([0.48145466, 0.4578275, 0.40821073]), np.array([0.26862954, 0.26130258, 0.27577711])
CFG = dict(v_width=64, v_layers=2, t_width=64, t_layers=2, embed=64, patch=16, stride=16,
           img_h=96, img_w=32, context=77, vocab=49408, cmt_depth=1, num_classes=7, mlm=True, B=1)


def close(got, want, what, tol=1e-4):
    got, want = np.asarray(got, np.float64), np.asarray(want, np.float64)
    err = np.abs(got - want).max() / np.abs(want).max()
    assert got.shape == want.shape, "%s: shape %s vs %s" % (what, got.shape, want.shape)
    assert err <= tol, "%s: max error %.3g of max|ref|" % (what, err)


d = tempfile.mkdtemp()
torch.manual_seed(7)
model = irra_ref.IRRA(CFG).eval()
sd = irra_ref.perturb_and_round(model, torch.Generator().manual_seed(7))
PTH, ST, ST16 = (os.path.join(d, n) for n in ("best.pth", "m.safetensors", "m16.safetensors"))
torch.save({"model": sd, "optimizer": {}, "num_epoch": 60}, PTH)
with open(os.path.join(d, "configs.yaml"), "w") as f:
    f.write("img_size: !!python/tuple\n- 96\n- 32\nstride_size: 16\n")
IMG = os.path.join(d, "person one.png")
Image.fromarray((np.random.RandomState(3).rand(150, 50, 3) * 255).astype(np.uint8)).save(IMG)
CAPTION = "A woman wearing a red shirt and black pants."


def ref_ids(text):
    ids = json.loads(run("tokenize", "--vocab", VOCAB, text).stdout)
    t = torch.zeros(1, 77, dtype=torch.long)
    t[0, :len(ids)] = torch.tensor(ids)
    return t


def ref_pixels(path):
    im = Image.open(path).convert("RGB").resize((CFG["img_w"], CFG["img_h"]), Image.BILINEAR)
    x = (np.asarray(im, np.float32) / 255 - MEAN) / STD
    return torch.tensor(x.transpose(2, 0, 1)[None], dtype=torch.float32)


def embed(model_path, *args):
    out = run("embed", "--model", model_path, *args).stdout.splitlines()
    return [json.loads(l) for l in out]


def test_import_writes_self_contained_model():
    run("import", PTH, "-o", ST, "--vocab", VOCAB)
    run("import", PTH, "-o", ST16, "--vocab", VOCAB, "--dtype", "f16")
    hdr = json.loads(open(ST, "rb").read()[8:8 + int.from_bytes(open(ST, "rb").read(8), "little")])
    meta = hdr["__metadata__"]
    assert (meta["irra.img_h"], meta["irra.img_w"], meta["irra.stride"]) == ("96", "32", "16"), meta
    assert len(meta["irra.bpe_merges"].splitlines()) == 48895
    assert len([k for k in hdr if k != "__metadata__"]) == len(sd)


def test_import_honours_the_umask():
    out = os.path.join(d, "private.safetensors")
    p = subprocess.run([IRRA, "import", PTH, "-o", out], preexec_fn=lambda: os.umask(0o077))
    assert p.returncode == 0 and (os.stat(out).st_mode & 0o777) == 0o600, oct(os.stat(out).st_mode)
    p = subprocess.run([IRRA, "import", PTH, "-o", out], preexec_fn=lambda: os.umask(0o022))
    assert p.returncode == 0 and (os.stat(out).st_mode & 0o777) == 0o644, oct(os.stat(out).st_mode)


def test_embed_text_matches_reference():
    with torch.no_grad():
        want = model.encode_text(ref_ids(CAPTION))[0].numpy()
    # An f16 file also rounds the fp32 tensors (LayerNorm, embeddings): measured 8.6e-4.
    for m, tol in ((ST, 1e-4), (ST16, 5e-3)):
        got = embed(m, "--text", CAPTION)[0]
        assert got["kind"] == "text" and got["input"] == CAPTION
        close(got["feature"], want, "text feature of " + os.path.basename(m), tol)


def test_embed_image_matches_reference():
    with torch.no_grad():
        want = model.encode_image(ref_pixels(IMG))[0].numpy()
    got = embed(ST, "--image", IMG)[0]
    assert got["kind"] == "image" and got["input"] == IMG
    close(got["feature"], want, "image feature")


def test_embed_pth_needs_vocab_only_for_text():
    got = embed(PTH, "--image", IMG, "--vocab", VOCAB, "--text", "a man")
    assert [g["kind"] for g in got] == ["image", "text"]
    close(got[0]["feature"], embed(ST, "--image", IMG)[0]["feature"], ".pth vs safetensors")


def test_embed_keeps_order_and_normalizes():
    got = embed(ST, "--text", "a", "--image", IMG, "--text", "b", "--normalize")
    assert [(g["kind"], g["input"]) for g in got] == [("text", "a"), ("image", IMG), ("text", "b")]
    for g in got:
        assert abs(np.linalg.norm(g["feature"]) - 1) < 1e-5


def test_fill_mask_matches_reference():
    text = "a woman in a <|mask|> coat and <|mask|> trousers"
    ids = ref_ids(text)
    with torch.no_grad():
        tokens = model.base_model.encode_image(ref_pixels(IMG))
        probs = torch.softmax(model.mlm(ids, tokens)[0].float(), -1).numpy()
    out = json.loads(run("fill-mask", "--model", ST, "--image", IMG, "-k", "3", "--json", text).stdout)
    pos = [int(i) for i in np.nonzero(ids[0].numpy() == 49405)[0]]
    assert [m["position"] for m in out["masks"]] == pos, out["masks"]
    for m in out["masks"]:
        p = probs[m["position"]]
        top = list(np.argsort(-p, kind="stable")[:3])
        assert [c["id"] for c in m["candidates"]] == top, (m, top)
        close([c["probability"] for c in m["candidates"]], p[top], "mask probabilities")


def test_fill_mask_reads_bert_and_roberta_masks_as_clips():
    # [MASK] (BERT) and <mask> (RoBERTa) are what people type; they mean <|mask|>
    want = run("fill-mask", "--model", ST, "--image", IMG, "--json", "a <|mask|> coat and <|mask|> bag").stdout
    got = run("fill-mask", "--model", ST, "--image", IMG, "--json", "a [MASK] coat and <mask> bag").stdout
    assert json.loads(got)["masks"] == json.loads(want)["masks"] and json.loads(want)["masks"], (got, want)


def test_tokenize_uses_the_models_vocabulary():
    a = run("tokenize", "--model", ST, CAPTION).stdout
    b = run("tokenize", "--vocab", VOCAB, CAPTION).stdout
    assert a == b and a.startswith("[49406,"), (a, b)


def test_errors_name_the_file_and_exit_2():
    cases = [
        (["embed", "--model", os.path.join(d, "missing.safetensors"), "--text", "x"], "missing.safetensors"),
        (["embed", "--model", ST, "--image", os.path.join(d, "nope.jpg")], "nope.jpg"),
        (["embed", "--model", CAPTION_FILE, "--text", "x"], "caption.txt"),
        (["fill-mask", "--model", ST, "--image", IMG, "no mask here"], "mask"),
        (["import", PTH], "-o"),
        (["embed", "--model", ST, "--image-size", "12"], "HxW"),
    ]
    for args, needle in cases:
        p = run(*args, ok=False)
        assert p.returncode == 2, (args, p.returncode)
        lines = p.stderr.strip().splitlines()
        assert len(lines) == 1 and needle in lines[0], (args, p.stderr)


CAPTION_FILE = os.path.join(d, "caption.txt")
open(CAPTION_FILE, "w").write("not a model\n")
for name, fn in list(globals().items()):
    if name.startswith("test_"):
        check(name[5:], fn)
finish()
