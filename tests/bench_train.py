#!/usr/bin/python3
"""make bench, training part: one training step (zero_grad, forward, backward) of irra against
the PyTorch reference, side by side on the same machine, on a from-scratch-size model (ViT and
text tower 256 wide, 4 layers each, embed 256, 16x16 patches on 192x64, context 77, the full
49408-id vocabulary, one cross-modal block, 1000 classes), batch 64, sdm+id+mlm with the
official aliasing (caption_ids == mlm_ids) and spec 3.3 masking.

PyTorch runs the official step in fp32 on CPU as model/build.py does it: two text passes and the
MLM head over all 77 positions; Debian's torch on the OpenMP OpenBLAS (LD_PRELOAD'ed by
tests/bench.sh), the faster of 1 and 2 threads. irra runs BUILD/tests/tool_bench_grad MODEL BATCH
N (a JSON line {"samples_per_s", "peak_rss_mb", "act_mb_per_sample"}, optionally
"samples_per_s_median" and "loss") with OMP_NUM_THREADS=2; its peak RSS is GNU time's.
usage: bench_train.py BUILD_DIR [STEPS]   (STEPS timed steps after one warm-up; default 3)"""
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "ref"))
import irra_ref  # noqa: E402
import irra_train_ref as tr  # noqa: E402

CONFIG = dict(tr.BASE, v_width=256, v_layers=4, t_width=256, t_layers=4, embed=256, patch=16,
              stride=16, img_h=192, img_w=64, context=77, vocab=49408, cmt_depth=1,
              num_classes=1000, B=64, alias=True, loss_names="sdm+id+mlm",
              pids=[i // 2 for i in range(64)])  # two captions per identity, as a P x K batch


def step_times(model, pixels, batch, steps):
    def step():
        model.zero_grad()
        tr.total_loss(tr.train_forward(model, pixels, batch)).backward()
    step()  # warm-up
    t = []
    for _ in range(steps):
        t0 = time.perf_counter()
        step()
        t.append(time.perf_counter() - t0)
    return min(t), statistics.median(t)


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    tool = os.path.join(build, "tests", "tool_bench_grad")
    c = CONFIG
    B = c["B"]
    with tempfile.TemporaryDirectory() as d:
        model, sd = tr.build_model(c, 0)
        irra_ref.save_checkpoint(d, sd, c)
        batch = tr.make_batch(d, c, 0)
        masked = sum(1 for row in batch["mlm_labels"] for v in row if v)
        nparams = sum(p.numel() for p in model.parameters())
        print("config: B %d, %dx%d, vit %dx%d, text %dx%d, embed %d, vocab %d, cmt %d, %d classes, "
              "%.1fM parameters, %d masked tokens" % (
                  B, c["img_h"], c["img_w"], c["v_width"], c["v_layers"], c["t_width"],
                  c["t_layers"], c["embed"], c["vocab"], c["cmt_depth"], c["num_classes"],
                  nparams / 1e6, masked))
        model = model.float().train()
        pixels = tr.load_pixels(d, batch, c, dtype=torch.float32)
        results = []
        for threads in (1, 2):
            torch.set_num_threads(threads)
            best, med = step_times(model, pixels, batch, steps)
            results.append((best, med, threads))
            print("pytorch %d thread%s: step best %.3f s, median %.3f s (%.2f samples/s)"
                  % (threads, "" if threads == 1 else "s", best, med, B / med))
        best, med, threads = min(results, key=lambda r: r[1])
        model.zero_grad()
        torch_loss = float(tr.total_loss(tr.train_forward(model, pixels, batch)))
        torch_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        os.sync()

        print("%-30s %12s %12s %8s" % ("case", "pytorch", "irra", "ratio"))
        if not os.access(tool, os.X_OK):
            print("%-30s %12.3f %12s" % ("train step, median (samples/s)", B / med, "-"))
            print("irra side: not built (%s)" % tool)
            print("train bench: pytorch %d thread%s, %d steps"
                  % (threads, "" if threads == 1 else "s", steps))
            return
        env = dict(os.environ, OMP_NUM_THREADS="2")
        # Through GNU time: a process exec'ed straight from this one inherits its RSS high-water
        # mark (Linux keeps ru_maxrss across execve), so the tool would report PyTorch's peak.
        p = subprocess.run(["/usr/bin/time", "-f", "%M", tool, os.path.join(d, "model.pth"),
                            os.path.join(d, "batch.json"), str(steps)],
                           env=env, capture_output=True, text=True)
        if p.returncode != 0:
            print("irra side: %s exit %d: %s" % (tool, p.returncode, p.stderr.strip()[-400:]))
            sys.exit(1)
        ours = json.loads(p.stdout.strip().splitlines()[-1])
        ours["peak_rss_mb"] = int(p.stderr.strip().splitlines()[-1]) / 1024
        rows = [("train step, best (samples/s)", B / best, ours["samples_per_s"])]
        if "samples_per_s_median" in ours:
            rows.append(("train step, median (samples/s)", B / med, ours["samples_per_s_median"]))
        for name, theirs, mine in rows:
            print("%-30s %12.3f %12.3f %7.2fx" % (name, theirs, mine, mine / theirs))
        print("%-30s %12.0f %12.0f %7.2fx" % ("peak RSS (MB)", torch_peak, ours["peak_rss_mb"],
                                              ours["peak_rss_mb"] / torch_peak))
        if "act_mb_per_sample" in ours:
            print("%-30s %12s %12.2f" % ("activations (MB/sample)", "-", ours["act_mb_per_sample"]))
        if "loss" in ours:
            rel = abs(ours["loss"] - torch_loss) / abs(torch_loss)
            print("%-30s %12.6f %12.6f  rel %.1e%s" % ("loss (fp32)", torch_loss, ours["loss"], rel,
                                                      "" if rel < 1e-4 else "  DIFFERS"))
        print("train bench: pytorch %d thread%s, irra 2 threads, %d steps after a warm-up"
              % (threads, "" if threads == 1 else "s", steps))


if __name__ == "__main__":
    main()
