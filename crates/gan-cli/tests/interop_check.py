"""Loads a `gan` generator checkpoint into the equivalent PyTorch module and checks that
it reproduces `gan sample --format safetensors` output for the same z.

usage: interop_check.py GENERATOR.safetensors SAMPLES.safetensors --latent 8 --image 1,8,8
       (--hidden 16,32 | --dcgan G_BASE)
Prints `max_abs_diff X`; exits 1 when X >= 1e-5. The DCGAN generator runs in eval mode
(BatchNorm with the saved running statistics), as `gan sample` does.
"""
import argparse
import sys

import torch
from safetensors.torch import load_file
from torch import nn


class Generator(nn.Module):
    """The 2014 MLP generator: Linear + LeakyReLU(0.2) per hidden layer, Linear + Tanh."""

    def __init__(self, latent, hidden, shape):
        super().__init__()
        sizes = [latent] + hidden
        layers = []
        for a, b in zip(sizes, sizes[1:]):
            layers += [nn.Linear(a, b), nn.LeakyReLU(0.2)]
        c, h, w = shape
        layers += [nn.Linear(sizes[-1], c * h * w), nn.Tanh()]
        self.net = nn.Sequential(*layers)
        self.shape = shape

    def forward(self, z):
        return self.net(z).view(-1, *self.shape)


def dcgan_generator(latent, g_base, shape):
    """DCGAN generator: ConvT(z, g_base * 2^(n-1), b, 1, 0) and n ConvT(4, 2, 1) stages,
    BatchNorm + ReLU between, tanh out, for images of b * 2^n pixels (b = 4 or 7)."""
    c, s, _ = shape
    b = 4 if s & (s - 1) == 0 else 7
    n = (s // b).bit_length() - 1
    layers, cin = [nn.Unflatten(1, (latent, 1, 1))], latent
    for stage in range(n + 1):
        last = stage == n
        cout = c if last else g_base << (n - 1 - stage)
        k, st, p = (b, 1, 0) if stage == 0 else (4, 2, 1)
        layers.append(nn.ConvTranspose2d(cin, cout, k, st, p, bias=last))
        layers += [nn.Tanh()] if last else [nn.BatchNorm2d(cout), nn.ReLU()]
        cin = cout

    class G(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(*layers[1:])

        def forward(self, z):
            return self.net(z.view(-1, latent, 1, 1))

    return G()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("generator")
    ap.add_argument("samples")
    ap.add_argument("--latent", type=int, required=True)
    ap.add_argument("--hidden")
    ap.add_argument("--dcgan", type=int)
    ap.add_argument("--image", required=True)
    a = ap.parse_args()
    shape = [int(s) for s in a.image.split(",")]
    if a.dcgan:
        g = dcgan_generator(a.latent, a.dcgan, shape).eval()
        missing, unexpected = g.load_state_dict(load_file(a.generator), strict=False)
        # PyTorch's BatchNorm also counts batches (unused with a fixed momentum).
        assert not unexpected and all(k.endswith("num_batches_tracked") for k in missing), (missing, unexpected)
    else:
        g = Generator(a.latent, [int(s) for s in a.hidden.split(",")], shape)
        g.load_state_dict(load_file(a.generator), strict=True)
    s = load_file(a.samples)
    with torch.no_grad():
        out = g(s["z"])
    diff = (out - s["images"]).abs().max().item()
    print(f"max_abs_diff {diff}")
    sys.exit(0 if diff < 1e-5 else 1)


if __name__ == "__main__":
    main()
