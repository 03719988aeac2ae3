"""ProGAN's networks restated in PyTorch from the paper's code (tkarras/progressive_growing_of_gans,
networks.py: G_paper and D_paper with fused_scale=False, structure='recursive'), written for
this test from that code's TensorFlow: get_weight's runtime scaling, apply_bias, pixel_norm,
minibatch_stddev_layer, upscale2d/downscale2d and the recursive grow() with cset/lerp.

Usage: progan_reference.py IN OUT. IN holds the Rust networks' weights (g.*, d.*), the
configuration (cfg: latent, fmap_base, fmap_max, channels, log2, mbstd), latents z, images x,
and lods; OUT gets g.{i} and d.{i} for each lod i, and the drift loss's and penalty's values
and gradients for the last.
"""
import math
import sys

import numpy as np
import torch
from safetensors.torch import load_file, save_file


def lerp(a, b, t):
    return a + (b - a) * t


def upscale2d(x, factor=2):
    if factor == 1:
        return x
    s = x.shape
    x = x.reshape(-1, s[1], s[2], 1, s[3], 1).repeat(1, 1, 1, factor, 1, factor)
    return x.reshape(-1, s[1], s[2] * factor, s[3] * factor)


def downscale2d(x, factor=2):
    if factor == 1:
        return x
    return torch.nn.functional.avg_pool2d(x, factor, factor)


def pixel_norm(x, eps=1e-8):
    return x * torch.rsqrt(torch.mean(x * x, dim=1, keepdim=True) + eps)


def leaky_relu(x, alpha=0.2):
    return torch.maximum(x * alpha, x)


def minibatch_stddev_layer(x, group_size=4):
    group_size = min(group_size, x.shape[0])
    s = x.shape
    y = x.reshape(group_size, -1, s[1], s[2], s[3])
    y = y - y.mean(dim=0, keepdim=True)
    y = (y * y).mean(dim=0)
    y = torch.sqrt(y + 1e-8)
    y = y.mean(dim=[1, 2, 3], keepdim=True)
    y = y.repeat(group_size, 1, s[2], s[3])
    return torch.cat([x, y], dim=1)


