#!/usr/bin/python3
"""Reads safetensors files with numpy alone (8-byte header length, JSON header, raw data), for
the shell tests:
  st_tensors.py same A B [PREFIX]   exit 0 when every tensor (whose name starts with PREFIX) of A
                                    is in B with the same dtype, shape and bytes
  st_tensors.py meta FILE KEY       print one __metadata__ value
  st_tensors.py shape FILE NAME     print a tensor's shape (rows, then columns)"""
import json
import struct
import sys

import numpy as np

DT = {"F32": np.float32, "F16": np.float16, "I32": np.int32, "I64": np.int64, "U8": np.uint8}


def read(path):
    raw = open(path, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    hdr = json.loads(raw[8:8 + n])
    meta = hdr.pop("__metadata__", {})
    out = {}
    for k, v in hdr.items():
        a, b = v["data_offsets"]
        out[k] = np.frombuffer(raw[8 + n + a:8 + n + b], dtype=DT[v["dtype"]]).reshape(v["shape"])
    return out, meta


def main():
    if sys.argv[1] == "same":
        a, _ = read(sys.argv[2])
        b, _ = read(sys.argv[3])
        pfx = sys.argv[4] if len(sys.argv) > 4 else ""
        bad = [k for k in a if k.startswith(pfx) and
               (k not in b or a[k].shape != b[k].shape or a[k].tobytes() != b[k].tobytes())]
        names = [k for k in a if k.startswith(pfx)]
        if bad or not names:
            print("differ: %d of %d tensors, e.g. %s" % (len(bad), len(names), bad[:3]))
            sys.exit(1)
    elif sys.argv[1] == "shape":
        t, _ = read(sys.argv[2])
        print(" ".join(map(str, t[sys.argv[3]].shape)))
    elif sys.argv[1] == "meta":
        _, m = read(sys.argv[2])
        print(m.get(sys.argv[3], ""))


if __name__ == "__main__":
    main()
