#!/usr/bin/python3
"""Writes the PyTorch reference fixtures for the neural-network engine tests (tests/nn/fixtures/*.bin).

Run with Debian's python3-torch:  /usr/bin/python3 scripts/make_nn_fixtures.py [OUTDIR]
(the default OUTDIR is tests/nn/fixtures beside this script). The output is committed, so tests need no Python.

Inputs are drawn in float32 with fixed seeds; the references are computed by PyTorch autograd in float64 from
those float32 inputs and stored as float32, so the C float32 code is compared with the exact answer rather than
with another float32 rounding. Random draws (dropout masks, Gumbel noise) are inputs here: the C side draws them
from its own keyed generator, so only the deterministic map from (input, mask/noise) to output is compared.

File format (little-endian), read by tests/nn/fixture.h:
    b"LCNNFIX1", uint32 count, then count records of
    uint32 name_length, name bytes (ASCII), uint32 ndim, uint32 dims[ndim], float32 data[prod(dims)]
Integer tensors (class indices, embedding indices) are stored as float32 (exact for the small values used).
"""
import os
import struct
import sys

import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)


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


def rand(*shape, scale=1.0):
    """float32 draw, promoted to float64 for the reference computation"""
    return (torch.randn(*shape, dtype=torch.float32) * scale).to(torch.float64)


def leaf(t):
    return t.clone().requires_grad_(True)


def grads(out, dout, *inputs):
    g = torch.autograd.grad(out, inputs, dout, allow_unused=True)
    return [torch.zeros_like(x) if gi is None else gi for gi, x in zip(g, inputs)]


def linear():
    torch.manual_seed(1)
    x, w, b, dout = rand(4, 5), rand(3, 5), rand(3), rand(4, 3)
    xl, wl, bl = leaf(x), leaf(w), leaf(b)
    out = F.linear(xl, wl, bl)
    dx, dw, db = grads(out, dout, xl, wl, bl)
    return dict(x=x, w=w, b=b, dout=dout, out=out, dx=dx, dw=dw, db=db)


def batchnorm():
    torch.manual_seed(2)
    B, C = 6, 4
    x, gamma, beta, dout = rand(B, C, scale=2.0) + 0.5, rand(C), rand(C), rand(B, C)
    rm0, rv0 = rand(C, scale=0.1), rand(C, scale=0.1).abs() + 1.0
    bn = torch.nn.BatchNorm1d(C, eps=1e-5, momentum=0.1)
    with torch.no_grad():
        bn.weight.copy_(gamma)
        bn.bias.copy_(beta)
        bn.running_mean.copy_(rm0)
        bn.running_var.copy_(rv0)
    xl = leaf(x)
    out = bn(xl)
    dx, dgamma, dbeta = grads(out, dout, xl, bn.weight, bn.bias)
    rm, rv = bn.running_mean.clone(), bn.running_var.clone()
    bn.eval()
    xe = leaf(x)
    out_eval = bn(xe)
    (dx_eval,) = grads(out_eval, dout, xe)
    return dict(x=x, gamma=gamma, beta=beta, dout=dout, running_mean0=rm0, running_var0=rv0, out=out, dx=dx,
                dgamma=dgamma, dbeta=dbeta, running_mean=rm, running_var=rv, out_eval=out_eval, dx_eval=dx_eval)


def activations():
    torch.manual_seed(3)
    x, dout = rand(3, 7, scale=1.5), rand(3, 7)
    x[x.abs() < 0.05] += 0.1  # no entry at a kink
    res = dict(x=x, dout=dout)
    for name, f in [("relu", F.relu), ("leakyrelu", lambda t: F.leaky_relu(t, 0.2)), ("tanh", torch.tanh),
                    ("gelu", F.gelu)]:
        xl = leaf(x)
        out = f(xl)
        (dx,) = grads(out, dout, xl)
        res[name + "_out"], res[name + "_dx"] = out, dx
    return res


def dropout():
    torch.manual_seed(4)
    p = 0.5
    x, dout = rand(4, 6), rand(4, 6)
    mask = (torch.rand(4, 6, dtype=torch.float32) >= p).to(torch.float64) / (1 - p)
    xl = leaf(x)
    out = xl * mask  # what F.dropout computes for this mask
    (dx,) = grads(out, dout, xl)
    return dict(x=x, mask=mask, dout=dout, out=out, dx=dx)