class Weights:
    """get_weight + apply_bias over stored N(0, 1) weights (PyTorch layout [out, in, k, k])."""

    def __init__(self, tensors, prefix):
        self.t, self.p = tensors, prefix

    def conv2d(self, x, name, gain=math.sqrt(2)):
        w = self.t[f"{self.p}{name}.weight"]
        fan_in = w.shape[1] * w.shape[2] * w.shape[3]
        x = torch.nn.functional.conv2d(x, w * (gain / math.sqrt(fan_in)), padding=w.shape[2] // 2)
        return x + self.t[f"{self.p}{name}.bias"].reshape(1, -1, 1, 1)

    def dense(self, x, name, gain=math.sqrt(2), bias=True):
        x = x.reshape(x.shape[0], -1)
        w = self.t[f"{self.p}{name}.weight"]
        x = x @ (w * (gain / math.sqrt(w.shape[1]))).t()
        return x + self.t[f"{self.p}{name}.bias"] if bias else x


def G_paper(W, latents, lod_in, R, nf, channels):
    def block(x, res):
        if res == 2:
            x = pixel_norm(x)
            x = W.dense(x, "r4.dense", gain=math.sqrt(2) / 4, bias=False)
            x = x.reshape(-1, nf(res - 1), 4, 4) + W.t[f"{W.p}r4.dense.bias"].reshape(1, -1, 1, 1)
            x = pixel_norm(leaky_relu(x))
            return pixel_norm(leaky_relu(W.conv2d(x, "r4.conv")))
        x = upscale2d(x)
        x = pixel_norm(leaky_relu(W.conv2d(x, f"r{2**res}.conv0")))
        return pixel_norm(leaky_relu(W.conv2d(x, f"r{2**res}.conv1")))

    def torgb(x, res):
        return W.conv2d(x, f"rgb{2**res}", gain=1)

    def grow(x, res, lod):
        y = block(x, res)
        if lod > 0 and lod_in < lod:
            return grow(y, res + 1, lod - 1)
        if res > 2 and lod_in > lod:
            return upscale2d(lerp(torgb(y, res), upscale2d(torgb(x, res - 1)), lod_in - lod), 2**lod)
        return upscale2d(torgb(y, res), 2**lod)

    return grow(latents, 2, R - 2)


def D_paper(W, images_in, lod_in, R, nf, mbstd):
    def fromrgb(x, res):
        return leaky_relu(W.conv2d(x, f"rgb{2**res}"))

    def block(x, res):
        if res >= 3:
            x = leaky_relu(W.conv2d(x, f"r{2**res}.conv0"))
            x = leaky_relu(W.conv2d(x, f"r{2**res}.conv1"))
            return downscale2d(x)
        if mbstd > 1:
            x = minibatch_stddev_layer(x, mbstd)
        x = leaky_relu(W.conv2d(x, "r4.conv"))
        x = leaky_relu(W.dense(x, "r4.dense0"))
        return W.dense(x, "r4.dense1", gain=1)

    def grow(res, lod):
        if lod > 0 and lod_in < lod:
            x = grow(res + 1, lod - 1)
        else:
            x = fromrgb(downscale2d(images_in, 2**lod), res)
        x = block(x, res)
        if res > 2 and lod_in > lod:
            x = lerp(x, fromrgb(downscale2d(images_in, 2 ** (lod + 1)), res - 1), lod_in - lod)
        return x

    return grow(2, R - 2)[:, 0]


def main():
    t = load_file(sys.argv[1])
    latent, fmap_base, fmap_max, channels, R, mbstd = [int(v) for v in t["cfg"].tolist()]
    nf = lambda s: min(int(fmap_base / (2.0 ** s)), fmap_max)
    G, D = Weights(t, "g."), Weights(t, "d.")
    out = {}
    lods = t["lods"].tolist()
    for i, lod in enumerate(lods):
        out[f"g.{i}"] = G_paper(G, t["z"], lod, R, nf, channels)
        out[f"d.{i}"] = D_paper(D, t["x"], lod, R, nf, mbstd)
    # The WGAN-GP critic loss with ProGAN's drift (loss.py D_wgangp_acgan), at the last lod,
    # its value and gradients with respect to D's weights, on reals x, fakes G(z) and
    # mixing factors eps.
    lod = lods[-1]
    params = {k: v.clone().requires_grad_(True) for k, v in t.items() if k.startswith("d.")}
    Dg = Weights({**t, **params}, "d.")
    fake = G_paper(G, t["z"], lod, R, nf, channels).detach()
    real = t["x"]
    real_scores = D_paper(Dg, real, lod, R, nf, mbstd)
    fake_scores = D_paper(Dg, fake, lod, R, nf, mbstd)
    mixed = lerp(real, fake, t["eps"]).requires_grad_(True)
    mixed_scores = D_paper(Dg, mixed, lod, R, nf, mbstd)
    grads = torch.autograd.grad(mixed_scores.sum(), [mixed], create_graph=True)[0]
    norms = torch.sqrt((grads * grads).sum(dim=[1, 2, 3]))
    loss = (fake_scores - real_scores + (norms - 1.0) ** 2 * 10.0 + real_scores**2 * 0.001).mean()
    gw = torch.autograd.grad(loss, list(params.values()), allow_unused=True)
    out["loss"] = loss.detach().reshape(1)
    # The size of the terms the loss sums: the scores cancel, so the loss's own size is no
    # measure of float32 rounding.
    terms = fake_scores.abs() + real_scores.abs() + (norms - 1.0) ** 2 * 10.0 + real_scores**2 * 0.001
    out["loss_terms"] = terms.detach().mean().reshape(1)
    for (k, _), g in zip(params.items(), gw):
        if g is not None:
            out[f"grad.{k}"] = g
    save_file({k: v.contiguous() for k, v in out.items()}, sys.argv[2])


if __name__ == "__main__":
    main()
