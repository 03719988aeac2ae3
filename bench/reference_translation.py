"""PyTorch reference for `gan bench --model pix2pix | cyclegan` (used by reference.py).

The networks are those of the edges2fashion presets, built from the restated reference code in
translation_nets.py (junyanz/pytorch-CycleGAN-and-pix2pix), on the built-in MNIST sample:
domain A the digits, domain B the same digits dilated by a 3x3 square.

- pix2pix: U-Net depth 5 from 32 channels (28 reflection-padded to 32 and cropped back;
  dropout 0.5 on the two decoder stages after the innermost), PatchGAN with one stride-2 layer
  from 32 channels on (input, output) pairs, batch norm; BCE (D loss halved, as the
  reference), lambda_L1 100; Adam(2e-4, (0.5, 0.999)); batch 64 of paired digits.
- cyclegan: two ResNet generators (16 channels, 4 blocks), two PatchGANs (two stride-2
  layers, 16 channels), instance norm; LSGAN, cycle 10, identity 0.5 * 10, 50-image pools;
  one Adam over both generators and one over both discriminators; batch 16 of unpaired
  digits (A from the first half of the sample, B the dilated second half).

One step follows the reference's `optimize_parameters` and reads the same scalars back to
the host as `gan`'s step (the losses and mean scores it logs). Styles: `tutorial` is the
reference code's own (zero_grad, .backward(), D frozen with requires_grad_(False) during G's
update, the default Adam); `tuned` adds zero_grad(set_to_none=True) and fused Adam.
"""
import itertools
import random

import torch
import torch.nn.functional as F
from torch import nn

from translation_nets import NLayerDiscriminator, ResnetGenerator, UnetBlock


class PaddedUnet(nn.Module):
    """The edges2fashion-pix2pix U-Net: stage i has ngf * 2^min(i, 3) channels, dropout on
    the `dropout_levels` stages outside the innermost; inputs reflection-padded to a
    multiple of 2^depth and the output cropped back."""

    def __init__(self, depth=5, ngf=32, dropout_levels=2):
        super().__init__()

        def ch(i):
            return ngf * 2 ** min(i, 3)

        block = UnetBlock(ch(depth - 2), ch(depth - 1), innermost=True)
        for i in range(depth - 2, 0, -1):
            block = UnetBlock(ch(i - 1), ch(i), submodule=block, dropout=i + 1 + dropout_levels >= depth)
        self.net = UnetBlock(1, ngf, input_nc=1, submodule=block, outermost=True)
        self.multiple = 2**depth

    def forward(self, x):
        h, w = x.shape[2:]
        ph, pw = (-h) % self.multiple, (-w) % self.multiple
        y = self.net(F.pad(x, (pw // 2, pw - pw // 2, ph // 2, ph - ph // 2), mode="reflect"))
        return y[:, :, ph // 2: ph // 2 + h, pw // 2: pw // 2 + w]


class ImagePool:
    """The reference's `ImagePool`: fills up, then swaps each image for a stored one with
    probability 1/2."""

    def __init__(self, size=50):
        self.size, self.images = size, []

    def query(self, images):
        out = []
        for image in images.detach():
            image = image.unsqueeze(0)
            if len(self.images) < self.size:
                self.images.append(image)
                out.append(image)
            elif random.uniform(0, 1) > 0.5:
                j = random.randint(0, self.size - 1)
                out.append(self.images[j].clone())
                self.images[j] = image
            else:
                out.append(image)
        return torch.cat(out, 0)


def dilate(x):
    return F.max_pool2d(x, 3, 1, 1)


def adam(params, style):
    extra = {"fused": True} if style == "tuned" else {}
    return torch.optim.Adam(params, lr=2e-4, betas=(0.5, 0.999), **extra)


def zero(opt, style):
    opt.zero_grad(set_to_none=style == "tuned")


def pix2pix(style, data, b, dev):
    g, d = PaddedUnet().to(dev), NLayerDiscriminator(2, 32, 1).to(dev)
    opt_g, opt_d = adam(g.parameters(), style), adam(d.parameters(), style)
    targets = dilate(data)

    def bce(logits, real):
        return F.binary_cross_entropy_with_logits(logits, torch.full_like(logits, float(real)))

    def one():
        idx = torch.randint(0, data.shape[0], (b,), device=dev)
        a, t = data[idx], targets[idx]
        fake = g(a)
        zero(opt_d, style)
        real_logits, fake_logits = d(torch.cat([a, t], 1)), d(torch.cat([a, fake.detach()], 1))
        loss_d = 0.5 * (bce(real_logits, 1) + bce(fake_logits, 0))
        loss_d.backward()
        opt_d.step()
        d.requires_grad_(False)
        zero(opt_g, style)
        adv = bce(d(torch.cat([a, fake], 1)), 1)
        l1 = (fake - t).abs().mean()
        (adv + 100.0 * l1).backward()
        opt_g.step()
        d.requires_grad_(True)
        [v.item() for v in (loss_d, real_logits.sigmoid().mean(), fake_logits.sigmoid().mean(), adv, l1)]

    return one


def cyclegan(style, data, b, dev):
    half = data.shape[0] // 2
    domain_a, domain_b = data[:half], dilate(data[half:])
    g, f = ResnetGenerator(1, 1, 16, 4).to(dev), ResnetGenerator(1, 1, 16, 4).to(dev)
    d_a, d_b = (NLayerDiscriminator(1, 16, 2, norm=nn.InstanceNorm2d).to(dev) for _ in range(2))
    opt_g = adam(itertools.chain(g.parameters(), f.parameters()), style)
    opt_d = adam(itertools.chain(d_a.parameters(), d_b.parameters()), style)
    pool_a, pool_b = ImagePool(), ImagePool()

    def mse(out, real):
        return F.mse_loss(out, torch.full_like(out, float(real)))

    def one():
        a = domain_a[torch.randint(0, half, (b,), device=dev)]
        real_b = domain_b[torch.randint(0, domain_b.shape[0], (b,), device=dev)]
        fake_b = g(a)
        rec_a = f(fake_b)
        fake_a = f(real_b)
        rec_b = g(fake_a)
        for net in (d_a, d_b):
            net.requires_grad_(False)
        zero(opt_g, style)
        idt = (g(real_b) - real_b).abs().mean() + (f(a) - a).abs().mean()
        adv = mse(d_b(fake_b), 1) + mse(d_a(fake_a), 1)
        cycle = (rec_a - a).abs().mean() + (rec_b - real_b).abs().mean()
        (adv + 10.0 * cycle + 5.0 * idt).backward()
        opt_g.step()
        for net in (d_a, d_b):
            net.requires_grad_(True)
        zero(opt_d, style)
        pooled_b, pooled_a = pool_b.query(fake_b), pool_a.query(fake_a)
        rb, fb = d_b(real_b), d_b(pooled_b)
        ra, fa = d_a(a), d_a(pooled_a)
        loss_d = 0.5 * (mse(rb, 1) + mse(fb, 0)) + 0.5 * (mse(ra, 1) + mse(fa, 0))
        loss_d.backward()
        opt_d.step()
        [v.item() for v in (loss_d, adv, rb.mean(), ra.mean(), fb.mean(), fa.mean(), cycle, idt)]

    return one


def make(model, style, data, b, dev):
    """One training step of `model` (a closure drawing its own batch)."""
    random.seed(0)
    return {"pix2pix": pix2pix, "cyclegan": cyclegan}[model](style, data, b, dev)