def softmax():
    torch.manual_seed(5)
    x, dout = rand(4, 6, scale=2.0), rand(4, 6)
    u = torch.rand(4, 6, dtype=torch.float32).clamp_min(1e-6).to(torch.float64)
    noise = (-torch.log(-torch.log(u))).to(torch.float32).to(torch.float64)
    res = dict(x=x, dout=dout, noise=noise)
    xl = leaf(x)
    out = F.softmax(xl, dim=-1)
    (dx,) = grads(out, dout, xl)
    res.update(softmax_out=out, softmax_dx=dx)
    tau = 0.2
    xl = leaf(x)
    out = F.softmax((xl + noise) / tau, dim=-1)  # F.gumbel_softmax(hard=False) with this noise
    (dx,) = grads(out, dout, xl)
    res.update(gumbel_out=out, gumbel_dx=dx, tau=torch.tensor([tau]))
    return res


def layernorm():
    torch.manual_seed(6)
    N, C = 5, 8
    x, w, b, dout = rand(N, C, scale=2.0) + 1.0, rand(C), rand(C), rand(N, C)
    xl, wl, bl = leaf(x), leaf(w), leaf(b)
    out = F.layer_norm(xl, (C,), wl, bl, 1e-5)
    dx, dw, db = grads(out, dout, xl, wl, bl)
    return dict(x=x, w=w, b=b, dout=dout, out=out, dx=dx, dw=dw, db=db)


def embedding():
    torch.manual_seed(7)
    V, C, N = 5, 4, 6
    idx = torch.tensor([0, 3, 3, 1, 4, 3])
    table, dout = rand(V, C), rand(N, C)
    tl = leaf(table)
    out = F.embedding(idx, tl)
    (dtable,) = grads(out, dout, tl)
    return dict(idx=idx.to(torch.float64), table=table, dout=dout, out=out, dtable=dtable)


