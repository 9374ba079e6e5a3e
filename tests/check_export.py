#!/usr/bin/python3
"""irra export end to end: the checkpoint it writes loads with torch.load(weights_only=True) with
the original state dict's names, order, dtypes and bits; the official-style model of
tests/ref/irra_ref.py, built from the exported configs.yaml, loads it strictly and reproduces the
reference outputs; irra import of the export gives the same features as the original; irra
safetensors files (f32, f16, names without base_model.) export too; bad output paths fail in one
line with exit 2 and leave nothing behind.
usage: check_export.py BUILD_DIR; prints ok/FAIL lines."""
import json
import os
import pickletools
import shutil
import struct
import sys
import tempfile
import zipfile
from collections import OrderedDict

import numpy as np
import torch
import yaml
from PIL import Image

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "ref"))
import irra_ref  # noqa: E402
from cli_checks import VOCAB, check, finish, run  # noqa: E402


def bits(t):
    t = t.contiguous()
    return t.view(torch.int16 if t.element_size() == 2 else torch.int32)


def same_state_dict(got, want, what):
    assert list(got) == list(want), "%s: names/order differ: %s" % (what, set(got) ^ set(want))
    for k in want:
        assert got[k].dtype == want[k].dtype, "%s: %s is %s, want %s" % (what, k, got[k].dtype, want[k].dtype)
        assert got[k].shape == want[k].shape, "%s: %s shape" % (what, k)
        assert torch.equal(bits(got[k]), bits(want[k])), "%s: %s bits differ" % (what, k)


def export(src, out, *extra):
    run("export", src, "-o", out, *extra)
    return torch.load(out, weights_only=True)


def load_bin(d, name):
    m = json.load(open(os.path.join(d, "manifest.json")))["arrays"][name]
    return np.fromfile(os.path.join(d, m["file"]), np.int32 if m["dtype"] == "int32" else np.float32).reshape(m["shape"])


D = tempfile.mkdtemp()
irra_ref.generate(os.path.join(D, "small"), "small", 1234)   # mlm, classifier, 48x16 stride 8
irra_ref.generate(os.path.join(D, "nomlm"), "nomlm", 1236)   # no IRR branch
SMALL, NOMLM = os.path.join(D, "small", "model.pth"), os.path.join(D, "nomlm", "model.pth")
SMALL_SD = torch.load(SMALL)["model"]


def test_weights_only_load_gives_the_original_state_dict():
    os.makedirs(os.path.join(D, "a"))
    ck = export(SMALL, os.path.join(D, "a", "best.pth"))
    assert list(ck) == ["model"] and isinstance(ck["model"], OrderedDict), list(ck)
    same_state_dict(ck["model"], SMALL_SD, "export of model.pth")
    assert sum(v.dtype == torch.float16 for v in SMALL_SD.values()) > 50  # the split is exercised


def test_archive_has_torch_save_layout():
    os.makedirs(os.path.join(D, "b"))
    out = os.path.join(D, "b", "my model.pth")
    run("export", SMALL, "-o", out)
    z = zipfile.ZipFile(out)
    assert z.testzip() is None  # every CRC-32 right
    names = z.namelist()
    assert names[0] == "my model/data.pkl" and all(n.startswith("my model/") for n in names), names
    assert z.read("my model/version") == b"3\n" and z.read("my model/byteorder") == b"little"
    raw = open(out, "rb").read()
    for i in z.infolist():
        assert i.compress_type == zipfile.ZIP_STORED
        nlen, xlen = struct.unpack("<HH", raw[i.header_offset + 26:i.header_offset + 30])
        assert (i.header_offset + 30 + nlen + xlen) % 64 == 0, i.filename  # storages aligned
    pkl = z.read("my model/data.pkl")
    assert pkl[:2] == b"\x80\x02", pkl[:2]  # protocol 2, as torch.save writes
    used = {arg for op, arg, _ in pickletools.genops(pkl) if op.name == "GLOBAL"}
    assert used == {"collections OrderedDict", "torch._utils _rebuild_tensor_v2",
                    "torch HalfStorage", "torch FloatStorage"}, used  # all weights_only allows
    assert len([n for n in names if "/data/" in n]) == len(SMALL_SD)


