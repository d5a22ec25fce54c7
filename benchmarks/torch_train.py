#!/usr/bin/python3
"""Training throughput of the same LEGO VAE and GAN in PyTorch on the CPU, for comparison with `legocryst train`.

The networks are CTGAN's and TVAE's module code (the classes of scripts/make_model_fixtures.py, which the C
models are checked against step by step), trained on the encoded rows of a training set written by
`legocryst prepare`, batch 500, float32, for a number of steps after a warm-up; prints rows per second.
Debian packages: python3-torch, python3-h5py.

usage: torch_train.py TRAINING.h5 vae|gan THREADS STEPS
"""
import importlib.util
import os
import sys
import time

import h5py
import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("ref", os.path.join(HERE, "..", "scripts", "make_model_fixtures.py"))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
torch.set_default_dtype(torch.float32)  # the fixture module switches to float64 for its references


def spans_of(f):
    """(offset, width, kind) per span from the stored encoder: kind 0 VALUE, 1 MODE, 2 CATEGORY"""
    kind = f["encoder/kind"][:]
    cat_off, mode_off = f["encoder/category_offset"][:], f["encoder/mode_offset"][:]
    spans, offset = [], 0
    for c in range(len(kind)):
        if kind[c] == 1:  # discrete
            w = int(cat_off[c + 1] - cat_off[c])
            spans.append((offset, w, 2))
            offset += w
        else:
            w = int(mode_off[c + 1] - mode_off[c])
            spans += [(offset, 1, 0), (offset + 1, w, 1)]
            offset += 1 + w
    return spans, offset


def main():
    path, model, threads, steps = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    with h5py.File(path, "r") as f:
        ref.SPANS, width = spans_of(f)
        data = torch.from_numpy(np.asarray(f["encoded"][:], dtype=np.float32))
    assert data.shape[1] == width, (data.shape, width)
    B, H, L, PAC = 500, 512, 128, 10
    torch.manual_seed(0)
    if model == "vae":
        enc, dec = ref.Encoder(width, (H, H), L), ref.Decoder(L, (H, H), width)
        opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), weight_decay=1e-5)

        def step(x):
            opt.zero_grad()
            real = ref.clip_values(x)
            mu, std, logvar = enc(real)
            rec, sigmas = dec(torch.randn_like(std) * std + mu)
            l1, l2 = ref.tvae_loss(rec, real, sigmas, mu, logvar)
            (l1 + l2).backward()
            opt.step()
            dec.sigma.data.clamp_(0.01, 1.0)
    else:
        gen, crit = ref.Generator(L, (H, H), width), ref.Critic(width, (H, H), PAC)
        opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6)
        opt_d = torch.optim.Adam(crit.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6)
        R = B // PAC

        def masks():
            return [(torch.rand(R, H) >= 0.5).float() * 2.0 for _ in range(2)]

        def gumbel():
            return -torch.log(-torch.log(torch.rand(B, width).clamp_min(1e-6)))

        def step(x):
            real = ref.clip_values(x)
            fake = ref.activate(gen(torch.randn(B, L)), gumbel())
            y_fake, y_real = crit(fake, masks()), crit(real, masks())
            pen = crit.gradient_penalty(real, fake, torch.rand(R), masks())
            loss_d = -(torch.mean(y_real) - torch.mean(y_fake))
            opt_d.zero_grad(set_to_none=False)
            pen.backward(retain_graph=True)
            loss_d.backward()
            opt_d.step()
            fake = ref.activate(gen(torch.randn(B, L)), gumbel())
            loss_g = -torch.mean(crit(fake, masks()))
            opt_g.zero_grad(set_to_none=False)
            loss_g.backward()
            opt_g.step()

    order = torch.randperm(data.shape[0])
    for s in range(3):  # warm-up
        step(data[order[s * B:(s + 1) * B]])
    start = time.perf_counter()
    for s in range(steps):
        i = (s + 3) % (data.shape[0] // B)
        step(data[order[i * B:(i + 1) * B]])
    seconds = time.perf_counter() - start
    print("torch %s: %d steps of %d rows in %.2f s: %.0f rows/s (%d threads, torch %s)" %
          (model, steps, B, seconds, steps * B / seconds, threads, torch.__version__))


if __name__ == "__main__":
    main()