def attention():
    torch.manual_seed(8)
    B, T, C, NH = 2, 5, 8, 2
    qkv, dout = rand(B, T, 3 * C), rand(B, T, C)
    ql = leaf(qkv)
    q, k, v = ql.split(C, dim=2)
    q = q.view(B, T, NH, C // NH).transpose(1, 2)
    k = k.view(B, T, NH, C // NH).transpose(1, 2)
    v = v.view(B, T, NH, C // NH).transpose(1, 2)
    att = (q @ k.transpose(-2, -1)) / (C // NH) ** 0.5
    mask = torch.tril(torch.ones(T, T, dtype=torch.bool))
    att = F.softmax(att.masked_fill(~mask, float("-inf")), dim=-1)
    out = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
    (dqkv,) = grads(out, dout, ql)
    return dict(qkv=qkv, dout=dout, out=out, att=att, dqkv=dqkv, shape=torch.tensor([B, T, C, NH]))


def concat():
    torch.manual_seed(9)
    a, b, dout = rand(3, 2), rand(3, 4), rand(3, 6)
    al, bl = leaf(a), leaf(b)
    out = torch.cat([al, bl], dim=1)
    da, db = grads(out, dout, al, bl)
    return dict(a=a, b=b, dout=dout, out=out, da=da, db=db)


def losses():
    torch.manual_seed(10)
    res = {}
    pred, target = leaf(rand(4, 3)), rand(4, 3)
    loss = F.mse_loss(pred, target, reduction="sum") * 0.5
    (d,) = grads(loss, None, pred)
    res.update(mse_pred=pred, mse_target=target, mse_loss=loss.reshape(1), mse_dpred=d)
    logits, cls = leaf(rand(5, 4, scale=2.0)), torch.tensor([0, 3, 1, 1, 2])
    loss = F.cross_entropy(logits, cls, reduction="sum") / 5
    (d,) = grads(loss, None, logits)
    res.update(ce_logits=logits, ce_target=cls.to(torch.float64), ce_loss=loss.reshape(1), ce_dlogits=d)
    # TVAE reconstruction term: ((x - mu)^2 / 2 / sigma^2).sum() + log(sigma) per entry
    mu, x, sigma = leaf(rand(5, 3)), rand(5, 3), leaf(rand(3).abs() * 0.5 + 0.1)
    loss = (((x - mu) ** 2) / 2 / sigma ** 2).sum() + torch.log(sigma).sum() * 5
    dmu, dsigma = grads(loss, None, mu, sigma)
    res.update(nll_mu=mu, nll_target=x, nll_sigma=sigma, nll_loss=loss.reshape(1), nll_dmu=dmu, nll_dsigma=dsigma)
    mu, logvar = leaf(rand(4, 3)), leaf(rand(4, 3, scale=0.5))
    loss = -0.5 * torch.sum(1 + logvar - mu ** 2 - logvar.exp()) / 4
    dmu, dlv = grads(loss, None, mu, logvar)
    res.update(kl_mu=mu, kl_logvar=logvar, kl_loss=loss.reshape(1), kl_dmu=dmu, kl_dlogvar=dlv)
    real, fake = leaf(rand(6)), leaf(rand(4))
    loss = fake.mean() - real.mean()
    dr, df = grads(loss, None, real, fake)
    res.update(w_real=real, w_fake=fake, w_loss=loss.reshape(1), w_dreal=dr, w_dfake=df)
    return res


def adam():
    torch.manual_seed(11)
    n, steps = 10, 3
    p0, g = rand(n), rand(steps, n)
    res = dict(params0=p0, grads=g)
    for name, cls in [("adam", torch.optim.Adam), ("adamw", torch.optim.AdamW)]:
        p = torch.nn.Parameter(p0.clone())
        opt = cls([p], lr=1e-2, betas=(0.5, 0.9), eps=1e-8, weight_decay=0.1)
        after = []
        for t in range(steps):
            p.grad = g[t].clone()
            opt.step()
            after.append(p.detach().clone())
        res[name + "_params"] = torch.stack(after)
    gc = rand(n, scale=3.0)
    norm = torch.nn.utils.clip_grad_norm_([torch.nn.Parameter(torch.zeros(n))], 1.0)  # no grads: warm the API
    q = torch.nn.Parameter(torch.zeros(n))
    q.grad = gc.clone()
    norm = torch.nn.utils.clip_grad_norm_([q], 2.0)
    res.update(clip_grads=gc, clip_max=torch.tensor([2.0]), clip_norm=norm.reshape(1), clip_out=q.grad)
    return res


def gradient_penalty(dropout_masks):
    """lambda * mean_b (||d critic(x_b) / d x_b|| - 1)^2 and its gradient wrt the critic parameters
    (create_graph=True: the double backward). Critic Linear -> LeakyReLU(0.2) [-> Dropout] ... -> Linear(., 1)."""
    torch.manual_seed(12 if not dropout_masks else 13)
    B, D, H = 5, 6, 8
    n_hidden = 2 if dropout_masks else 1
    res = dict(x=rand(B, D), lam=torch.tensor([10.0]))
    params, fan_in = [], D
    for i in range(n_hidden):
        res["w%d" % (i + 1)], res["b%d" % (i + 1)] = rand(H, fan_in, scale=0.5), rand(H, scale=0.5)
        if dropout_masks:
            res["mask%d" % (i + 1)] = (torch.rand(B, H, dtype=torch.float32) >= 0.5).to(torch.float64) * 2.0
        fan_in = H
    res["w%d" % (n_hidden + 1)], res["b%d" % (n_hidden + 1)] = rand(1, H, scale=0.5), rand(1, scale=0.5)
    params = [leaf(res["%s%d" % (k, i + 1)]) for i in range(n_hidden + 1) for k in ("w", "b")]
    x = leaf(res["x"])
    h = x
    for i in range(n_hidden):
        h = F.leaky_relu(F.linear(h, params[2 * i], params[2 * i + 1]), 0.2)
        if dropout_masks:
            h = h * res["mask%d" % (i + 1)]
    out = F.linear(h, params[-2], params[-1])
    (gx,) = torch.autograd.grad(out, x, torch.ones_like(out), create_graph=True)
    gp = ((gx.norm(2, dim=1) - 1) ** 2).mean() * 10.0
    g = grads(gp, None, *params)
    res.update(gp=gp.reshape(1), gx=gx, n_hidden=torch.tensor([n_hidden]))
    for i in range(n_hidden + 1):
        res["dw%d" % (i + 1)], res["db%d" % (i + 1)] = g[2 * i], g[2 * i + 1]
    return res


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..",
                                                             "tests", "nn", "fixtures")
    os.makedirs(out, exist_ok=True)
    for name, fn in [("linear", linear), ("batchnorm", batchnorm), ("activations", activations),
                     ("dropout", dropout), ("softmax", softmax), ("layernorm", layernorm), ("embedding", embedding),
                     ("attention", attention), ("concat", concat), ("losses", losses), ("adam", adam),
                     ("gp", lambda: gradient_penalty(False)), ("gp_dropout", lambda: gradient_penalty(True))]:
        write(os.path.join(out, name + ".bin"), fn())
    print("fixtures written to", os.path.normpath(out), "with torch", torch.__version__)


if __name__ == "__main__":
    main()
