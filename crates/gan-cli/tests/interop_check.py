"""Loads a `gan` generator checkpoint into the equivalent PyTorch module and checks that
it reproduces `gan sample --format safetensors` output for the same z.

usage: interop_check.py GENERATOR.safetensors SAMPLES.safetensors --latent 8 --hidden 16,32 --image 1,8,8
Prints `max_abs_diff X`; exits 1 when X >= 1e-5.
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("generator")
    ap.add_argument("samples")
    ap.add_argument("--latent", type=int, required=True)
    ap.add_argument("--hidden", required=True)
    ap.add_argument("--image", required=True)
    a = ap.parse_args()
    g = Generator(a.latent, [int(s) for s in a.hidden.split(",")], [int(s) for s in a.image.split(",")])
    g.load_state_dict(load_file(a.generator), strict=True)
    s = load_file(a.samples)
    with torch.no_grad():
        out = g(s["z"])
    diff = (out - s["images"]).abs().max().item()
    print(f"max_abs_diff {diff}")
    sys.exit(0 if diff < 1e-5 else 1)


if __name__ == "__main__":
    main()
