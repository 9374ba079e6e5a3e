#!/usr/bin/python3
"""The PyTorch side of README "The shipped model": the same architecture, data and recipe as an
`irra train` run, trained by the official code's way in PyTorch on this machine for a fixed
wall-clock time, then evaluated by `irra eval` on the test split (the same evaluator as ours).

The architecture is read from the shapes of an irra model file (--like: the shipped model), so it
cannot drift from ours. The recipe is irra train's from-scratch default: AdamW (eps 1e-8) at
lr 1e-3 over the official per-name groups (lr factor 5, bias factor 2, weight decay 4e-5, none on
biases), the official warmup + cosine stepped per epoch, batch 64, sdm+id+mlm with the official
aliasing, temperature 0.02, the official augmentation (Resize, RandomHorizontalFlip, Pad 10,
RandomCrop, ToTensor, Normalize, RandomErasing) and masking, in a DataLoader (--workers), fp32;
clean captions with --clean-captions. --epochs sets the schedule's length (PyTorch, slower, is given the schedule it can finish
in the time: ours scaled by the speed ratio), --seconds stops it. The last weights are
evaluated (no val selection).
usage: torch_train.py --irra BIN --like MODEL.safetensors --dataset DIR --seconds S
                      --epochs E --warmup-epochs W -o OUT.pth [--threads N] [--workers N]
                      [--split test|val] [--clean-captions]"""
import argparse
import json
import os
import struct
import subprocess
import sys
import time

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "tests", "ref"))
sys.path.insert(0, os.path.join(HERE, "..", "tests"))
import irra_ref  # noqa: E402
import irra_train_ref as tr  # noqa: E402
from check_optim import WarmupCosine, param_groups  # noqa: E402
from official_data import Data, samples  # noqa: E402

B = 64


def config_of(path):
    """IRRA's config from an irra model file's tensor shapes and metadata."""
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        h = json.loads(f.read(n))
    meta, s = h.pop("__metadata__"), {k: v["shape"] for k, v in h.items()}
    def layers(prefix):  # blocks under prefix: the index right after it
        return len({k[len(prefix):].split(".")[0] for k in s if k.startswith(prefix)})
    c = dict(tr.BASE, v_width=s["base_model.visual.conv1.weight"][0],
             patch=s["base_model.visual.conv1.weight"][2], t_width=s["base_model.ln_final.weight"][0],
             embed=s["base_model.text_projection"][1], context=s["base_model.positional_embedding"][0],
             vocab=s["base_model.token_embedding.weight"][0], img_h=int(meta["irra.img_h"]),
             img_w=int(meta["irra.img_w"]), stride=int(meta["irra.stride"]),
             num_classes=s["classifier.weight"][0], mlm=True,
             cmt_depth=layers("cross_modal_transformer.resblocks."),
             v_layers=layers("base_model.visual.transformer.resblocks."),
             t_layers=layers("base_model.transformer.resblocks."))
    return c


def train(a, c, items):
    torch.set_num_threads(a.threads)
    torch.manual_seed(1)
    model = irra_ref.IRRA(c).train()
    r = dict(lr=1e-3, lr_factor=5.0, bias_lr_factor=2.0, weight_decay=4e-5, weight_decay_bias=0.0)
    opt = torch.optim.AdamW(param_groups(model, r), lr=1e-3, betas=(0.9, 0.999), eps=1e-8)
    sched = WarmupCosine(opt, 0.1, a.warmup_epochs, a.epochs, 0.0)
    loader = torch.utils.data.DataLoader(Data(items, c), batch_size=B, shuffle=True,
                                         num_workers=a.workers, drop_last=False,
                                         persistent_workers=a.workers > 0)
    t0, steps, epoch = time.perf_counter(), 0, 0
    while epoch < a.epochs and time.perf_counter() - t0 < a.seconds:
        for img, pid, clean, mlm, labels in loader:
            caption = clean if a.clean_captions else mlm  # the official aliasing, or not
            batch = {"loss_names": "sdm+id+mlm", "caption_ids": caption.tolist(), "mlm_ids": mlm.tolist(),
                     "mlm_labels": labels.tolist(), "pids": pid.tolist()}
            opt.zero_grad()
            ret = tr.train_forward(model, img, batch)
            tr.total_loss(ret).backward()
            opt.step()
            steps += 1
            if steps % 20 == 0:
                el = time.perf_counter() - t0
                print("epoch %d step %d  loss %.3f  %.1f samples/s  %.0f s" % (
                    epoch + 1, steps, float(tr.total_loss(ret)), steps * B / el, el), flush=True)
            if time.perf_counter() - t0 >= a.seconds:
                break
        else:
            epoch += 1
            sched.step()
    el = time.perf_counter() - t0
    print(json.dumps({"epochs_done": epoch, "steps": steps, "seconds": round(el, 1),
                      "samples_per_s": round(steps * B / el, 2)}), flush=True)
    return model


def main():
    ap = argparse.ArgumentParser()
    for k in ("--irra", "--like", "--dataset", "-o"):
        ap.add_argument(k, required=True)
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--epochs", type=int, required=True)
    ap.add_argument("--warmup-epochs", type=int, default=1)
    ap.add_argument("--clean-captions", action="store_true")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--workers", type=int, default=2, help="DataLoader workers (0: in the main process)")
    ap.add_argument("--split", default="test", help="the split irra eval ranks (test or val)")
    a = ap.parse_args()
    c = config_of(a.like)
    print("config: " + json.dumps({k: v for k, v in c.items() if k != "lengths"}), flush=True)
    model = train(a, c, samples(a.dataset, a.irra, c["context"]))
    sd = {k: v.detach().clone() for k, v in model.state_dict().items()}
    torch.save({"model": sd}, a.o)
    vocab = os.path.join(HERE, "..", "assets", "bpe_simple_vocab_16e6.txt.gz")
    p = subprocess.run([a.irra, "eval", "--model", a.o, "--vocab", vocab, "--image-size",
                        "%dx%d" % (c["img_h"], c["img_w"]), "--stride", str(c["stride"]),
                        "--dataset", "cuhk-pedes:" + a.dataset, "--split", a.split, "--json", "-q"],
                       capture_output=True, text=True)
    print(p.stdout.strip() or p.stderr.strip())
    sys.exit(p.returncode)


if __name__ == "__main__":
    main()
