# The training augmentation (train/augment.c) against torchvision applying the same parameters
# to the same image: F.hflip, F.pad(10) (zeros), F.crop at (i, j), F.to_tensor, F.normalize with
# CLIP's mean/std, F.erase with value = mean (the RandomErasing(value=mean) quirk). These are
# exactly the deterministic parts of build_transforms(aug=True); the random draws are the C
# side's. Usage: check_augment.py TOOL TMPDIR; prints one line per failing case, exits 1.
import subprocess, sys
import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image

MEAN = [0.48145466, 0.4578275, 0.40821073]
STD = [0.26862954, 0.26130258, 0.27577711]
tool, tmp = sys.argv[1], sys.argv[2]

def reference(rgb, flip, ci, cj, erase, ei, ej, eh, ew):
    h, w = rgb.shape[:2]
    img = Image.fromarray(rgb)
    if flip:
        img = F.hflip(img)
    img = F.crop(F.pad(img, 10), ci, cj, h, w)
    t = F.normalize(F.to_tensor(img), MEAN, STD)
    if erase:
        t = F.erase(t, ei, ej, eh, ew, torch.tensor(MEAN)[:, None, None])
    return t.numpy()

# (H, W, flip, crop i, crop j, erase, box i, j, h, w): identity, flips, crop corners, boxes at
# the edges and the largest box, IRRA's size and a small odd one
cases = [
    (384, 128, 0, 10, 10, 0, 0, 0, 0, 0), (384, 128, 1, 10, 10, 0, 0, 0, 0, 0),
    (384, 128, 0, 0, 0, 0, 0, 0, 0, 0), (384, 128, 1, 20, 20, 0, 0, 0, 0, 0),
    (384, 128, 1, 0, 20, 1, 0, 0, 100, 50), (384, 128, 0, 20, 0, 1, 300, 100, 84, 28),
    (384, 128, 1, 7, 13, 1, 1, 1, 383, 127), (384, 128, 0, 3, 17, 1, 200, 60, 1, 1),
    (37, 19, 1, 5, 15, 1, 10, 3, 20, 9), (37, 19, 0, 20, 2, 0, 0, 0, 0, 0),
]
rng = np.random.default_rng(11)
bad = 0
for n, (h, w, *p) in enumerate(cases):
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    src, dst = f"{tmp}/aug{n}.rgb", f"{tmp}/aug{n}.f32"
    rgb.tofile(src)
    subprocess.run([tool, "augment", src, dst, str(h), str(w)] + [str(v) for v in p], check=True)
    got = np.fromfile(dst, dtype=np.float32).reshape(3, h, w)
    want = reference(rgb, *p)
    err = float(np.abs(got - want).max())
    if not err <= 1e-6:
        print(f"case {n} {h}x{w} {p}: max |C - torchvision| = {err:g}")
        bad += 1
sys.exit(1 if bad else 0)
