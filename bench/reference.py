"""PyTorch reference for `make bench`: the identical training step to `gan bench`.

One step = one discriminator update on a real batch and a fake batch (BCE with logits,
real target 1, fake target 0), then one generator update with the non-saturating loss on
the same fakes, as in the PyTorch DCGAN example. Models: the 2014 MLP GAN
(G 100-256-512-1024-784 with LeakyReLU(0.2) and tanh; D 784-1024-512-256-1 with
LeakyReLU(0.2) and Dropout(0.3)), Adam(2e-4, betas (0.5, 0.999)) each, batch 64,
random batches of the built-in MNIST-10k sample.

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


def generator(latent=100):
    return nn.Sequential(
        nn.Linear(latent, 256), nn.LeakyReLU(0.2),
        nn.Linear(256, 512), nn.LeakyReLU(0.2),
        nn.Linear(512, 1024), nn.LeakyReLU(0.2),
        nn.Linear(1024, 784), nn.Tanh(),
    )


def discriminator():
    return nn.Sequential(
        nn.Linear(784, 1024), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Linear(1024, 512), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Linear(512, 256), nn.LeakyReLU(0.2), nn.Dropout(0.3),
        nn.Linear(256, 1),
    )


class G(nn.Module):
    def __init__(self, latent=100):
        super().__init__()
        self.net = generator(latent)

    def forward(self, z):
        return self.net(z).view(-1, 1, 28, 28)


class D(nn.Module):
    def __init__(self):
        super().__init__()
        self.net = discriminator()

    def forward(self, x):
        return self.net(x.flatten(1)).view(-1)


def load_mnist(device):
    raw = gzip.open(MNIST).read()
    n = int.from_bytes(raw[4:8], "big")
    x = np.frombuffer(raw, dtype=np.uint8, offset=16).reshape(n, 1, 28, 28)
    return torch.from_numpy(x.astype(np.float32) / 127.5 - 1.0).to(device)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="mlp", choices=["mlp"])
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
    g, d = G().to(dev), D().to(dev)
    opt_g = torch.optim.Adam(g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_d = torch.optim.Adam(d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    bce = nn.BCEWithLogitsLoss()
    b = a.batch_size

    def step():
        real = data[torch.randint(0, data.shape[0], (b,), device=dev)]
        z = torch.randn(b, 100, device=dev)
        fake = g(z)
        d.zero_grad()
        out_real = d(real)
        out_fake = d(fake.detach())
        err_d = bce(out_real, torch.ones_like(out_real)) + bce(out_fake, torch.zeros_like(out_fake))
        err_d.backward()
        opt_d.step()
        g.zero_grad()
        out = d(fake)
        err_g = bce(out, torch.ones_like(out))
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
