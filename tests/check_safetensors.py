"""Reads a safetensors file written by irra with nothing but the format's rules (struct, json,
numpy; no safetensors package) and compares it with the expected tensors of a manifest entry
from tests/gen_checkpoints.py.  usage: check_safetensors.py FILE MANIFEST_DIR SOURCE F32|F16
Prints nothing and exits 0 when every tensor matches."""
import json
import struct
import sys

import numpy as np

path, mdir, source, want_dtype = sys.argv[1:5]
NP = {"F32": "<f4", "F16": "<f2", "BF16": None, "I64": "<i8", "I32": "<i4", "U8": "u1"}

blob = open(path, "rb").read()
(n,) = struct.unpack("<Q", blob[:8])
assert (8 + n) % 8 == 0, "data start not 8-byte aligned"
header = json.loads(blob[8:8 + n])
data = blob[8 + n:]
meta = header.pop("__metadata__", {})
assert meta.get("source"), "no source metadata"
spans = sorted(tuple(v["data_offsets"]) for v in header.values())
assert spans[0][0] == 0 and spans[-1][1] == len(data), "data not covered exactly"
assert all(a[1] == b[0] for a, b in zip(spans, spans[1:])), "gap or overlap"

manifest = json.load(open(mdir + "/manifest.json"))
entry = next(g for g in manifest["good"] if g["file"] == source)
assert list(header) == [t["name"] for t in entry["tensors"]], "names or order differ"
for t in entry["tensors"]:
    h = header[t["name"]]
    floating = t["dtype"] in ("F32", "F16", "BF16")
    assert h["dtype"] == (want_dtype if floating else t["dtype"]), (t["name"], h["dtype"])
    assert h["shape"] == t["shape"], t["name"]
    a, b = h["data_offsets"]
    got = np.frombuffer(data[a:b], dtype=NP[h["dtype"]]).reshape(t["shape"])
    want = np.fromfile(mdir + "/" + t["values"], dtype="<f4").reshape(t["shape"])
    if h["dtype"] == "F16":
        want = want.astype(np.float16)  # numpy rounds to nearest even, as irra must
        same = (got.view("<u2") == want.view("<u2")) | (np.isnan(got) & np.isnan(want))
    elif h["dtype"] == "F32":
        same = (got.view("<u4") == want.view("<u4")) | (np.isnan(got) & np.isnan(want))
    else:
        same = got.astype(np.float32) == want
    assert same.all(), "%s differs at %s" % (t["name"], np.argwhere(~same)[:3].tolist())
