#!/usr/bin/python3
"""PyTorch reference for the C model (tests/test_parity.sh): a faithful small reimplementation of
the official IRRA modules (anosorae/IRRA model/clip_model.py and model/build.py: CLIP
VisionTransformer / Transformer / ResidualAttentionBlock on nn.MultiheadAttention, the fp32
LayerNorm, QuickGELU, cross_former and mlm_head). It builds random-weight models in the official
state-dict layout (spec 1.5), rounds the matmul weights through fp16 as convert_weights does,
saves them as the official trainer does, runs the forward pass in fp32 on the fp16-rounded
weights and writes inputs and outputs as raw float32/int32 files plus manifest.json.

usage: irra_ref.py OUTDIR [small|full|all]"""
import json
import os
import sys
from collections import OrderedDict

import numpy as np
import torch
from torch import nn


class LayerNorm(nn.LayerNorm):
    """CLIP's LayerNorm: computes in fp32 and casts back to the input dtype (float64 stays
    float64: the training reference, tests/ref/irra_train_ref.py, runs the model in double)."""

    def forward(self, x):
        t = x.dtype
        if t == torch.float64:
            return super().forward(x)
        return super().forward(x.type(torch.float32)).type(t)


class QuickGELU(nn.Module):
    def forward(self, x):
        return x * torch.sigmoid(1.702 * x)


class ResidualAttentionBlock(nn.Module):
    def __init__(self, d_model, n_head, attn_mask=None):
        super().__init__()
        self.attn = nn.MultiheadAttention(d_model, n_head)
        self.ln_1 = LayerNorm(d_model)
        self.mlp = nn.Sequential(OrderedDict([
            ("c_fc", nn.Linear(d_model, d_model * 4)),
            ("gelu", QuickGELU()),
            ("c_proj", nn.Linear(d_model * 4, d_model))]))
        self.ln_2 = LayerNorm(d_model)
        self.attn_mask = attn_mask

    def attention(self, x):
        m = self.attn_mask.to(dtype=x.dtype, device=x.device) if self.attn_mask is not None else None
        return self.attn(x, x, x, need_weights=False, attn_mask=m)[0]

    def forward(self, x):
        x = x + self.attention(self.ln_1(x))
        x = x + self.mlp(self.ln_2(x))
        return x


class Transformer(nn.Module):
    def __init__(self, width, layers, heads, attn_mask=None):
        super().__init__()
        self.width, self.layers = width, layers
        self.resblocks = nn.Sequential(*[ResidualAttentionBlock(width, heads, attn_mask)
                                         for _ in range(layers)])

    def forward(self, x):
        return self.resblocks(x)


class VisionTransformer(nn.Module):
    def __init__(self, h_res, w_res, patch_size, stride_size, width, layers, heads, output_dim):
        super().__init__()
        self.num_y = (h_res - patch_size) // stride_size + 1
        self.num_x = (w_res - patch_size) // stride_size + 1
        num_patches = self.num_x * self.num_y
        self.conv1 = nn.Conv2d(3, width, kernel_size=patch_size, stride=stride_size, bias=False)
        scale = width ** -0.5
        self.class_embedding = nn.Parameter(scale * torch.randn(width))
        self.positional_embedding = nn.Parameter(scale * torch.randn(num_patches + 1, width))
        self.ln_pre = LayerNorm(width)
        self.transformer = Transformer(width, layers, heads)
        self.ln_post = LayerNorm(width)
        self.proj = nn.Parameter(scale * torch.randn(width, output_dim))

    def forward(self, x):
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = torch.cat([cls, x], dim=1)
        x = x + self.positional_embedding.to(x.dtype)
        x = self.ln_pre(x)
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_post(x)  # IRRA: every token, not only CLS
        return x @ self.proj

    def dense(self, x):
        """irra's dense features (MaskCLIP): the last block with attention replaced by each
        token's own value, out_proj applied, then the MLP, ln_post and proj."""
        x = self.conv1(x)
        x = x.reshape(x.shape[0], x.shape[1], -1).permute(0, 2, 1)
        cls = self.class_embedding.to(x.dtype) + torch.zeros(x.shape[0], 1, x.shape[-1], dtype=x.dtype)
        x = self.ln_pre(torch.cat([cls, x], dim=1) + self.positional_embedding.to(x.dtype))
        x = self.transformer.resblocks[:-1](x.permute(1, 0, 2)).permute(1, 0, 2)
        last, d = self.transformer.resblocks[-1], x.shape[-1]
        a = last.attn
        v = nn.functional.linear(last.ln_1(x), a.in_proj_weight[2 * d:], a.in_proj_bias[2 * d:])
        x = x + a.out_proj(v)
        x = x + last.mlp(last.ln_2(x))
        return self.ln_post(x) @ self.proj


