"""Writes test checkpoints for tests/test_loaders.sh into OUTDIR (run with /usr/bin/python3,
which has torch 1.13):

  good files  torch.save'd exactly as the official trainer does (spec 7.1), DDP/plain/buffer
              variants, a ZIP64 repack, and safetensors files; the expected tensors go to
              manifest.json (name, dtype, shape, contiguity) plus one raw little-endian float32
              file per tensor, row-major;
  bad files   hostile or broken checkpoints, each with a substring its error must contain.

Nothing here ever unpickles the hostile files.
"""
import collections
import io
import json
import os
import struct
import sys
import zipfile

import numpy as np
import torch

OUT = sys.argv[1]
MARKER = os.path.join(OUT, "pwned")
manifest = {"good": [], "bad": [], "marker": MARKER}


def path(name):
    return os.path.join(OUT, name)


def expect_good(name, sd, strip=""):
    """Records the tensors of state dict sd (in order) as the expected content of file name."""
    tensors = []
    for i, (k, v) in enumerate(sd.items()):
        if not isinstance(v, torch.Tensor):
            continue
        raw = "%s.%d.f32" % (name, i)
        v = v.detach()
        v.to(torch.float32).contiguous().numpy().astype("<f4").tofile(path(raw))
        tensors.append({
            "name": k[len(strip):] if strip else k,
            "dtype": {torch.float32: "F32", torch.float16: "F16", torch.bfloat16: "BF16",
                      torch.int64: "I64", torch.int32: "I32", torch.uint8: "U8"}[v.dtype],
            "shape": list(v.shape),
            "contiguous": v.is_contiguous(),
            "values": raw,
        })
    manifest["good"].append({"file": name, "tensors": tensors})


def expect_bad(name, message):
    manifest["bad"].append({"file": name, "expect": message})


# --- the model: every case a state dict can hold -------------------------------------------------
torch.manual_seed(0)
base = torch.randn(6, 8)  # one storage shared by three tensors below
sd = collections.OrderedDict()
sd["base_model.visual.conv1.weight"] = torch.randn(4, 3, 2, 2).half()
sd["base_model.visual.ln_pre.weight"] = torch.randn(5)
sd["base_model.visual.proj"] = torch.randn(3, 4).half().t()  # non-contiguous, stride (1, 4)
sd["base_model.shared_full"] = base
sd["base_model.shared_rows"] = base[2:5]  # storage_offset 16
sd["base_model.shared_cols"] = base[1:, 3:6]  # offset and a row stride of 8
sd["base_model.bf16"] = torch.randn(7).to(torch.bfloat16)
sd["base_model.ids"] = torch.arange(5, dtype=torch.int64) * 3 - 4
sd["base_model.scalar"] = torch.tensor(2.5)
sd["base_model.empty"] = torch.zeros(0, 3)
# every fp16 bit pattern, to check the conversion exactly
sd["f16_all_bits"] = torch.arange(65536, dtype=torch.int32).to(torch.int16).view(torch.float16)
# fp32 values that probe F16 rounding in the writer: ties, subnormals, overflow, signed zero, nan
sd["rounding_probe"] = torch.tensor(
    [0.0, -0.0, 1.0, 1.0 + 2**-11, 1.0 + 3 * 2**-11, 1.0 + 2**-11 + 2**-20, 65504.0, 65519.0,
     65520.0, 1e6, -1e6, 2.0**-24, 2.0**-25, 2.0**-25 + 2**-40, 3 * 2.0**-25, 2.0**-14 - 2**-25,
     6.1e-5, -3.3e-6, float("inf"), float("-inf"), float("nan"), 0.1, -0.3333333, 1e-8],
    dtype=torch.float32)
sd["classifier.weight"] = torch.randn(11, 5).half()

