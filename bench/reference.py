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
- pix2pix, cyclegan: the image-to-image steps of reference_translation.py (their presets'
  batch sizes: 64 and 16).
- stylegan2, progan: the mnist-stylegan2 and mnist-progan steps of reference_styled.py
  (batch 32 and 16, the digits padded to 32x32).

Two styles (`--style`):

- tutorial: the way the PyTorch examples and Gulrajani et al.'s code write it (separate
  forward passes for real, fake and interpolates; .backward() into .grad;
  optimizer.zero_grad(); the default Adam).
- tuned: what a careful PyTorch user writes: D scores [real; fake] in one pass when it has no
  batch statistics, D.requires_grad_(False) during G's update (no weight gradients for D),
  zero_grad(set_to_none=True), Adam with the implementation fastest here (`ADAM_IMPL`,
  measured), channels_last for conv models where measured faster (`CHANNELS_LAST`).

Prints one JSON object: {"impl": "pytorch", "style": ..., "model": ..., "steps_per_sec": ...}.

`--check DIR` instead runs the one step `gan bench --dump-step DIR` wrote (its initial
weights and inputs; the MLP without dropout) and compares the weights after it with the Rust
step's, tensor by tensor (||a - b|| / ||b||, at most `--tol`, default 1e-5; elements whose
gradient is zero up to rounding, to within two Adam steps); exit 1 beyond.
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


# Measured on this machine (2 cores, PyTorch 2.11, `--style tuned` with each, 2 alternating
# rounds of 100 steps; BENCHMARKS.md): fused Adam 49.3 / 48.8 steps/s on mlp against foreach
# 38.9 / 38.3 and single-tensor 37.1 / 36.8; channels_last 13.9 / 14.4 against 13.1 / 13.4 on
# dcgan, 9.4 / 9.6 against 9.2 / 9.7 on wgan-gp-conv (no gain: left off).
ADAM_IMPL = {"fused": True}
CHANNELS_LAST = {"dcgan"}


def gradient_penalty(d, real, fake, eps=None):
    if eps is None:
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


def build(model, dev, dropout=0.3):
    wgan = model.startswith("wgan-gp")
    if model in ("mlp", "wgan-gp-mlp"):
        g, d = mlp_g(), mlp_d(dropout=0.0 if wgan else dropout)
    else:
        g, d = conv_g(), conv_d(batch_norm=not wgan)
    return g.to(dev), d.to(dev), wgan


class Autocast(nn.Module):
    """`--precision bf16`: the wrapped network's forward pass under `torch.autocast` in
    bfloat16, its output back in float32 (losses, penalty and Adam stay float32), as
    `gan`'s `precision = "bf16"` runs it."""

    def __init__(self, net, device_type):
        super().__init__()
        self.net, self.device_type = net, device_type

    def forward(self, x):
        with torch.autocast(self.device_type, dtype=torch.bfloat16):
            return self.net(x).float()


def make_step(style, g, d, wgan, batch_norm):
    """One D update then one G update on the same fakes; `eps` given or drawn."""
    lr, betas = (1e-4, (0.0, 0.9)) if wgan else (2e-4, (0.5, 0.999))
    extra = ADAM_IMPL if style == "tuned" else {}
    opt_g = torch.optim.Adam(g.parameters(), lr=lr, betas=betas, **extra)
    opt_d = torch.optim.Adam(d.parameters(), lr=lr, betas=betas, **extra)
    bce = nn.BCEWithLogitsLoss()

    def d_loss(out_real, out_fake, real, fake, eps):
        if wgan:
            return out_fake.mean() - out_real.mean() + 10.0 * gradient_penalty(d, real, fake, eps)
        return bce(out_real, torch.ones_like(out_real)) + bce(out_fake, torch.zeros_like(out_fake))

    def g_loss(out):
        return -out.mean() if wgan else bce(out, torch.ones_like(out))

    def tutorial(real, z, eps=None):
        fake = g(z)
        d.zero_grad()
        err_d = d_loss(d(real), d(fake.detach()), real, fake.detach(), eps)
        err_d.backward()
        opt_d.step()
        g.zero_grad()
        err_g = g_loss(d(fake))
        err_g.backward()
        opt_g.step()

    def tuned(real, z, eps=None):
        fake = g(z)
        if batch_norm:
            out_real, out_fake = d(real), d(fake.detach())
        else:
            both = d(torch.cat([real, fake.detach()]))
            out_real, out_fake = both[: real.shape[0]], both[real.shape[0]:]
        opt_d.zero_grad(set_to_none=True)
        d_loss(out_real, out_fake, real, fake.detach(), eps).backward()
        opt_d.step()
        d.requires_grad_(False)
        opt_g.zero_grad(set_to_none=True)
        g_loss(d(fake)).backward()
        opt_g.step()
        d.requires_grad_(True)

    return (tutorial if style == "tutorial" else tuned), opt_g, opt_d


