"""The harness of the Python end-to-end checks (tests/check_*.py): the irra binary of the build
folder named on the command line, run() to call it, check() to run one named test and print
ok/FAIL, finish() to exit 1 when any failed."""
import os
import subprocess
import sys

IRRA = os.path.abspath(os.path.join(sys.argv[1], "irra"))
VOCAB = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "assets",
                     "bpe_simple_vocab_16e6.txt.gz")
failed = []


def run(*args, ok=True):
    p = subprocess.run([IRRA, *args], capture_output=True, text=True)
    if ok and p.returncode:
        raise AssertionError("irra %s: exit %d: %s" % (" ".join(args), p.returncode, p.stderr))
    return p


def check(name, fn):
    try:
        fn()
        print("ok", name)
    except Exception as ex:  # noqa: BLE001 - any failure is a test failure
        failed.append(name)
        print("  %s: %s" % (type(ex).__name__, ex))
        print("FAIL", name)


def finish():
    sys.exit(1 if failed else 0)
