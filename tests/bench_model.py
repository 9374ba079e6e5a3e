#!/usr/bin/python3
"""make bench, model part: irra and the PyTorch reference side by side, in one run, on the same
machine, on a full-size random-weight IRRA model (ViT-B/16, 384x128, fp32). Prints each case with
both timings and the ratio, and the targets of issue 6.

PyTorch runs at its best here: Debian's torch with the OpenMP build of OpenBLAS (LD_PRELOAD'ed by
tests/bench.sh), the same OPENBLAS_CORETYPE as irra, and the faster of 1 and 2 threads per case.
usage: bench_model.py BUILD_DIR"""
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "ref"))
import irra_ref  # noqa: E402

# "A woman wearing a white blouse with short sleeves, ..." = SOT + 23 BPE tokens + EOT.
CAPTION = [49406, 320, 2308, 3309, 320, 1579, 24133, 593, 3005, 17924, 267, 320, 6173, 539, 2946,
           1746, 10157, 537, 1579, 17397, 269, 1043, 533, 9920, 49407]


def timed(fn, reps, warm=2):
    for _ in range(warm):
        fn()
    t = []
    for _ in range(reps):
        t0 = time.perf_counter()
        fn()
        t.append(time.perf_counter() - t0)
    return statistics.median(t)


def torch_best(fn, reps):
    """(median seconds, threads) at the faster of 1 and 2 threads."""
    results = []
    for threads in (1, 2):
        torch.set_num_threads(threads)
        with torch.no_grad():
            results.append((timed(fn, reps), threads))
    return min(results)


def main():
    build = sys.argv[1]
    irra = os.path.join(build, "irra")
    tool = os.path.join(build, "tests", "tool_bench_model")
    c = irra_ref.CONFIGS["full"]
    with tempfile.TemporaryDirectory() as d:
        torch.manual_seed(0)
        model = irra_ref.IRRA(c).eval()
        sd = irra_ref.perturb_and_round(model, torch.Generator().manual_seed(0))
        pth, st = os.path.join(d, "best.pth"), os.path.join(d, "model.safetensors")
        torch.save({"model": sd}, pth)
        subprocess.run([irra, "import", pth, "-o", st, "--image-size", "384x128"], check=True)
        fp32_bytes = sum(v.numel() * 4 for v in sd.values())
        # The two files just written (1.2 GB) would otherwise be flushed to disk by the kernel
        # while the first side is timed, on the same 2 cores: flush them before either side runs.
        os.sync()

        env = dict(os.environ, OMP_NUM_THREADS="2")
        ours = json.loads(subprocess.run([tool, st, ",".join(map(str, CAPTION)), "10"], env=env,
                                         check=True, capture_output=True, text=True).stdout)
        # peak RSS of one text query in its own process (GNU time's %M, in KiB)
        p = subprocess.run(["/usr/bin/time", "-f", "%M", irra, "embed", "--model", st,
                            "--text", "a woman in a red coat"], env=env, check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak = int(p.stderr.strip().splitlines()[-1]) * 1024

        ids = torch.zeros(1, 77, dtype=torch.long)
        ids[0, :len(CAPTION)] = torch.tensor(CAPTION)
        px1, px8 = torch.randn(1, 3, 384, 128), torch.randn(8, 3, 384, 128)
        t_text, th_text = torch_best(lambda: model.encode_text(ids), 10)
        t_img1, th1 = torch_best(lambda: model.encode_image(px1), 5)
        t_img8, th8 = torch_best(lambda: model.encode_image(px8), 3)
        t_load = timed(lambda: torch.load(pth, map_location="cpu"), 3, warm=1)

    rows = [
        ("text query, 25 tokens (s)", t_text, ours["text_s"], t_text / ours["text_s"], 3.0, th_text),
        ("image batch 1 (images/s)", 1 / t_img1, ours["image_b1_per_s"], ours["image_b1_per_s"] * t_img1, 1.3, th1),
        ("image batch 8 (images/s)", 8 / t_img8, ours["image_b8_per_s"], ours["image_b8_per_s"] * t_img8 / 8, 1.3, th8),
        ("model load (s)", t_load, ours["load_s"], t_load / ours["load_s"], 10.0, "-"),
    ]
    print("%-28s %12s %12s %8s %8s  %s" % ("case", "pytorch", "irra", "ratio", "target", "torch threads"))
    ok = True
    for name, theirs, mine, ratio, target, th in rows:
        print("%-28s %12.4f %12.4f %7.2fx %7.1fx  %s%s" % (name, theirs, mine, ratio, target, th,
                                                      "" if ratio >= target else "  BELOW TARGET"))
        ok &= ratio >= target
    mem_ratio = peak / fp32_bytes
    print("%-28s %12s %12.1f %7.2fx %7.2fx  %s" % ("text query peak RSS (MB)", "-", peak / 1e6,
                                                 mem_ratio, 1.10, "fp32 model %.1f MB" % (fp32_bytes / 1e6)))
    ok &= mem_ratio <= 1.10
    print("model bench: %s" % ("all targets met" if ok else "some targets missed"))


if __name__ == "__main__":
    main()
