#!/usr/bin/python3
"""`irra train --replay` (optimizer, parameter groups, schedule) against the official recipe in
PyTorch: torch.optim.Adam / AdamW over one group per parameter with the name rules of the
official solver/build.py, and the warmup + cosine LRSchedulerWithWarmup of solver/lr_scheduler.py
stepped once per epoch (spec 4.2, 4.3), on the float64 training forward/backward of
tests/ref/irra_train_ref.py.

One small official-layout model (fp16-rounded random weights, with the IRR modules) and three
batches written as BATCHES.jsonl: sdm+id+mlm with the official aliasing (first, so every
parameter gets a gradient at step 1 as in an official run), sdm+id+mlm on clean captions, and
itc alone (no classifier or IRR gradient: both sides still step those tensors with a zero
gradient, as optimizer.zero_grad() leaves zeros, not None, in the official PyTorch 1.9/1.13).
4 epochs with 2 of warmup: factors 0.1, 0.55, 1.0, 0.5. A large lr (1e-3) and weight decay
(0.2, 0.05 for biases) make the groups, the L2 / decoupled decay and the schedule visible.

Variants: adam (eps 1e-3, L2), adamw (eps 1e-8, decoupled), adam_target (--target-lr nonzero:
the official warmup ignores the target lr, the cosine part goes to it).

Bound: per tensor max|w_irra - w_ref| <= 1e-2 * max|w_ref_final - w_initial|, and the lr of
every logged step equal to the reference base group's lr. One exception, AdamW only: elements
whose gradient is zero in exact arithmetic but not in float64 (the reference's 0 < |g| <= 1e-12 x
the tensor's largest at every step: the key third of each in_proj_bias, as softmax ignores a
per-row constant) get
rounding noise as their gradient in any float implementation (about 1e-7 x max|g| in irra's
fp32, as in the official fp16/fp32), and AdamW's eps 1e-8 turns that noise into lr-sized steps;
those elements are held only to Adam's step bound (Kingma & Ba 2.1: |step| <= lr (1 - beta1) /
sqrt(1 - beta2) a step, plus the decoupled decay) and counted. Adam's eps 1e-3 damps the noise
to nothing, so its variants hold every element to the 1e-2 bound. Prints ok/FAIL lines and one
summary line per variant (worst ratio, for the README).

usage: check_optim.py BUILD WORKDIR [VARIANT...]     (default: every variant)"""
import json
import math
import os
import subprocess
import sys

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "ref"))
sys.path.insert(0, HERE)
import irra_train_ref as ref  # noqa: E402
from check_grad import read_safetensors  # noqa: E402

RATIO = 1e-2
NOISE = 1e-12  # a reference gradient this far below its tensor's largest is rounding noise
MODEL = dict(ref.BASE, v_width=64, v_layers=1, t_width=128, t_layers=1, embed=64, patch=8,
             stride=6, img_h=32, img_w=20, context=14, vocab=300, cmt_depth=1, num_classes=5,
             B=4, pids=[0, 3, 0, 2])
BATCHES = [dict(alias=True, loss_names="sdm+id+mlm"),
           dict(alias=False, loss_names="sdm+id+mlm", pids=[1, 1, 4, 2]),
           dict(alias=True, loss_names="itc", pids=[3, 0, 2, 4])]
RECIPE = dict(lr=1e-3, lr_factor=5.0, bias_lr_factor=2.0, weight_decay=0.2,
              weight_decay_bias=0.05, alpha=0.9, beta=0.999, num_epoch=4, warmup_epochs=2,
              warmup_factor=0.1, target_lr=0.0)
VARIANTS = {"adam": dict(optimizer="adam"), "adamw": dict(optimizer="adamw", noise_exempt=True),
            "adam_target": dict(optimizer="adam", target_lr=2e-4)}


def param_groups(model, r):
    """solver/build.py: one group per parameter, the name rules in the official order."""
    groups = []
    for name, p in model.named_parameters():
        lr, wd = r["lr"], r["weight_decay"]
        if "cross" in name:
            lr = r["lr"] * r["lr_factor"]
        if "bias" in name:
            lr, wd = r["lr"] * r["bias_lr_factor"], r["weight_decay_bias"]
        if "classifier" in name or "mlm_head" in name:
            lr = r["lr"] * r["lr_factor"]
        groups.append({"params": [p], "lr": lr, "weight_decay": wd})
    return groups


