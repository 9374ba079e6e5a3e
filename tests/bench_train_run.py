#!/usr/bin/python3
"""make bench, training run: samples per second of `irra train` against the same training done
by PyTorch the way the official code does it, on the same `irra synth` data, same batch, same
augmentation and losses, one run, same machine.

Both train the bench configuration of tests/bench_train.py from scratch (ViT and text tower
256 wide, 4 layers each, embed 256, 16x16 patches on 192x64, context 77, the full 49408-id
vocabulary, one cross-modal block), batch 64, sdm+id+mlm with the official aliasing, the
official augmentation (Resize, RandomHorizontalFlip, Pad 10, RandomCrop, ToTensor, Normalize,
RandomErasing with the mean) and masking (spec 3.3), Adam with the official per-name groups.
PyTorch: a Dataset that opens each image with PIL and applies torchvision's transforms and the
masking in __getitem__ (as datasets/bases.py ImageTextMLMDataset; the captions are tokenised
once up front with `irra tokenize`, a small saving for PyTorch), a DataLoader with 2 workers,
the official IRRA.forward in fp32 (two text passes, the MLM head over all 77 positions), backward
and the Adam step; the faster of 1 and 2 torch threads. irra: `irra train` with 2 threads, its
samples/s taken from the time stamps of its log between the 2nd and the last step.
usage: bench_train_run.py BUILD_DIR [STEPS]   (timed steps, default 6)"""
import json
import os
import subprocess
import sys
import tempfile
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "ref"))
sys.path.insert(0, HERE)
import irra_ref  # noqa: E402
import irra_train_ref as tr  # noqa: E402
from check_optim import param_groups  # noqa: E402
from official_data import Data, samples  # noqa: E402

SIZE = dict(v_width=256, v_layers=4, t_width=256, t_layers=4, embed=256, patch=16, stride=16,
            img_h=192, img_w=64, context=77, vocab=49408, cmt_depth=1)
B = 64
EXTRA = os.environ.get("IRRA_BENCH_TRAIN_ARGS", "").split()


def torch_run(items, num_classes, steps, threads):
    torch.set_num_threads(threads)
    c = dict(tr.BASE, **SIZE, num_classes=num_classes, mlm=True)
    torch.manual_seed(0)
    model = irra_ref.IRRA(c).train()
    r = dict(lr=1e-4, lr_factor=5.0, bias_lr_factor=2.0, weight_decay=4e-5, weight_decay_bias=0.0)
    opt = torch.optim.Adam(param_groups(model, r), lr=1e-4, betas=(0.9, 0.999), eps=1e-3)
    loader = torch.utils.data.DataLoader(Data(items, SIZE), batch_size=B, shuffle=True, num_workers=2,
                                         drop_last=False)
    t, n = None, 0
    for k, (img, pid, _, mlm, labels) in enumerate(loader):
        if k == 1:
            t, n = time.perf_counter(), 0  # the first step warms up
        batch = {"loss_names": "sdm+id+mlm", "caption_ids": mlm.tolist(), "mlm_ids": mlm.tolist(),
                 "mlm_labels": labels.tolist(), "pids": pid.tolist()}
        opt.zero_grad()
        tr.total_loss(tr.train_forward(model, img, batch)).backward()
        opt.step()
        n += img.shape[0] if k >= 1 else 0
        if k == steps:
            break
    return n / (time.perf_counter() - t)


def irra_run(irra, root, d, steps):
    run = os.path.join(d, "run")
    args = [irra, "train", "--dataset", "cuhk-pedes:" + root, "-o", run, "--num-epoch", "1",
            "--batch-size", str(B), "--lr", "1e-4", "--optimizer", "adam", "--checkpoint-every", "0",
            "-q", "--vision-width", "256", "--vision-layers", "4", "--text-width", "256",
            "--text-layers", "4", "--embed-dim", "256", "--patch-size", "16", "--img-size", "192x64",
            "--stride-size", "16", "--text-length", "77", "--cmt-depth", "1"] + EXTRA
    env = dict(os.environ, OMP_NUM_THREADS="2", IRRA_TRAIN_SIGNAL_AFTER=str(steps + 1))
    subprocess.run(args, env=env, capture_output=True, text=True)
    log = [json.loads(l) for l in open(os.path.join(run, "log.jsonl")) if '"step"' in l]
    timed = log[1:steps + 1]
    return sum(s["batch"] for s in timed[1:]) / (timed[-1]["t"] - timed[0]["t"])


def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 6
    irra = os.path.join(build, "irra")
    with tempfile.TemporaryDirectory() as d:
        root = os.path.join(d, "synth")
        subprocess.run([irra, "synth", "-o", root, "--ids", "120", "--images-per-id", "4",
                        "--seed", "3"], check=True, capture_output=True)
        items = samples(root, irra, SIZE["context"])
        num_classes = len({p for p, _, _ in items})
        print("config: %d train samples, %d classes, batch %d, %d timed steps after one"
              % (len(items), num_classes, B, steps))
        ours = irra_run(irra, root, d, steps)
        best = None
        for threads in (1, 2):
            s = torch_run(items, num_classes, steps, threads)
            print("pytorch %d thread%s: %.2f samples/s" % (threads, "" if threads == 1 else "s", s))
            best = max(best or 0, s)
        print("%-34s %12s %12s %8s" % ("case", "pytorch", "irra", "ratio"))
        print("%-34s %12.2f %12.2f %7.2fx" % ("irra train, samples/s", best, ours, ours / best))


if __name__ == "__main__":
    main()