# the official trainer's checkpoint (utils/checkpoint.py): model, optimizer, scheduler, counters
opt_state = {
    "state": {i: {"step": torch.tensor(5.0), "exp_avg": torch.zeros_like(v),
                  "exp_avg_sq": torch.ones_like(v)}
              for i, v in enumerate(sd.values()) if v.is_floating_point() and v.numel() > 0},
    "param_groups": [{"lr": 1e-5, "betas": (0.9, 0.999), "eps": 1e-3, "weight_decay": 4e-5,
                      "amsgrad": False, "maximize": False, "foreach": None, "capturable": False,
                      "initial_lr": 1e-5, "params": list(range(len(sd)))}],
}
scheduler = {"milestones": (20, 50), "mode": "cosine", "gamma": 0.1, "warmup_factor": 0.1,
             "warmup_epochs": 5, "warmup_method": "linear", "total_epochs": 60,
             "target_lr": 0, "power": 0.9, "base_lrs": [1e-5] * 3, "last_epoch": 5,
             "_step_count": 6, "verbose": False, "_get_lr_called_within_step": False,
             "_last_lr": [1e-5] * 3, "counter": collections.Counter({20: 1, 50: 1}),
             "big": 2**70, "neg": -2**40}
official = {"model": sd, "optimizer": opt_state, "scheduler": scheduler, "num_epoch": 60,
            "iteration": 0, "epoch": 5}
torch.save(official, path("best.pth"))
expect_good("best.pth", sd)

# DDP: every key carries 'module.', saved as a bare state dict
ddp = collections.OrderedDict(("module." + k, v) for k, v in list(sd.items())[:4])
torch.save(ddp, path("ddp.pth"))
expect_good("ddp.pth", ddp, strip="module.")

# 'module.' on some keys only: kept as is; also a 'state_dict' wrapper
mixed = collections.OrderedDict([("module.a", torch.ones(2)), ("b", torch.full((3,), 7.0))])
torch.save({"state_dict": mixed, "epoch": 1}, path("mixed.pth"))
expect_good("mixed.pth", mixed)

# saved through a buffer: the entries sit under "archive/"
buf = io.BytesIO()
torch.save(ddp, buf)
with open(path("buffer.pth"), "wb") as f:
    f.write(buf.getvalue())
expect_good("buffer.pth", ddp, strip="module.")

# nn.Parameters pickle through torch._utils._rebuild_parameter
m = torch.nn.Linear(3, 2)
params = collections.OrderedDict(m.named_parameters())
torch.save(params, path("params.pth"))
expect_good("params.pth", params)


# --- a zip writer, for ZIP64 repacks and surgically broken archives ------------------------------
def write_zip(dst, entries, zip64=False):
    """entries: [(name, bytes)] written STORED, data 64-byte aligned as torch does. Returns the
    offsets of the local headers and of the central directory."""
    out, cdir, offs = bytearray(), bytearray(), []
    for name, data in entries:
        nb = name.encode()
        crc = zipfile.crc32(data) & 0xFFFFFFFF
        off = len(out)
        offs.append(off)
        pad = (-(off + 30 + len(nb) + 4)) % 64
        extra = struct.pack("<HH", 0xFA11, pad) + b"Z" * pad
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 45, 0, 0, 0, 0, crc, len(data), len(data),
                           len(nb), len(extra)) + nb + extra + data
        if zip64:
            x = struct.pack("<HHQQQ", 1, 24, len(data), len(data), off)
            cdir += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 45, 45, 0, 0, 0, 0, crc,
                                0xFFFFFFFF, 0xFFFFFFFF, len(nb), len(x), 0, 0, 0, 0,
                                0xFFFFFFFF) + nb + x
        else:
            cdir += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 0, 0, 0, crc,
                                len(data), len(data), len(nb), 0, 0, 0, 0, 0, off) + nb
    cd_off = len(out)
    out += cdir
    n = len(entries)
    if zip64:
        z64 = len(out)
        out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, 45, 45, 0, 0, n, n, len(cdir), cd_off)
        out += struct.pack("<IIQI", 0x07064B50, 0, z64, 1)
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF,
                           0xFFFFFFFF, 0)
    else:
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, n, n, len(cdir), cd_off, 0)
    with open(dst, "wb") as f:
        f.write(out)
    return offs, cd_off


