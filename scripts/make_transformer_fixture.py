#!/usr/bin/python3
"""Writes the PyTorch reference fixture of the tabular Transformer test (tests/nn/fixtures/model_transformer.bin).

Run with Debian's python3-torch:  /usr/bin/python3 scripts/make_transformer_fixture.py [OUTDIR]
Format and conventions as scripts/make_nn_fixtures.py (float32 inputs, float64 references, LCNNFIX1 records).

A tiny model (docs/transformer.md) on rows of width 16, four columns: CATEGORY(5) | VALUE MODE(3) | CATEGORY(4) |
VALUE MODE(2); width 8, 2 heads, 2 blocks, batch 12. One train step (teacher forcing, AdamW, gradient clipping):
the losses, every parameter gradient after clipping and the parameters after the update.

Names: "tf.p.<i>" initial parameter i (named_parameters order), "tf.g.<i>" its clipped gradient, "tf.p1.<i>"
after the step; "spans" (offset, width, kind) rows; "batch"; "loss", "categorical", "value".
"""
import math
import os
import sys

import torch
import torch.nn.functional as F
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_model_fixtures import f32, write  # noqa: E402

torch.set_default_dtype(torch.float64)

SPANS = [(0, 5, 2), (5, 1, 0), (6, 3, 1), (9, 4, 2), (13, 1, 0), (14, 2, 1)]  # kind 0 VALUE, 1 MODE, 2 CATEGORY
W, D, NH, NL, B = 16, 8, 2, 2, 12
LR, BETAS, WD, CLIP, CLAMP = 1e-3, (0.9, 0.999), 0.01, 1.0, 0.99
LV_MIN, LV_MAX = -14.0, 2.0


def columns():
    """(kind, K, value offset, one-hot offset, vocab row, head offset, continuous index) per column"""
    cols, vocab, head, nc, s = [], 1, 0, 0, 0
    while s < len(SPANS):
        off, w, kind = SPANS[s]
        if kind == 2:
            cols.append(("d", w, -1, off, vocab, head, -1))
            head += w
        else:
            moff, mw, _ = SPANS[s + 1]
            s += 1
            cols.append(("c", mw, off, moff, vocab, head, nc))
            head, w, nc = head + 3 * mw, mw, nc + 1
        vocab += w
        s += 1
    return cols, vocab, head, nc


COLS, V, O, NC = columns()
T = len(COLS)


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.ln1 = nn.LayerNorm(D)
        self.qkv = nn.Linear(D, 3 * D)
        self.proj = nn.Linear(D, D)
        self.ln2 = nn.LayerNorm(D)
        self.fc = nn.Linear(D, 4 * D)
        self.fcproj = nn.Linear(4 * D, D)

    def forward(self, x):
        b, t, _ = x.shape
        hs = D // NH
        q, k, v = self.qkv(self.ln1(x)).split(D, dim=2)
        q, k, v = (a.view(b, t, NH, hs).transpose(1, 2) for a in (q, k, v))
        att = q @ k.transpose(-2, -1) / math.sqrt(hs)
        att = att.masked_fill(torch.triu(torch.ones(t, t, dtype=torch.bool), 1), float("-inf")).softmax(-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, D)
        x = x + self.proj(y)
        return x + self.fcproj(F.gelu(self.fc(self.ln2(x))))


class TabTransformer(nn.Module):
    def __init__(self):
        super().__init__()
        self.wpe = nn.Parameter(torch.randn(T, D) * 0.3)
        self.wte = nn.Parameter(torch.randn(V, D) * 0.3)
        self.wve = nn.Linear(NC, D, bias=False)
        self.blocks = nn.ModuleList([Block() for _ in range(NL)])
        self.lnf = nn.LayerNorm(D)
        self.head = nn.Linear(D, O)

    def forward(self, tok, vfeat):
        x = self.wpe[None] + self.wte[tok] + self.wve(vfeat)
        for blk in self.blocks:
            x = blk(x)
        return self.head(self.lnf(x))


def main():
    torch.manual_seed(41)
    model = TabTransformer()
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "ln" in name:  # LayerNorm affine away from (1, 0)
                p.copy_((1.0 if name.endswith("weight") else 0.0) + 0.2 * torch.randn(p.shape))
            elif name.endswith("bias"):
                p.copy_(0.1 * torch.randn(p.shape))
            p.copy_(f32(p))
    res = {"tf.p.%d" % i: p.detach().clone() for i, p in enumerate(model.parameters())}

    # encoded rows: VALUE entries in [-1.2, 1.2] (some beyond the clip), one-hot spans
    x = torch.zeros(B, W)
    for off, w, kind in SPANS:
        if kind == 0:
            x[:, off] = f32(torch.rand(B, dtype=torch.float32) * 2.4 - 1.2)
        else:
            x[torch.arange(B), off + torch.randint(0, w, (B,))] = 1.0
    cls = [x[:, c[3]:c[3] + c[1]].argmax(1) for c in COLS]
    z = [x[:, c[2]].clamp(-CLAMP, CLAMP) if c[0] == "c" else None for c in COLS]
    tok = torch.zeros(B, T, dtype=torch.long)
    vfeat = torch.zeros(B, T, NC)
    for k in range(1, T):  # teacher forcing: token k carries column k - 1
        c = COLS[k - 1]
        tok[:, k] = c[4] + cls[k - 1]
        if c[0] == "c":
            vfeat[:, k, c[6]] = z[k - 1]

    opt = torch.optim.AdamW(model.parameters(), lr=LR, betas=BETAS, eps=1e-8, weight_decay=WD)
    opt.zero_grad()
    logits = model(tok, vfeat)
    ce, nll = 0.0, 0.0
    for k, c in enumerate(COLS):
        K, h = c[1], c[5]
        ce = ce + F.cross_entropy(logits[:, k, h:h + K], cls[k], reduction="sum")
        if c[0] == "c":
            mu = logits[:, k, h + K:h + 2 * K].gather(1, cls[k][:, None])[:, 0]
            lv = logits[:, k, h + 2 * K:h + 3 * K].gather(1, cls[k][:, None])[:, 0].clamp(LV_MIN, LV_MAX)
            nll = nll + ((z[k] - mu) ** 2 / (2 * torch.exp(lv)) + lv / 2).sum()
    ce, nll = ce / B, nll / B
    loss = ce + nll
    loss.backward()
    norm = torch.nn.utils.clip_grad_norm_(model.parameters(), CLIP)
    res.update({"tf.g.%d" % i: p.grad.detach().clone() for i, p in enumerate(model.parameters())})
    opt.step()
    res.update({"tf.p1.%d" % i: p.detach().clone() for i, p in enumerate(model.parameters())})
    res.update(spans=torch.tensor(SPANS, dtype=torch.float64), batch=x, loss=loss.reshape(1),
               categorical=ce.reshape(1), value=nll.reshape(1), grad_norm=norm.reshape(1))
    print("loss %.6f (categorical %.6f, value %.6f), gradient norm %.4f before clipping" % (loss, ce, nll, norm))

    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                                "tests", "nn", "fixtures")
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, "model_transformer.bin")
    write(path, res)
    print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