def ordered(module):
    """The module's weights and buffers in layer order (as the Rust side's `net.<i>.<name>`)."""
    return [(k, v) for k, v in module.state_dict().items() if not k.endswith("num_batches_tracked")]


def rust_ordered(tensors):
    rank = {"weight": 0, "bias": 1, "running_mean": 2, "running_var": 3}

    def key(name):
        _, i, what = name.split(".")
        return int(i), rank[what]

    return [(k, tensors[k]) for k in sorted(tensors, key=key)]


def load_rust(module, path):
    from safetensors.torch import load_file

    theirs, ours = rust_ordered(load_file(path)), ordered(module)
    if [tuple(v.shape) for _, v in theirs] != [tuple(v.shape) for _, v in ours]:
        raise SystemExit(f"{path}: the tensors {[(k, tuple(v.shape)) for k, v in theirs]} do not match {[(k, tuple(v.shape)) for k, v in ours]}")
    with torch.no_grad():
        for (_, src), (_, dst) in zip(theirs, ours):
            dst.copy_(src)


def check(a):
    from safetensors.torch import load_file

    if a.model == "stylegan2":
        import reference_styled

        compared, worst, lines = reference_styled.check(a.check, a.tol)
        print("\n".join(lines))
        print(json.dumps({"impl": "pytorch", "model": a.model, "tensors": compared, "max_relative_difference": worst}))
        raise SystemExit(0 if worst <= a.tol else 1)
    torch.manual_seed(0)
    g, d, wgan = build(a.model, torch.device("cpu"), dropout=0.0)
    load_rust(g, os.path.join(a.check, "init_g.safetensors"))
    load_rust(d, os.path.join(a.check, "init_d.safetensors"))
    if a.memory_format == "channels-last":
        g, d = g.to(memory_format=torch.channels_last), d.to(memory_format=torch.channels_last)
    inputs = load_file(os.path.join(a.check, "inputs.safetensors"))
    step, opt_g, opt_d = make_step(a.style, g, d, wgan, batch_norm=a.model == "dcgan")
    grads = {}
    for net, opt in ((g, opt_g), (d, opt_d)):
        names = [n for n, _ in net.named_parameters()]

        def recorded(*args, _step=opt.step, _net=net, _names=names, **kw):
            grads[id(_net)] = {n: p.grad.detach().clone() for n, p in zip(_names, _net.parameters())}
            return _step(*args, **kw)

        opt.step = recorded
    step(inputs["real"], inputs["z"], inputs["eps"])
    # Adam's first step is about lr * sign(g): where the exact gradient is zero (a hidden unit
    # with the same slope on every sample, the critic's bias terms that W cancels), each
    # side's step is its rounding noise normalised, in either direction. Such elements
    # (|g| below 1e-6 of the tensor's largest) are compared to within two Adam steps; the
    # rest relatively.
    lr = 1e-4 if wgan else 2e-4
    worst, compared, noise = 0.0, 0, 0
    for net, name in ((g, "after_g"), (d, "after_d")):
        theirs = rust_ordered(load_file(os.path.join(a.check, name + ".safetensors")))
        for (k, want), (ours, got) in zip(theirs, ordered(net)):
            compared += 1
            grad = grads[id(net)].get(ours)
            free = grad.abs() < 1e-6 * grad.abs().max() if grad is not None else torch.zeros_like(got, dtype=torch.bool)
            noise += int(free.sum())
            moved = (got - want)[free].abs().max().item() if free.any() else 0.0
            if moved > 2 * lr + 1e-7:
                print(f"{name} {k}: an element with a zero gradient moved by more than two Adam steps")
                worst = float("inf")
            kept = ~free
            rel = ((got - want)[kept].norm() / want[kept].norm().clamp_min(1e-30)).item()
            worst = max(worst, rel)
            if rel > a.tol:
                print(f"{name} {k}: relative difference {rel:.3e} above {a.tol:g}")
    print(json.dumps({"impl": "pytorch", "style": a.style, "model": a.model, "tensors": compared,
                      "zero_gradient_elements": noise, "max_relative_difference": worst}))
    raise SystemExit(0 if worst <= a.tol else 1)


