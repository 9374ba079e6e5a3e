# irra export against torch.load(weights_only=True) and the PyTorch reference model.
if ! /usr/bin/python3 -c 'import torch, yaml' 2>/dev/null; then
    echo "ok export_skipped_no_torch"; exit 0
fi
/usr/bin/python3 tests/check_export.py "${1:-build}"
