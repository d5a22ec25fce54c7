#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for the tabular model tests (tests/nn/fixtures/model_{vae,gan}.bin).

Run with Debian's python3-torch:  /usr/bin/python3 scripts/make_model_fixtures.py [OUTDIR]
Format and conventions as scripts/make_nn_fixtures.py (float32 inputs, float64 references, LCNNFIX1 records).

Tiny versions of both models (row width 19: VALUE(1) MODE(3) VALUE(1) MODE(4) CATEGORY(6) CATEGORY(4); hidden 16;
latent/noise 8; batch 20, pac 10) written the way CTGAN and TVAE write them, with every random draw (noise,
Gumbel noise, dropout masks, interpolation weights) an input. One train step: the step's losses, every parameter
gradient, the parameters after Adam (and TVAE's sigma clamp) and the BatchNorm running estimates.

Names: "<set>.p.<i>" initial parameter i of a set (PyTorch's named_parameters order), "<set>.g.<i>" its gradient
in the step, "<set>.p1.<i>" after the update; sets "vae", "gen", "crit".
"""
import os
import struct
import sys

import torch
import torch.nn.functional as F
from torch import nn

torch.set_default_dtype(torch.float64)

SPANS = [(0, 1, 0), (1, 3, 1), (4, 1, 0), (5, 4, 1), (9, 6, 2), (15, 4, 2)]  # (offset, width, kind): 0 VALUE
W, H, L, B, PAC = 19, 16, 8, 20, 10


def write(path, tensors):
    with open(path, "wb") as f:
        f.write(b"LCNNFIX1")
        f.write(struct.pack("<I", len(tensors)))
        for name, t in tensors.items():
            t = torch.as_tensor(t).detach().to(torch.float32).contiguous()
            nb = name.encode("ascii")
            f.write(struct.pack("<I", len(nb)))
            f.write(nb)
            f.write(struct.pack("<I", t.dim()))
            f.write(struct.pack("<%dI" % t.dim(), *t.shape))
            f.write(t.numpy().astype("<f4").tobytes())


def f32(t):
    """round to float32 and promote: the C side sees exactly these numbers"""
    return t.to(torch.float32).to(torch.float64)


def batch_rows():
    """encoded rows: VALUE entries in [-1.2, 1.2] (some beyond the 0.99 clip), one-hot spans"""
    x = torch.zeros(B, W)
    for off, w, kind in SPANS:
        if kind == 0:
            x[:, off] = f32(torch.rand(B, dtype=torch.float32) * 2.4 - 1.2)
        else:
            x[torch.arange(B), off + torch.randint(0, w, (B,))] = 1.0
    return x


def clip_values(x):
    """RDT's ClusterBasedNormalizer clips the normalised value to +-0.99 before CTGAN/TVAE see it"""
    x = x.clone()
    for off, w, kind in SPANS:
        if kind == 0:
            x[:, off:off + w] = x[:, off:off + w].clamp(-0.99, 0.99)
    return x


def params_dict(prefix, module, tag):
    return {"%s.%s.%d" % (prefix, tag, i): p.detach().clone() for i, p in enumerate(module.parameters())}


def grads_dict(prefix, module):
    return {"%s.g.%d" % (prefix, i): p.grad.detach().clone() for i, p in enumerate(module.parameters())}


# ---------------- TVAE ----------------

class Encoder(nn.Module):  # TVAE's
    def __init__(self, data_dim, compress_dims, embedding_dim):
        super().__init__()
        dim, seq = data_dim, []
        for item in compress_dims:
            seq += [nn.Linear(dim, item), nn.ReLU()]
            dim = item
        self.seq = nn.Sequential(*seq)
        self.fc1 = nn.Linear(dim, embedding_dim)
        self.fc2 = nn.Linear(dim, embedding_dim)

    def forward(self, x):
        feature = self.seq(x)
        mu, logvar = self.fc1(feature), self.fc2(feature)
        return mu, torch.exp(0.5 * logvar), logvar


class Decoder(nn.Module):  # TVAE's
    def __init__(self, embedding_dim, decompress_dims, data_dim):
        super().__init__()
        dim, seq = embedding_dim, []
        for item in decompress_dims:
            seq += [nn.Linear(dim, item), nn.ReLU()]
            dim = item
        seq.append(nn.Linear(dim, data_dim))
        self.seq = nn.Sequential(*seq)
        self.sigma = nn.Parameter(torch.ones(data_dim) * 0.1)

    def forward(self, z):
        return self.seq(z), self.sigma


def tvae_loss(recon_x, x, sigmas, mu, logvar, factor=2):  # TVAE's _loss_function
    loss = []
    for off, w, kind in SPANS:
        if kind == 0:
            std = sigmas[off]
            eq = x[:, off] - torch.tanh(recon_x[:, off])
            loss.append((eq ** 2 / 2 / (std ** 2)).sum())
            loss.append(torch.log(std) * x.size()[0])
        else:
            loss.append(F.cross_entropy(recon_x[:, off:off + w], torch.argmax(x[:, off:off + w], dim=-1),
                                        reduction="sum"))
    kld = -0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp())
    return sum(loss) * factor / x.size()[0], kld / x.size()[0]


def vae():
    torch.manual_seed(21)
    enc, dec = Encoder(W, (H, H), L), Decoder(L, (H, H), W)
    with torch.no_grad():
        for p in list(enc.parameters()) + list(dec.parameters()):
            p.copy_(f32(p))
        # sigma: varied per column; one (unused, one-hot) column just above the clamp so the step clamps it
        dec.sigma.copy_(f32(0.05 + 0.3 * torch.rand(W, dtype=torch.float32)))
        dec.sigma[7] = f32(torch.tensor(0.0102))
    res = {}
    res.update(params_dict("vae", nn.ModuleList([enc, dec]), "p"))
    x = batch_rows()
    eps = f32(torch.randn(B, L, dtype=torch.float32))
    opt = torch.optim.Adam(list(enc.parameters()) + list(dec.parameters()), weight_decay=1e-5)  # TVAE
    opt.zero_grad()
    real = clip_values(x)
    mu, std, logvar = enc(real)
    emb = eps * std + mu
    rec, sigmas = dec(emb)
    loss_1, loss_2 = tvae_loss(rec, real, sigmas, mu, logvar)
    loss = loss_1 + loss_2
    loss.backward()
    res.update(grads_dict("vae", nn.ModuleList([enc, dec])))
    opt.step()
    dec.sigma.data.clamp_(0.01, 1.0)
    res.update(params_dict("vae", nn.ModuleList([enc, dec]), "p1"))
    res.update(spans=torch.tensor(SPANS, dtype=torch.float64), batch=x, eps=eps,
               loss=loss.reshape(1), reconstruction=loss_1.reshape(1), kl=loss_2.reshape(1))
    return res


# ---------------- CTGAN ----------------

class Residual(nn.Module):  # CTGAN's
    def __init__(self, i, o):
        super().__init__()
        self.fc = nn.Linear(i, o)
        self.bn = nn.BatchNorm1d(o)
        self.relu = nn.ReLU()

    def forward(self, x):
        out = self.relu(self.bn(self.fc(x)))
        return torch.cat([out, x], dim=1)


class Generator(nn.Module):  # CTGAN's
    def __init__(self, embedding_dim, generator_dim, data_dim):
        super().__init__()
        dim, seq = embedding_dim, []
        for item in generator_dim:
            seq += [Residual(dim, item)]
            dim += item
        seq.append(nn.Linear(dim, data_dim))
        self.seq = nn.Sequential(*seq)

    def forward(self, z):
        return self.seq(z)


class Critic(nn.Module):
    """CTGAN's Discriminator with the dropout masks as inputs (F.dropout draws the same kind of mask)"""

    def __init__(self, input_dim, dims, pac):
        super().__init__()
        self.pacdim = input_dim * pac
        dim, seq = self.pacdim, []
        for item in dims:
            seq += [nn.Linear(dim, item), nn.LeakyReLU(0.2), nn.Dropout(0.5)]
            dim = item
        seq += [nn.Linear(dim, 1)]
        self.seq = nn.Sequential(*seq)

    def forward(self, x, masks):
        h = x.view(-1, self.pacdim)
        h = F.leaky_relu(self.seq[0](h), 0.2) * masks[0]
        h = F.leaky_relu(self.seq[3](h), 0.2) * masks[1]
        return self.seq[6](h)

    def gradient_penalty(self, real, fake, alpha_pack, masks, pac=PAC, lambda_=10):  # calc_gradient_penalty
        alpha = alpha_pack.view(-1, 1, 1).repeat(1, pac, real.size(1)).view(-1, real.size(1))
        interpolates = alpha * real + (1 - alpha) * fake
        out = self(interpolates, masks)
        gradients = torch.autograd.grad(outputs=out, inputs=interpolates, grad_outputs=torch.ones(out.size()),
                                        create_graph=True, retain_graph=True, only_inputs=True)[0]
        gradients_view = gradients.view(-1, pac * real.size(1)).norm(2, dim=1) - 1
        return ((gradients_view) ** 2).mean() * lambda_


def activate(raw, gumbel, tau=0.2):
    """CTGAN's _apply_activate: tanh on VALUE spans, F.gumbel_softmax(tau=0.2) with the given noise"""
    out = []
    for off, w, kind in SPANS:
        if kind == 0:
            out.append(torch.tanh(raw[:, off:off + w]))
        else:
            out.append(F.softmax((raw[:, off:off + w] + gumbel[:, off:off + w]) / tau, dim=1))
    return torch.cat(out, dim=1)


def gan():
    torch.manual_seed(31)
    R = B // PAC
    gen, crit = Generator(L, (H, H), W), Critic(W, (H, H), PAC)
    with torch.no_grad():
        for p in gen.parameters():
            p.copy_(f32(p))
        for p in crit.parameters():
            p.copy_(f32(p))
        for blk in (gen.seq[0], gen.seq[1]):  # BatchNorm affine away from (1, 0)
            blk.bn.weight.copy_(f32(1.0 + 0.2 * torch.randn(H, dtype=torch.float32)))
            blk.bn.bias.copy_(f32(0.2 * torch.randn(H, dtype=torch.float32)))
    res = {}
    res.update(params_dict("gen", gen, "p"))
    res.update(params_dict("crit", crit, "p"))

    def gumbel():
        u = torch.rand(B, W, dtype=torch.float32).clamp_min(1e-6).to(torch.float64)
        g = f32(-torch.log(-torch.log(u)))
        for off, w, kind in SPANS:
            if kind == 0:
                g[:, off:off + w] = 0.0
        return g

    def masks():
        return [(torch.rand(R, H, dtype=torch.float32) >= 0.5).to(torch.float64) * 2.0 for _ in range(2)]

    x = batch_rows()
    z_d, gumbel_d = f32(torch.randn(B, L, dtype=torch.float32)), gumbel()
    m_fake, m_real, m_gp = masks(), masks(), masks()
    alpha = f32(torch.rand(R, dtype=torch.float32))
    z_g, gumbel_g, m_g = f32(torch.randn(B, L, dtype=torch.float32)), gumbel(), masks()

    opt_g = torch.optim.Adam(gen.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6)
    opt_d = torch.optim.Adam(crit.parameters(), lr=2e-4, betas=(0.5, 0.9), weight_decay=1e-6)
    real = clip_values(x)
    # critic step (CTGAN's fit loop, discriminator_steps = 1, no conditional vector)
    fake = activate(gen(z_d), gumbel_d)
    y_fake, y_real = crit(fake, m_fake), crit(real, m_real)
    pen = crit.gradient_penalty(real, fake, alpha, m_gp)
    loss_d = -(torch.mean(y_real) - torch.mean(y_fake))
    opt_d.zero_grad(set_to_none=False)
    pen.backward(retain_graph=True)
    loss_d.backward()
    res.update(grads_dict("crit", crit))
    opt_d.step()
    # generator step
    fake = activate(gen(z_g), gumbel_g)
    y_fake = crit(fake, m_g)
    loss_g = -torch.mean(y_fake)
    opt_g.zero_grad(set_to_none=False)
    loss_g.backward()
    res.update(grads_dict("gen", gen))
    opt_g.step()
    res.update(params_dict("gen", gen, "p1"))
    res.update(params_dict("crit", crit, "p1"))
    bn = [gen.seq[0].bn, gen.seq[1].bn]
    res["bn_state"] = torch.cat([bn[0].running_mean, bn[0].running_var, bn[1].running_mean, bn[1].running_var])
    res.update(spans=torch.tensor(SPANS, dtype=torch.float64), batch=x, z_d=z_d, gumbel_d=gumbel_d, alpha=alpha,
               z_g=z_g, gumbel_g=gumbel_g, loss_critic=loss_d.reshape(1), loss_gp=pen.reshape(1),
               loss_gen=loss_g.reshape(1))
    for name, m in (("mask_fake", m_fake), ("mask_real", m_real), ("mask_gp", m_gp), ("mask_g", m_g)):
        res[name + "0"], res[name + "1"] = m
    return res


def main():
    outdir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                                "tests", "nn", "fixtures")
    os.makedirs(outdir, exist_ok=True)
    for name, fn in (("model_vae", vae), ("model_gan", gan)):
        path = os.path.join(outdir, name + ".bin")
        write(path, fn())
        print("wrote", path, os.path.getsize(path), "bytes")


if __name__ == "__main__":
    main()
