#!/bin/sh
# irra grad (one training forward + backward) against the float64 PyTorch reference:
# tests/ref/irra_train_ref.py writes small random-weight models in the official layout with a
# batch each (sdm+id+mlm with the official aliasing, itc, clean captions, no IRR modules, edge
# cases) and checks itself; tests/check_grad.py runs irra grad on them and compares losses and
# every parameter's gradient, 1 against 2 threads, and the errors on bad batches.
. tests/lib.sh
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
    echo "ok grad_skipped_no_torch"; exit 0
fi
/usr/bin/python3 tests/ref/irra_train_ref.py "$TMP" || { echo "FAIL grad_reference"; exit 1; }
rc=0
/usr/bin/python3 tests/check_grad.py "$build" "$TMP"/alias "$TMP"/itc "$TMP"/clean "$TMP"/nomlm \
    "$TMP"/edge || rc=1
/usr/bin/python3 tests/check_grad.py --threads "$build" "$TMP"/alias "$TMP"/nomlm || rc=1
/usr/bin/python3 tests/check_grad.py --errors "$build" "$TMP"/alias "$TMP"/nomlm || rc=1
exit $rc