def test_reference_model_from_configs_yaml_loads_strictly_and_matches():
    for cname, src in (("small", SMALL), ("nomlm", NOMLM)):
        d = os.path.join(D, "c_" + cname)
        os.makedirs(d)
        sd = export(src, os.path.join(d, "best.pth"))["model"]
        args = yaml.load(open(os.path.join(d, "configs.yaml")), Loader=yaml.FullLoader)  # as test.py
        want = irra_ref.CONFIGS[cname]
        assert args["img_size"] == (want["img_h"], want["img_w"]) and isinstance(args["img_size"], tuple)
        assert (args["stride_size"], args["text_length"]) == (want["stride"], want["context"]), args
        assert args["output_dir"] == os.path.realpath(d) and args["num_classes"] == want["num_classes"]
        assert args["MLM"] == want["mlm"] and ("mlm" in args["loss_names"]) == want["mlm"], args["loss_names"]
        assert "id" in args["loss_names"] and isinstance(args["temperature"], float)
        if want["mlm"]:
            assert (args["vocab_size"], args["cmt_depth"]) == (want["vocab"], want["cmt_depth"])
        # the model build.py would make from these arguments (the architecture as CLIP's build
        # infers it from the weights), loaded strictly
        cfg = dict(want, img_h=args["img_size"][0], img_w=args["img_size"][1],
                   stride=args["stride_size"], context=args["text_length"],
                   cmt_depth=args["cmt_depth"], mlm="mlm" in args["loss_names"])
        torch.manual_seed(0)
        model = irra_ref.IRRA(cfg).eval()
        model.load_state_dict(sd, strict=True)
        ref = os.path.join(D, cname)
        with torch.no_grad():
            img = model.encode_image(torch.from_numpy(load_bin(ref, "pixels"))).numpy()
            txt = model.encode_text(torch.from_numpy(load_bin(ref, "ids")).long()).numpy()
        for got, name in ((img, "image_feat"), (txt, "text_feat")):
            w = load_bin(ref, name)
            assert np.abs(got - w).max() <= 1e-5 * np.abs(w).max(), "%s %s" % (cname, name)


# A narrow model with CLIP's whole vocabulary, so that irra embed encodes real captions.
NARROW = dict(v_width=64, v_layers=1, t_width=64, t_layers=1, embed=64, patch=16, stride=16,
              img_h=64, img_w=32, context=77, vocab=49408, cmt_depth=1, num_classes=3102, mlm=True, B=1)
ND = os.path.join(D, "narrow")
os.makedirs(ND)
torch.manual_seed(5)
NARROW_SD = irra_ref.perturb_and_round(irra_ref.IRRA(NARROW).eval(), torch.Generator().manual_seed(5))
NPTH = os.path.join(ND, "best.pth")
torch.save({"model": NARROW_SD, "optimizer": {}, "epoch": 3}, NPTH)
with open(os.path.join(ND, "configs.yaml"), "w") as f:
    f.write("img_size: !!python/tuple\n- 64\n- 32\nstride_size: 16\n")
IMG = os.path.join(D, "person.png")
Image.fromarray((np.random.RandomState(3).rand(100, 40, 3) * 255).astype(np.uint8)).save(IMG)


def features(model):
    out = run("embed", "--model", model, "--vocab", VOCAB, "--text", "a man in a red coat",
              "--image", IMG).stdout.splitlines()
    return [json.loads(l)["feature"] for l in out]


def test_import_of_the_export_gives_the_same_features():
    d = os.path.join(D, "e")
    os.makedirs(d)
    run("import", NPTH, "-o", os.path.join(d, "orig.safetensors"))
    run("export", NPTH, "-o", os.path.join(d, "best.pth"))
    run("import", os.path.join(d, "best.pth"), "-o", os.path.join(d, "back.safetensors"))
    want = features(os.path.join(d, "orig.safetensors"))
    assert features(os.path.join(d, "back.safetensors")) == want
    assert features(os.path.join(d, "best.pth")) == want
    # 3102 classes: configs.yaml names ICFG-PEDES, so that test.py builds the same classifier
    args = yaml.load(open(os.path.join(d, "configs.yaml")), Loader=yaml.FullLoader)
    assert args["dataset_name"] == "ICFG-PEDES" and args["img_size"] == (64, 32), args