class WarmupCosine(torch.optim.lr_scheduler._LRScheduler):
    """LRSchedulerWithWarmup with mode cosine, warmup_method linear: while last_epoch < warmup,
    base_lr times the factor going linearly from warmup_factor to 1 (no target_lr there); then
    target_lr + (base_lr - target_lr) * (1 + cos(pi * progress)) / 2."""

    def __init__(self, optimizer, warmup_factor, warmup_epochs, total_epochs, target_lr):
        self.warmup_factor, self.warmup_epochs = warmup_factor, warmup_epochs
        self.total_epochs, self.target_lr = total_epochs, target_lr
        super().__init__(optimizer)

    def get_lr(self):
        k, w = self.last_epoch, self.warmup_epochs
        if k < w:
            f = self.warmup_factor + (1 - self.warmup_factor) * k / w
            return [b * f for b in self.base_lrs]
        f = 0.5 * (1 + math.cos(math.pi * (k - w) / (self.total_epochs - w)))
        return [self.target_lr + (b - self.target_lr) * f for b in self.base_lrs]


def make_inputs(work):
    """model.pth and the batches; returns (initial state dict, [(batch, pixels)])."""
    c = dict(MODEL)
    model, sd = ref.build_model(c, 2024)
    ref.irra_ref.save_checkpoint(work, sd, c)
    init = {n: p.detach().double().clone() for n, p in model.named_parameters()}
    batches, lines = [], []
    for i, b in enumerate(BATCHES):
        cb = dict(c, **b)
        sub = os.path.join(work, "b%d" % i)
        os.makedirs(sub, exist_ok=True)
        batch = ref.make_batch(sub, cb, 77 + i)
        pixels = ref.load_pixels(sub, batch, cb)
        batches.append((batch, pixels))
        line = dict(batch, images=["b%d/%s" % (i, n) for n in batch["images"]])
        lines.append(json.dumps(line))
    with open(os.path.join(work, "batches.jsonl"), "w") as f:
        f.write("\n".join(lines) + "\n")
    return init, batches


def reference(init, batches, r):
    """The official loop (processor.py do_train) in float64: final weights, the lr of the base
    group at every step, and per tensor the elementwise max |gradient| over the steps and the
    sum of its group's lr over the steps."""
    model = ref.irra_ref.IRRA(dict(MODEL)).double().train()
    with torch.no_grad():
        for n, p in model.named_parameters():
            p.copy_(init[n])
    groups = param_groups(model, r)
    if r["optimizer"] == "adamw":
        opt = torch.optim.AdamW(groups, lr=r["lr"], betas=(r["alpha"], r["beta"]), eps=1e-8)
    else:
        opt = torch.optim.Adam(groups, lr=r["lr"], betas=(r["alpha"], r["beta"]), eps=1e-3)
    sched = WarmupCosine(opt, r["warmup_factor"], r["warmup_epochs"], r["num_epoch"],
                         r["target_lr"])
    base = [n for n, _ in model.named_parameters()].index("base_model.visual.conv1.weight")
    named = list(model.named_parameters())
    gmax = {n: torch.zeros_like(p) for n, p in named}
    lr_sum = dict.fromkeys(gmax, 0.0)
    lrs = []
    for _ in range(r["num_epoch"]):
        for batch, pixels in batches:
            loss = ref.total_loss(ref.train_forward(model, pixels, batch))
            opt.zero_grad(set_to_none=False)  # the PyTorch 1.9 behaviour of the official run
            loss.backward()
            for (n, p), grp in zip(named, opt.param_groups):
                gmax[n] = torch.maximum(gmax[n], p.grad.abs())
                lr_sum[n] += grp["lr"]
            opt.step()
            lrs.append(opt.param_groups[base]["lr"])
        sched.step()
    return {n: p.detach().clone() for n, p in named}, lrs, gmax, lr_sum


def run_irra(build, work, name, r):
    out = os.path.join(work, "run_" + name)
    cmd = [os.path.join(build, "irra"), "train", "--init", os.path.join(work, "model.pth"),
           "--replay", os.path.join(work, "batches.jsonl"), "-o", out, "-q",
           "--optimizer", r["optimizer"]]
    for k in ("lr", "lr_factor", "bias_lr_factor", "weight_decay", "weight_decay_bias", "alpha",
              "beta", "num_epoch", "warmup_epochs", "warmup_factor", "target_lr"):
        cmd += ["--" + k.replace("_", "-"), repr(r[k])]
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=600,
                       env=dict(os.environ, OMP_NUM_THREADS="1"))
    if p.returncode != 0:
        raise RuntimeError("irra train exit %d: %s" % (p.returncode, p.stderr.strip()[-500:]))
    lrs = []
    with open(os.path.join(out, "log.jsonl")) as f:
        for line in f:
            rec = json.loads(line)
            if "step" in rec:
                lrs.append(rec["lr"])
    return read_safetensors(os.path.join(out, "last.safetensors")), lrs


