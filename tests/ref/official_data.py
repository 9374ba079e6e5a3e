"""The official data pipeline in PyTorch, as datasets/bases.py ImageTextMLMDataset feeds IRRA:
the train split's (pid, image, caption ids), PIL and torchvision's official augmentation, and the
official masking. Shared by tests/bench_train_run.py and mk/torch_train.py."""
import json
import os
import random
import subprocess

import torch
from PIL import Image

import irra_train_ref as tr


def samples(root, irra, context):
    """The train split as ImageTextMLMDataset sees it: (pid, image path, caption ids)."""
    train = [a for a in json.load(open(os.path.join(root, "reid_raw.json"))) if a["split"] == "train"]
    caps = [c for a in train for c in a["captions"]]
    p = subprocess.run([irra, "tokenize", "--context", str(context), "--jsonl"], check=True,
                       input="\n".join(json.dumps(c) for c in caps), capture_output=True, text=True)
    ids = [json.loads(line) for line in p.stdout.splitlines()]
    pids = sorted({a["id"] for a in train})
    index = {p: i for i, p in enumerate(pids)}
    out, k = [], 0
    for a in train:
        for _ in a["captions"]:
            out.append((index[a["id"]], os.path.join(root, "imgs", a["file_path"]),
                        (ids[k] + [0] * context)[:context]))
            k += 1
    return out


class Data(torch.utils.data.Dataset):
    def __init__(self, items, c):
        import torchvision.transforms as T
        self.items, self.vocab = items, c["vocab"]
        hw = (c["img_h"], c["img_w"])
        self.t = T.Compose([T.Resize(hw), T.RandomHorizontalFlip(0.5), T.Pad(10), T.RandomCrop(hw),
                            T.ToTensor(), T.Normalize(tr.MEAN, tr.STD),
                            T.RandomErasing(scale=(0.02, 0.4), value=tr.MEAN)])

    def __len__(self):
        return len(self.items)

    def __getitem__(self, i):
        pid, path, ids = self.items[i]
        img = self.t(Image.open(path).convert("RGB"))
        mlm, labels = tr.mask_tokens(ids, self.vocab, random)
        return img, pid, torch.tensor(ids), torch.tensor(mlm), torch.tensor(labels)