def test_safetensors_models_export_f32_and_f16():
    d = os.path.join(D, "f")
    os.makedirs(d)
    for dtype in ("f32", "f16"):
        st = os.path.join(d, "m_%s.safetensors" % dtype)
        run("import", NPTH, "-o", st, "--dtype", dtype)
        sub = os.path.join(d, dtype)
        os.makedirs(sub)
        sd = export(st, os.path.join(sub, "best.pth"))["model"]
        # f16 files also round the fp32 tensors (LayerNorms, embeddings); the export widens them
        want = OrderedDict((k, v if dtype == "f32" or v.dtype == torch.float16 else v.half().float())
                           for k, v in NARROW_SD.items())
        same_state_dict(sd, want, "export of an %s safetensors file" % dtype)
        args = yaml.load(open(os.path.join(sub, "configs.yaml")), Loader=yaml.FullLoader)
        assert args["img_size"] == (64, 32), args  # from the file's irra.img_h/img_w metadata


def write_safetensors(path, tensors, meta):
    header, blobs, at = {"__metadata__": meta}, [], 0
    for k, v in tensors.items():
        b = v.contiguous().numpy().tobytes()
        header[k] = {"dtype": "F16" if v.dtype == torch.float16 else "F32", "shape": list(v.shape),
                     "data_offsets": [at, at + len(b)]}
        blobs.append(b)
        at += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)) + h + b"".join(blobs))


def test_names_without_base_model_get_it():
    d = os.path.join(D, "g")
    os.makedirs(d)
    bare = OrderedDict((k[len("base_model."):] if k.startswith("base_model.") else k, v)
                       for k, v in SMALL_SD.items())
    st = os.path.join(d, "bare.safetensors")
    write_safetensors(st, bare, {"irra.format": "1", "irra.img_h": "48", "irra.img_w": "16", "irra.stride": "8"})
    same_state_dict(export(st, os.path.join(d, "best.pth"))["model"], SMALL_SD, "export of unprefixed names")


def test_export_is_deterministic_and_its_own_fixed_point():
    a, b, c = (os.path.join(D, x) for x in ("h1", "h2", "h3"))
    for x in (a, b, c):
        os.makedirs(x)
    run("export", SMALL, "-o", os.path.join(a, "best.pth"))
    run("export", SMALL, "-o", os.path.join(b, "best.pth"))
    run("export", os.path.join(a, "best.pth"), "-o", os.path.join(c, "best.pth"))
    first = open(os.path.join(a, "best.pth"), "rb").read()
    assert open(os.path.join(b, "best.pth"), "rb").read() == first
    assert open(os.path.join(c, "best.pth"), "rb").read() == first  # read back and rewritten


def one_line_error(args, needle):
    p = run(*args, ok=False)
    lines = p.stderr.strip().splitlines()
    assert p.returncode == 2 and len(lines) == 1 and needle in lines[0], (args, p.returncode, p.stderr)


def test_unwritable_outputs_fail_in_one_line_and_leave_nothing():
    d = os.path.join(D, "i")
    os.makedirs(os.path.join(d, "folder"))
    open(os.path.join(d, "plain"), "w").close()
    one_line_error(["export", SMALL, "-o", os.path.join(d, "missing", "best.pth")], "missing/best.pth")
    one_line_error(["export", SMALL, "-o", os.path.join(d, "plain", "best.pth")], "plain/best.pth")
    one_line_error(["export", SMALL, "-o", os.path.join(d, "folder")], "folder")
    assert sorted(os.listdir(d)) == ["folder", "plain"] and not os.listdir(os.path.join(d, "folder"))
    # configs.yaml cannot be replaced (a folder there): the old best.pth stays, no temporary files
    k = os.path.join(D, "k")
    os.makedirs(os.path.join(k, "configs.yaml"))
    open(os.path.join(k, "best.pth"), "w").write("old")
    one_line_error(["export", SMALL, "-o", os.path.join(k, "best.pth")], "configs.yaml")
    assert sorted(os.listdir(k)) == ["best.pth", "configs.yaml"], os.listdir(k)
    assert open(os.path.join(k, "best.pth")).read() == "old"


def test_bad_arguments_fail_in_one_line():
    one_line_error(["export", SMALL], "-o")
    one_line_error(["export", "-o", os.path.join(D, "x.pth")], "one model")
    one_line_error(["export", os.path.join(D, "person.png"), "-o", os.path.join(D, "x.pth")], "person.png")
    one_line_error(["export", SMALL, "-o", os.path.join(D, "x.pth"), "--bogus"], "--bogus")
    assert not os.path.exists(os.path.join(D, "x.pth"))


for name, fn in list(globals().items()):
    if name.startswith("test_"):
        check(name[5:], fn)
shutil.rmtree(D)
finish()
