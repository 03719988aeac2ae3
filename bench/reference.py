"""PyTorch reference for `make bench`: the identical training steps to `gan bench`.

One step = one discriminator (critic) update on a real batch and a fake batch, then one
generator update on the same fakes, as in the PyTorch DCGAN example; batch 64, random
batches of the built-in MNIST-10k sample. Models (`--model`):

- mlp: the 2014 MLP GAN (G 100-256-512-1024-784 with LeakyReLU(0.2) and tanh; D
  784-1024-512-256-1 with LeakyReLU(0.2) and Dropout(0.3)), BCE with logits, non-saturating
  G loss, Adam(2e-4, (0.5, 0.999)).
- dcgan: the mnist-dcgan preset's networks (G: ConvT(100,128,7) BN ReLU ConvT(128,64,4,2,1)
  BN ReLU ConvT(64,1,4,2,1) tanh; D: Conv(1,64,4,2,1) LReLU Conv(64,128,4,2,1) BN LReLU
  Conv(128,1,7)), BCE as mlp.
- wgan-gp-mlp: the MLP networks without dropout, Wasserstein loss with the gradient penalty
  (lambda 10, eps per sample, per-sample L2 norm, create_graph=True), Adam(1e-4, (0.0, 0.9)).
- wgan-gp-conv: the fashion-wgan-gp networks (the dcgan pair with no norm in the critic),
  WGAN-GP as wgan-gp-mlp.

Written the way the PyTorch examples and Gulrajani et al.'s code write it (separate forward
passes for real, fake and interpolates; .backward() into .grad; optimizer.zero_grad()).
Prints one JSON object: {"impl": "pytorch", "model": ..., "steps_per_sec": ...}.
"""
import argparse
import gzip
import json
import os
import time

import numpy as np
import torch
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
MNIST = os.path.join(HERE, "..", "data", "mnist-10k", "train-images-idx3-ubyte.gz")


def mlp_g(latent=100):
    return nn.Sequential(
        nn.Linear(latent, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 512), nn.LeakyReLU(0.2),
        nn.Linear(512, 1024), nn.LeakyReLU(0.2),
        nn.Linear(1024, 784), nn.Tanh(), nn.Unflatten(1, (1, 28, 28)),
    )


def mlp_d(dropout=0.3):
    layers = [nn.Flatten()]
    for i, o in ((784, 1024), (1024, 512), (512, 256)):
        layers += [nn.Linear(i, o), nn.LeakyReLU(0.2)] + ([nn.Dropout(dropout)] if dropout else [])
    return nn.Sequential(*layers, nn.Linear(256, 1), nn.Flatten(0))


def conv_g(latent=100, ngf=64):
    return nn.Sequential(
        nn.Unflatten(1, (latent, 1, 1)),
        nn.ConvTranspose2d(latent, 2 * ngf, 7, 1, 0, bias=False), nn.BatchNorm2d(2 * ngf), nn.ReLU(),
        nn.ConvTranspose2d(2 * ngf, ngf, 4, 2, 1, bias=False), nn.BatchNorm2d(ngf), nn.ReLU(),
        nn.ConvTranspose2d(ngf, 1, 4, 2, 1), nn.Tanh(),
    )


def conv_d(ndf=64, batch_norm=True):
    norm = [nn.BatchNorm2d(2 * ndf)] if batch_norm else []
    return nn.Sequential(
        nn.Conv2d(1, ndf, 4, 2, 1), nn.LeakyReLU(0.2),
        nn.Conv2d(ndf, 2 * ndf, 4, 2, 1, bias=not batch_norm), *norm, nn.LeakyReLU(0.2),
        nn.Conv2d(2 * ndf, 1, 7, 1, 0), nn.Flatten(0),
    )


def gradient_penalty(d, real, fake):
    eps = torch.rand(real.shape[0], 1, 1, 1, device=real.device)
    x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
    out = d(x_hat)
    (grad,) = torch.autograd.grad(out.sum(), x_hat, create_graph=True)
    return ((grad.flatten(1).norm(2, dim=1) - 1) ** 2).mean()


def load_mnist(device):
    raw = gzip.open(MNIST).read()
    n = int.from_bytes(raw[4:8], "big")
    x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 1, 28, 28)
    return torch.from_numpy(x.astype(np.float32) / 127.5 - 1.0).to(device)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="mlp", choices=["mlp", "dcgan", "wgan-gp-mlp", "wgan-gp-conv"])
    ap.add_argument("--batch-size", type=int, default=64)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    data = load_mnist(dev)
    wgan = a.model.startswith("wgan-gp")
    if a.model in ("mlp", "wgan-gp-mlp"):
        g, d = mlp_g(), mlp_d(dropout=0.0 if wgan else 0.3)
    else:
        g, d = conv_g(), conv_d(batch_norm=not wgan)
    g, d = g.to(dev), d.to(dev)
    lr, betas = (1e-4, (0.0, 0.9)) if wgan else (2e-4, (0.5, 0.999))
    opt_g = torch.optim.Adam(g.parameters(), lr=lr, betas=betas)
    opt_d = torch.optim.Adam(d.parameters(), lr=lr, betas=betas)
    bce = nn.BCEWithLogitsLoss()
    b = a.batch_size

    def step():
        real = data[torch.randint(0, data.shape[0], (b,), device=dev)]
        z = torch.randn(b, 100, device=dev)
        fake = g(z)
        d.zero_grad()
        out_real = d(real)
        out_fake = d(fake.detach())
        if wgan:
            err_d = out_fake.mean() - out_real.mean() + 10.0 * gradient_penalty(d, real, fake.detach())
        else:
            err_d = bce(out_real, torch.ones_like(out_real)) + bce(out_fake, torch.zeros_like(out_fake))
        err_d.backward()
        opt_d.step()
        g.zero_grad()
        out = d(fake)
        err_g = -out.mean() if wgan else bce(out, torch.ones_like(out))
        err_g.backward()
        opt_g.step()

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(a.warmup):
        step()
    sync()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    sync()
    sps = a.steps / (time.perf_counter() - t0)
    print(json.dumps({"impl": "pytorch", "model": a.model, "batch_size": b, "device": str(dev),
                      "threads": torch.get_num_threads(), "steps_per_sec": sps}))


if __name__ == "__main__":
    main()