def gan_step(a, data, b, dev):
    """One step of a GAN model (a closure drawing its own batch and noise)."""
    g, d, wgan = build(a.model, dev)
    if a.style == "tuned" and a.model in CHANNELS_LAST:
        g, d = g.to(memory_format=torch.channels_last), d.to(memory_format=torch.channels_last)
        data = data.contiguous(memory_format=torch.channels_last)
    if a.precision == "bf16":
        g, d = Autocast(g, dev.type), Autocast(d, dev.type)
    step, _, _ = make_step(a.style, g, d, wgan, batch_norm=a.model == "dcgan")

    def one():
        real = data[torch.randint(0, data.shape[0], (b,), device=dev)]
        step(real, torch.randn(b, 100, device=dev))

    return one


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--model", default="mlp", choices=["mlp", "dcgan", "wgan-gp-mlp", "wgan-gp-conv", "pix2pix", "cyclegan", "stylegan2", "progan"])
    ap.add_argument("--style", default="tutorial", choices=["tutorial", "tuned"])
    ap.add_argument("--batch-size", type=int, default=None, help="default: 16 for cyclegan and progan, 32 for stylegan2, else 64")
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--warmup", type=int, default=20)
    ap.add_argument("--threads", type=int, default=None)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--precision", default="f32", choices=["f32", "bf16"])
    ap.add_argument("--check", default=None, help="compare one step with the one `gan bench --dump-step DIR` wrote")
    ap.add_argument("--tol", type=float, default=1e-5)
    ap.add_argument("--memory-format", default="contiguous", choices=["contiguous", "channels-last"],
                    help="with --check: the layout of the weights (as `gan --memory-format`)")
    a = ap.parse_args()
    if a.threads:
        torch.set_num_threads(a.threads)
    if a.check:
        return check(a)
    torch.manual_seed(0)
    dev = torch.device(a.device)
    data = load_mnist(dev)
    b = a.batch_size or {"cyclegan": 16, "progan": 16, "stylegan2": 32}.get(a.model, 64)
    if a.model in ("stylegan2", "progan"):
        if a.precision != "f32":
            raise SystemExit("--precision: the StyleGAN2 and ProGAN steps run in f32 only")
        import reference_styled

        one = reference_styled.make(a.model, a.style, data, b, dev)
    elif a.model in ("pix2pix", "cyclegan"):
        if a.precision != "f32":
            raise SystemExit("--precision: the translation steps run in f32 only")
        import reference_translation

        one = reference_translation.make(a.model, a.style, data, b, dev)
    else:
        one = gan_step(a, data, b, dev)

    def sync():
        if dev.type == "cuda":
            torch.cuda.synchronize()

    for _ in range(a.warmup):
        one()
    sync()
    t0 = time.perf_counter()
    for _ in range(a.steps):
        one()
    sync()
    sps = a.steps / (time.perf_counter() - t0)
    print(json.dumps({"impl": "pytorch", "style": a.style, "model": a.model, "batch_size": b, "device": str(dev), "precision": a.precision,
                      "threads": torch.get_num_threads(), "steps_per_sec": sps}))


if __name__ == "__main__":
    main()