def entries_of(src):
    with zipfile.ZipFile(src) as z:
        return [(i.filename, z.read(i.filename)) for i in z.infolist()]


write_zip(path("zip64.pth"), [(n.replace("ddp/", "zip64/"), d) for n, d in entries_of(path("ddp.pth"))],
          zip64=True)
assert zipfile.ZipFile(path("zip64.pth")).testzip() is None
expect_good("zip64.pth", ddp, strip="module.")

# --- safetensors written by the reference rules (numpy, no safetensors package) ------------------
def write_safetensors(dst, tensors, metadata=None, header_override=None, tail=b""):
    hdr, data = {}, bytearray()
    if metadata is not None:
        hdr["__metadata__"] = metadata
    for k, (dt, arr) in tensors.items():
        b = arr.tobytes()
        hdr[k] = {"dtype": dt, "shape": list(arr.shape), "data_offsets": [len(data), len(data) + len(b)]}
        data += b
    js = json.dumps(header_override if header_override is not None else hdr, sort_keys=True).encode()
    js += b" " * ((-len(js)) % 8)
    with open(dst, "wb") as f:
        f.write(struct.pack("<Q", len(js)) + js + bytes(data) + tail)


st = collections.OrderedDict()
st["a.weight"] = ("F16", np.arange(12, dtype=np.float16).reshape(3, 4) / 8)
st["b.bias"] = ("F32", np.linspace(-1, 1, 5, dtype=np.float32))
st["c.ids"] = ("I64", np.array([1, -2, 3], dtype=np.int64))
write_safetensors(path("ref.safetensors"), st, {"format": "pt", "img_h": "384"})
# sort_keys puts them in name order; the reader keeps header order
expect_good("ref.safetensors", collections.OrderedDict(
    (k, torch.from_numpy(a.copy())) for k, (_, a) in sorted(st.items())))
manifest["good"][-1]["meta"] = {"format": "pt", "img_h": "384"}


# --- hostile checkpoints: nothing in them may run --------------------------------------------------
class SysCall:
    def __reduce__(self):
        return (os.system, ("touch " + MARKER,))


class EvalCall:
    def __reduce__(self):
        import builtins
        return (builtins.eval, ("open(%r, 'w')" % MARKER,))


class Arbitrary:
    def __init__(self):
        self.x = 1


for name, obj, msg in [("evil_system.pth", SysCall(), "'posix.system'"),
                       ("evil_eval.pth", EvalCall(), "'__builtin__.eval'"),
                       ("evil_class.pth", Arbitrary(), "'__main__.Arbitrary'")]:
    torch.save({"model": collections.OrderedDict(w=torch.ones(2)), "extra": obj}, path(name))
    expect_bad(name, "refused pickle global " + msg)

