#!/bin/sh
# Parity of the C model with the PyTorch reference: tests/ref/irra_ref.py builds random-weight
# IRRA models in the official checkpoint layout (small configs and the full ViT-B/16 384x128
# one), and build/tests/tool_parity checks the C outputs from the .pth and from its safetensors
# conversion against the reference outputs (1e-4 x max|reference|).
. tests/lib.sh
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "ok parity_skipped_no_torch"; exit 0
fi
/usr/bin/python3 tests/ref/irra_ref.py "$TMP" all || { echo "FAIL parity_reference"; exit 1; }
rc=0
for d in "$TMP"/small "$TMP"/overlap "$TMP"/nomlm "$TMP"/full; do
    "$build/tests/tool_parity" "$d" || rc=1
done
# the image tower on OpenBLAS alone (CPUs without AVX-512 run it so)
for d in "$TMP"/small "$TMP"/full; do
    "$build/tests/tool_parity" "$d" openblas || rc=1
done
# geometry from the configs.yaml beside the .pth instead of flags
"$build/tests/tool_parity" "$TMP"/overlap yaml || rc=1
exit $rc