def compare(init, want, got, r, gmax=None, lr_sum=None):
    """(problems, worst ratio, its tensor, noise elements exempted). With gmax and lr_sum, the
    elements of zero exact gradient are held to Adam's step bound instead of the ratio."""
    bad, worst, where, exempt = [], 0.0, "-", 0
    step_bound = (1 - r["alpha"]) / math.sqrt(1 - r["beta"])
    for name in sorted(want):
        if name not in got:
            bad.append("no %s in last.safetensors" % name)
            continue
        w, g, w0 = want[name].numpy(), got[name].astype(np.float64), init[name].numpy()
        if g.shape != w.shape:
            bad.append("%s shape %s, reference %s" % (name, list(g.shape), list(w.shape)))
            continue
        keep = np.ones(w.shape, dtype=bool)
        if gmax is not None:
            gm = gmax[name].numpy()
            noise = (gm > 0) & (gm <= NOISE * gm.max())  # exact zeros (unused tokens) stay
            keep = ~noise
            exempt += int(noise.sum())
            lim = lr_sum[name] * (max(step_bound, 1.0) + r["weight_decay"] * np.abs(w0).max())
            if noise.any() and not float(np.abs(g - w)[noise].max()) <= 1.01 * lim:
                bad.append("%s: an element of zero exact gradient moved %.3g, past Adam's "
                           "step bound %.3g" % (name, float(np.abs(g - w)[noise].max()), lim))
            if not keep.any():
                continue
        moved = float(np.abs(w - w0).max())
        diff = float(np.abs(g - w)[keep].max())
        if moved == 0:
            if diff > 1e-7:
                bad.append("%s: the reference does not move it, irra by %.3g" % (name, diff))
            continue
        ratio = diff / moved
        if ratio > worst:
            worst, where = ratio, name
        if not ratio <= RATIO:
            bad.append("%s: max|w - ref| %.3g = %.3g x the reference's max update %.3g"
                       % (name, diff, ratio, moved))
    extra = sorted(set(got) - set(want))
    if extra:
        bad.append("tensors the model has no parameter of: %s" % extra[:5])
    return bad, worst, where, exempt


def main():
    if len(sys.argv) < 3 or any(v not in VARIANTS for v in sys.argv[3:]):
        sys.exit(__doc__)
    build, work = sys.argv[1:3]
    names = sys.argv[3:] or list(VARIANTS)
    torch.set_num_threads(int(os.environ.get("IRRA_REF_THREADS", "1")))
    os.makedirs(work, exist_ok=True)
    init, batches = make_inputs(work)
    ok = True
    for name in names:
        r = dict(RECIPE, **VARIANTS[name])
        want, want_lrs, gmax, lr_sum = reference(init, batches, r)
        try:
            got, got_lrs = run_irra(build, work, name, r)
        except (RuntimeError, ValueError, OSError, subprocess.TimeoutExpired) as e:
            print("  %s" % e)
            print("FAIL optim_%s" % name)
            ok = False
            continue
        if r.get("noise_exempt"):
            bad, worst, where, exempt = compare(init, want, got, r, gmax, lr_sum)
        else:
            bad, worst, where, exempt = compare(init, want, got, r)
        if len(got_lrs) != len(want_lrs):
            bad.append("%d steps logged, the reference took %d" % (len(got_lrs), len(want_lrs)))
        else:
            for i, (a, b) in enumerate(zip(got_lrs, want_lrs)):
                if abs(a - b) > 1e-5 * b:
                    bad.append("step %d: logged lr %.6g, the reference %.6g" % (i + 1, a, b))
                    break
        for b in bad[:12]:
            print("  " + b)
        if len(bad) > 12:
            print("  ... %d more" % (len(bad) - 12))
        print(("FAIL optim_%s" if bad else "ok optim_%s") % name)
        print("  summary optim_%s: %d tensors after %d steps, worst max|w-ref| / max update "
              "%.2g (%s)%s" % (name, len(want), len(want_lrs), worst, where,
                               "; %d elements of zero exact gradient held to the step bound"
                               % exempt if r.get("noise_exempt") else ""))
        ok &= not bad
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