full = open(path("best.pth"), "rb").read()
with open(path("truncated.pth"), "wb") as f:
    f.write(full[: len(full) // 2])
expect_bad("truncated.pth", "end-of-central-directory record not found")

ents = entries_of(path("ddp.pth"))
offs, cd_off = write_zip(path("bad_cdir.pth"), ents)
blob = bytearray(open(path("bad_cdir.pth"), "rb").read())
second = cd_off + 46 + len(ents[0][0])  # the second record's signature
blob[second:second + 4] = b"XXXX"
open(path("bad_cdir.pth"), "wb").write(blob)
expect_bad("bad_cdir.pth", "bad zip central directory record")

offs, cd_off = write_zip(path("past_eof.pth"), ents)
blob = bytearray(open(path("past_eof.pth"), "rb").read())
struct.pack_into("<I", blob, cd_off + 42, len(blob) + 1000)  # first entry's local header offset
open(path("past_eof.pth"), "wb").write(blob)
expect_bad("past_eof.pth", "local header or data past the end of the file")

# the data size in the central directory runs past the end of the file
offs, cd_off = write_zip(path("size_past_eof.pth"), ents)
blob = bytearray(open(path("size_past_eof.pth"), "rb").read())
struct.pack_into("<II", blob, cd_off + 20, 0x7FFFFFF0, 0x7FFFFFF0)
open(path("size_past_eof.pth"), "wb").write(blob)
expect_bad("size_past_eof.pth", "local header or data past the end of the file")

# local headers are read when an entry is used: a broken signature, and an extra field that
# pushes storage 0's data past the end of the file
d0 = [n for n, _ in ents].index("ddp/data/0")
offs, cd_off = write_zip(path("bad_local.pth"), ents)
blob = bytearray(open(path("bad_local.pth"), "rb").read())
blob[offs[d0]:offs[d0] + 4] = b"PK\0\0"
open(path("bad_local.pth"), "wb").write(blob)
expect_bad("bad_local.pth", "zip entry 'ddp/data/0': corrupt local header")
offs, cd_off = write_zip(path("local_extra.pth"), ents)
blob = bytearray(open(path("local_extra.pth"), "rb").read())
struct.pack_into("<H", blob, offs[d0] + 28, 0xFFFF)
open(path("local_extra.pth"), "wb").write(blob)
expect_bad("local_extra.pth", "zip entry 'ddp/data/0': data lies past the end of the file")

# overlapping entries: storage 0 pointing at data.pkl's local header (its weights would be the
# pickle's bytes), and data.pkl's local extra field pushing its data into the next entry
pk = [n for n, _ in ents].index("ddp/data.pkl")
offs, cd_off = write_zip(path("overlap_entry.pth"), ents)
blob = bytearray(open(path("overlap_entry.pth"), "rb").read())
rec = cd_off + sum(46 + len(n.encode()) for n, _ in ents[:d0])  # storage 0's directory record
struct.pack_into("<I", blob, rec + 42, offs[pk])
open(path("overlap_entry.pth"), "wb").write(blob)
expect_bad("overlap_entry.pth", "overlap (one local header)")
offs, cd_off = write_zip(path("overlap_data.pth"), ents)
blob = bytearray(open(path("overlap_data.pth"), "rb").read())
struct.pack_into("<H", blob, offs[pk] + 28, struct.unpack_from("<H", blob, offs[pk] + 28)[0] + 64)
open(path("overlap_data.pth"), "wb").write(blob)
expect_bad("overlap_data.pth", "zip entry 'ddp/data.pkl': data overlap the next entry")

# storage 0 cut short: fewer bytes than numel * element size
short = [(n, d[:-2] if n.endswith("/data/0") else d) for n, d in ents]
write_zip(path("short_storage.pth"), short)
expect_bad("short_storage.pth", "holds")

# compressed entries are not what torch writes
with zipfile.ZipFile(path("deflated.pth"), "w", zipfile.ZIP_DEFLATED) as z:
    for n, d in ents:
        z.writestr(n, d)
expect_bad("deflated.pth", "is compressed")


# hand-made pickles: a rebuild call with the shape and strides we choose
class FakeStorage:
    pass


class FakeTensor:
    def __init__(self, offset, size, stride, numel=16):
        self.args = (offset, size, stride)
        self.storage = FakeStorage()
        self.storage.numel = numel

    def __reduce__(self):
        import torch._utils
        o, size, stride = self.args
        return (torch._utils._rebuild_tensor_v2,
                (self.storage, o, size, stride, False, collections.OrderedDict()))


class TorchLikePickler(__import__("pickle").Pickler):
    def persistent_id(self, obj):
        if isinstance(obj, FakeStorage):
            return ("storage", torch.HalfStorage, "0", "cpu", obj.numel)
        return None


def pickled(obj):
    b = io.BytesIO()
    TorchLikePickler(b, protocol=2).dump(obj)
    return b.getvalue()


def fake_checkpoint(name, pkl, storage=b"\0" * 32):
    write_zip(path(name), [(name[:-4] + "/data.pkl", pkl), (name[:-4] + "/data/0", storage),
                           (name[:-4] + "/version", b"3\n")])


fake_checkpoint("fake_ok.pth", pickled({"w": FakeTensor(2, (2, 3), (1, 4))}))
manifest["good"].append({"file": "fake_ok.pth", "tensors": [
    {"name": "w", "dtype": "F16", "shape": [2, 3], "contiguous": False, "values": "zeros6.f32"}]})
np.zeros(6, dtype="<f4").tofile(path("zeros6.f32"))

write_zip(path("big_endian.pth"), [(n.replace("ddp/", "big_endian/"), d) for n, d in ents]
          + [("big_endian/byteorder", b"big")])
expect_bad("big_endian.pth", "not little-endian (byteorder 'big')")
write_zip(path("little.pth"), [(n.replace("ddp/", "little/"), d) for n, d in ents]
          + [("little/byteorder", b"little")])
expect_good("little.pth", ddp, strip="module.")
fake_checkpoint("huge_shape.pth", pickled({"w": FakeTensor(0, (1 << 40, 1 << 40), (1 << 40, 1))}))
expect_bad("huge_shape.pth", "overflow")
# not in the manifest: tests/test_loaders.sh dumps it (2^62 elements over a one-element storage)
fake_checkpoint("stride0_huge.pth", pickled({"w": FakeTensor(0, (1 << 31, 1 << 31), (0, 0))}))
fake_checkpoint("past_storage.pth", pickled({"w": FakeTensor(2, (4, 4), (4, 1))}))
expect_bad("past_storage.pth", "reaches element 17 of a 16-element storage")
fake_checkpoint("claims_more.pth", pickled({"w": FakeTensor(0, (4,), (1,), numel=1 << 40)}))
expect_bad("claims_more.pth", "holds 32 bytes")
fake_checkpoint("nine_dims.pth", pickled({"w": FakeTensor(0, (1,) * 9, (1,) * 9)}))
expect_bad("nine_dims.pth", "exceed 8 dimensions")
# one tensor under 70000 names: a few bytes each in the pickle, a tensor record each in memory
body = pickled(FakeTensor(0, (2,), (1,)))[2:-1]
many = b"\x80\x02}(X\x05\x00\x00\x0000000" + body + b"r\xa0\x86\x01\x00" + b"".join(
    b"X\x05\x00\x00\x00%05dj\xa0\x86\x01\x00" % i for i in range(1, 70000)) + b"u."
fake_checkpoint("many_names.pth", many)
expect_bad("many_names.pth", "tensors in the state dict (at most 65536)")
fake_checkpoint("deep_mark.pth", b"\x80\x02" + b"(" * 100000 + b"}.")
expect_bad("deep_mark.pth", "MARKs nested too deeply")
fake_checkpoint("value_bomb.pth", b"\x80\x02" + b")" * ((1 << 21) + 10) + b".")
expect_bad("value_bomb.pth", "too many values")
fake_checkpoint("memo_bomb.pth", b"\x80\x02}r\xff\xff\xff\xff.")
expect_bad("memo_bomb.pth", "memo index too large")
fake_checkpoint("no_stop.pth", b"\x80\x02}")
expect_bad("no_stop.pth", "no STOP opcode")
fake_checkpoint("underflow.pth", b"\x80\x02s.")
expect_bad("underflow.pth", "SETITEMS without a dict")
fake_checkpoint("long_string.pth", b"\x80\x02X\xff\xff\xff\x7fabc.")
expect_bad("long_string.pth", "string past the end")
fake_checkpoint("bad_opcode.pth", b"\x80\x02\xff.")
expect_bad("bad_opcode.pth", "unsupported pickle opcode 0xff")
fake_checkpoint("storage_call.pth", b"\x80\x02ctorch\nHalfStorage\n)R.")
expect_bad("storage_call.pth", "storage class called directly")
fake_checkpoint("not_dict.pth", pickled([1, 2]))
expect_bad("not_dict.pth", "does not hold a dict")
fake_checkpoint("no_tensors.pth", pickled({"epoch": 3}))
expect_bad("no_tensors.pth", "no tensors")
dup = pickled({"w": FakeTensor(0, (2,), (1,)), "v": FakeTensor(0, (2,), (1,))})
fake_checkpoint("dup_name.pth", dup.replace(b"X\x01\x00\x00\x00v", b"X\x01\x00\x00\x00w"))
expect_bad("dup_name.pth", "appears twice")
# a global hidden behind STACK_GLOBAL (protocol 4)
fake_checkpoint("stack_global.pth", b"\x80\x04\x8c\x02os\x8c\x06system\x93.")
expect_bad("stack_global.pth", "refused pickle global 'os.system'")
with open(path("legacy.pth"), "wb") as f:
    f.write(b"\x80\x02\x8a\x0al\xfc\x9cF\xf9 j\xa8P\x19.")
expect_bad("legacy.pth", "legacy")
open(path("tiny.bin"), "wb").write(b"abc")
expect_bad("tiny.bin", "too short")
expect_bad("missing.pth", "No such file")

# --- hostile safetensors -------------------------------------------------------------------------
one = {"t": ("F32", np.ones(4, dtype=np.float32))}
with open(path("st_hlen.safetensors"), "wb") as f:
    f.write(struct.pack("<Q", 1 << 40) + b'{"t":{}}')
expect_bad("st_hlen.safetensors", "header length")
with open(path("st_badjson.safetensors"), "wb") as f:
    js = b'{"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]'
    f.write(struct.pack("<Q", len(js)) + js + b"\0" * 16)
expect_bad("st_badjson.safetensors", "bad JSON")
with open(path("st_trailing.safetensors"), "wb") as f:
    js = b'{"t": {"dtype": "F32", "shape": [4], "data_offsets": [0, 16]}} {}'
    f.write(struct.pack("<Q", len(js)) + js + b"\0" * 16)
expect_bad("st_trailing.safetensors", "text after the JSON")


def st_bad(name, header, msg, data=32):
    js = json.dumps(header).encode()
    with open(path(name), "wb") as f:
        f.write(struct.pack("<Q", len(js)) + js + b"\0" * data)
    expect_bad(name, msg)


T = lambda dt, shape, a, b: {"dtype": dt, "shape": shape, "data_offsets": [a, b]}
st_bad("st_overlap.safetensors", {"a": T("F32", [4], 0, 16), "b": T("F32", [4], 8, 24), "c": T("F32", [2], 24, 32)}, "overlap")
st_bad("st_range.safetensors", {"a": T("F32", [16], 0, 64)}, "data_offsets out of range")
st_bad("st_reversed.safetensors", {"a": T("F32", [0], 16, 8)}, "data_offsets out of range")
st_bad("st_size.safetensors", {"a": T("F32", [3], 0, 32)}, "shape and dtype need")
st_bad("st_hugeshape.safetensors", {"a": T("F32", [1 << 40, 1 << 40], 0, 32)}, "too many")
st_bad("st_dtype.safetensors", {"a": T("Q7", [8], 0, 32)}, "unsupported dtype 'Q7'")
st_bad("st_newline.safetensors", {"a\nb": T("Q\n7", [8], 0, 32)}, "tensor 'a?b': unsupported dtype 'Q?7'")
st_bad("st_f64.safetensors", {"a": T("F64", [4], 0, 32)}, "unsupported dtype 'F64'")
st_bad("st_gap.safetensors", {"a": T("F32", [4], 16, 32)}, "gap")
st_bad("st_tail.safetensors", {"a": T("F32", [4], 0, 16)}, "after the last tensor")
st_bad("st_negshape.safetensors", {"a": T("F32", [-4], 0, 16)}, "bad shape")
st_bad("st_fields.safetensors", {"a": {"dtype": "F32", "shape": [8]}}, "needs dtype, shape")
st_bad("st_meta.safetensors", {"__metadata__": {"k": 3}, "a": T("F32", [8], 0, 32)}, "not a string")
st_bad("st_deep.safetensors", {"a": [[[[[[[[[[[[1]]]]]]]]]]]]}, "bad JSON")

with open(path("manifest.json"), "w") as f:
    json.dump(manifest, f, indent=1)
