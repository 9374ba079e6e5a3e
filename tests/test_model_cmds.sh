# irra import, embed, fill-mask and tokenize --model against the PyTorch reference.
/usr/bin/python3 tests/check_model_cmds.py "${1:-build}"