class CLIP(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.context_length = c["context"]
        self.visual = VisionTransformer(c["img_h"], c["img_w"], c["patch"], c["stride"],
                                        c["v_width"], c["v_layers"], c["v_width"] // 64, c["embed"])
        self.transformer = Transformer(c["t_width"], c["t_layers"], c["t_width"] // 64,
                                       self.build_attention_mask())
        self.token_embedding = nn.Embedding(c["vocab"], c["t_width"])
        self.positional_embedding = nn.Parameter(torch.empty(c["context"], c["t_width"]))
        self.ln_final = LayerNorm(c["t_width"])
        self.text_projection = nn.Parameter(torch.empty(c["t_width"], c["embed"]))
        self.initialize_parameters()

    def initialize_parameters(self):  # CLIP.initialize_parameters
        nn.init.normal_(self.token_embedding.weight, std=0.02)
        nn.init.normal_(self.positional_embedding, std=0.01)
        for t in (self.transformer, self.visual.transformer):
            init_transformer(t)
        nn.init.normal_(self.text_projection, std=self.transformer.width ** -0.5)

    def build_attention_mask(self):
        mask = torch.empty(self.context_length, self.context_length)
        mask.fill_(float("-inf"))
        mask.triu_(1)
        return mask

    def encode_image(self, image):
        return self.visual(image)

    def encode_text(self, text):
        x = self.token_embedding(text)
        x = x + self.positional_embedding
        x = self.transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        x = self.ln_final(x)
        return x @ self.text_projection


def init_transformer(t, layers=None):
    proj_std = (t.width ** -0.5) * ((2 * (layers or t.layers)) ** -0.5)
    attn_std, fc_std = t.width ** -0.5, (2 * t.width) ** -0.5
    for b in t.resblocks:
        nn.init.normal_(b.attn.in_proj_weight, std=attn_std)
        nn.init.normal_(b.attn.out_proj.weight, std=proj_std)
        nn.init.normal_(b.mlp.c_fc.weight, std=fc_std)
        nn.init.normal_(b.mlp.c_proj.weight, std=proj_std)


class IRRA(nn.Module):
    """model/build.py IRRA with loss_names 'sdm+mlm+id' (or without mlm when mlm is False)."""

    def __init__(self, c):
        super().__init__()
        self.base_model = CLIP(c)
        E = self.embed_dim = c["embed"]
        self.classifier = nn.Linear(E, c["num_classes"])
        nn.init.normal_(self.classifier.weight.data, std=0.001)
        nn.init.constant_(self.classifier.bias.data, val=0.0)
        self.has_mlm = c["mlm"]
        if not self.has_mlm:
            return
        self.cross_attn = nn.MultiheadAttention(E, E // 64, batch_first=True)
        self.cross_modal_transformer = Transformer(E, c["cmt_depth"], E // 64)
        scale = E ** -0.5
        self.ln_pre_t, self.ln_pre_i, self.ln_post = LayerNorm(E), LayerNorm(E), LayerNorm(E)
        self.mlm_head = nn.Sequential(OrderedDict([
            ("dense", nn.Linear(E, E)), ("gelu", QuickGELU()), ("ln", LayerNorm(E)),
            ("fc", nn.Linear(E, c["vocab"]))]))
        proj_std = scale * ((2 * self.cross_modal_transformer.layers) ** -0.5)
        init_transformer(self.cross_modal_transformer)
        nn.init.normal_(self.cross_attn.in_proj_weight, std=scale)
        nn.init.normal_(self.cross_attn.out_proj.weight, std=proj_std)
        nn.init.normal_(self.mlm_head.dense.weight, std=(2 * E) ** -0.5)
        nn.init.normal_(self.mlm_head.fc.weight, std=proj_std)

    def cross_former(self, q, k, v):
        x = self.cross_attn(self.ln_pre_t(q), self.ln_pre_i(k), self.ln_pre_i(v),
                            need_weights=False)[0]
        x = self.cross_modal_transformer(x.permute(1, 0, 2)).permute(1, 0, 2)
        return self.ln_post(x)

    def encode_image(self, image):
        return self.base_model.encode_image(image)[:, 0, :].float()

    def encode_text(self, text):
        x = self.base_model.encode_text(text.long())
        return x[torch.arange(x.shape[0]), text.argmax(dim=-1)].float()

    def mlm(self, mlm_ids, image_feats):
        mlm_feats = self.base_model.encode_text(mlm_ids)
        x = self.cross_former(mlm_feats, image_feats, image_feats)
        return self.mlm_head(x)

    def cross_attn_weights(self, mlm_ids, image_feats):
        q = self.ln_pre_t(self.base_model.encode_text(mlm_ids))
        k = self.ln_pre_i(image_feats)
        return self.cross_attn(q, k, k, need_weights=True)[1]  # averaged over heads


def is_half(name):
    """convert_weights: Conv/Linear weights and biases, MHA in_proj, proj, text_projection."""
    leaf = name.split(".")[-1]
    if leaf in ("proj", "text_projection", "in_proj_weight", "in_proj_bias"):
        return True
    if any(s in name for s in (".ln_", "ln_final", "ln_pre", "ln_post", "mlm_head.ln")):
        return False
    return leaf in ("weight", "bias") and "embedding" not in name


def perturb_and_round(model, gen):
    """Non-trivial LayerNorm and bias values, then every fp16 tensor rounded through fp16 so the
    fp32 model computes with exactly the weights that are saved."""
    sd = OrderedDict()
    with torch.no_grad():
        for name, p in model.state_dict().items():
            if p.dim() == 1 and not name.endswith("class_embedding"):
                if name.endswith("weight"):
                    p.copy_(1 + 0.1 * torch.randn(p.shape, generator=gen))
                else:
                    p.copy_(0.02 * torch.randn(p.shape, generator=gen))
            if is_half(name):
                p.copy_(p.half().float())
                sd[name] = p.detach().clone().half()
            else:
                sd[name] = p.detach().clone()
    return sd


def make_ids(gen, B, c, mask_frac):
    sot, eot, mask = c["vocab"] - 2, c["vocab"] - 1, c["vocab"] - 3
    ids = torch.zeros(B, c["context"], dtype=torch.long)
    lengths = [c["context"]] + [int(x) for x in torch.randint(3, c["context"], (B - 1,), generator=gen)]
    for b, n in enumerate(lengths):  # n = SOT + words + EOT, the first one full length
        words = torch.randint(1, c["vocab"] - 3, (n - 2,), generator=gen)
        if mask_frac:
            hit = torch.rand(n - 2, generator=gen) < mask_frac
            hit[0] = True
            words[hit] = mask
        ids[b, 0], ids[b, 1:n - 1], ids[b, n - 1] = sot, words, eot
    return ids


CONFIGS = {
    # two heads everywhere (width 128 = 2 x 64), 6x2 grid
    "small": dict(v_width=128, v_layers=2, t_width=128, t_layers=2, embed=128, patch=8, stride=8,
                  img_h=48, img_w=16, context=16, vocab=600, cmt_depth=2, num_classes=11, mlm=True,
                  B=3),
    # overlapping patches (stride 6 < patch 8), one head, text wider than the joint space
    "overlap": dict(v_width=64, v_layers=3, t_width=128, t_layers=1, embed=64, patch=8, stride=6,
                    img_h=44, img_w=20, context=12, vocab=300, cmt_depth=1, num_classes=5, mlm=True,
                    B=2),
    # a CLIP-only model with no IRR branch
    "nomlm": dict(v_width=64, v_layers=1, t_width=64, t_layers=2, embed=64, patch=4, stride=4,
                  img_h=16, img_w=8, context=8, vocab=100, cmt_depth=0, num_classes=3, mlm=False,
                  B=2),
    "full": dict(v_width=768, v_layers=12, t_width=512, t_layers=12, embed=512, patch=16, stride=16,
                 img_h=384, img_w=128, context=77, vocab=49408, cmt_depth=4, num_classes=11003,
                 mlm=True, B=2),
}


def save(outdir, name, arr, manifest, dtype=np.float32):
    a = np.ascontiguousarray(arr.detach().numpy() if torch.is_tensor(arr) else arr, dtype=dtype)
    a.tofile(os.path.join(outdir, name + ".bin"))
    manifest["arrays"][name] = {"file": name + ".bin", "shape": list(a.shape),
                                "dtype": "int32" if dtype == np.int32 else "float32"}


def save_checkpoint(outdir, sd, c):
    """model.pth as the official trainer saves it, and the configs.yaml beside it."""
    os.makedirs(outdir, exist_ok=True)
    optimizer = {"state": {0: {"step": 1, "exp_avg": torch.zeros(3), "exp_avg_sq": torch.zeros(3)}},
                 "param_groups": [{"lr": 1e-5, "betas": (0.9, 0.999), "eps": 1e-3,
                                   "weight_decay": 4e-5, "amsgrad": False, "params": [0]}]}
    scheduler = {"milestones": (20, 50), "mode": "cosine", "gamma": 0.1, "last_epoch": 1,
                 "base_lrs": [1e-5]}
    torch.save({"model": sd, "optimizer": optimizer, "scheduler": scheduler, "num_epoch": 60,
                "iteration": 0, "epoch": 1}, os.path.join(outdir, "model.pth"))
    with open(os.path.join(outdir, "configs.yaml"), "w") as f:  # as the trainer's yaml dump
        f.write("img_size: !!python/tuple\n- %d\n- %d\nstride_size: %d\ntext_length: %d\n"
                % (c["img_h"], c["img_w"], c["stride"], c["context"]))


def generate(outdir, cname, seed):
    c = CONFIGS[cname]
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    model = IRRA(c).eval()
    sd = perturb_and_round(model, gen)
    save_checkpoint(outdir, sd, c)
    B = c["B"]
    manifest = {"config": cname, "img_h": c["img_h"], "img_w": c["img_w"], "stride": c["stride"],
                "mlm": c["mlm"], "arrays": {}}
    pixels = torch.randn(B, 3, c["img_h"], c["img_w"], generator=gen)
    ids = make_ids(gen, B, c, 0)
    with torch.no_grad():
        tokens = model.base_model.encode_image(pixels)
        save(outdir, "pixels", pixels, manifest)
        save(outdir, "ids", ids, manifest, np.int32)
        save(outdir, "image_feat", model.encode_image(pixels), manifest)
        save(outdir, "image_tokens", tokens, manifest)
        save(outdir, "image_dense", model.base_model.visual.dense(pixels), manifest)
        save(outdir, "text_feat", model.encode_text(ids), manifest)
        save(outdir, "text_tokens", model.base_model.encode_text(ids), manifest)
        if c["mlm"]:
            mlm_ids = make_ids(gen, B, c, 0.3)
            save(outdir, "mlm_ids", mlm_ids, manifest, np.int32)
            save(outdir, "mlm_logits", model.mlm(mlm_ids, tokens), manifest)
            save(outdir, "mlm_attn", model.cross_attn_weights(mlm_ids, tokens), manifest)
    with open(os.path.join(outdir, "manifest.json"), "w") as f:
        json.dump(manifest, f, indent=1)


def main():
    torch.set_num_threads(int(os.environ.get("IRRA_REF_THREADS", "2")))
    out = sys.argv[1]
    which = sys.argv[2] if len(sys.argv) > 2 else "all"
    names = {"small": ["small", "overlap", "nomlm"], "full": ["full"]}.get(which, list(CONFIGS))
    for i, n in enumerate(names):
        generate(os.path.join(out, n), n, 1234 + i)


if __name__ == "__main__":
    main()
