"""Trains the mnist-stylegan2 step as restated in PyTorch (bench/reference_styled.py: the
phases of NVlabs/stylegan2-ada-pytorch's training loop, checked step for step against
`gan`'s by `make test`) on the padded digits, writing a grid of 64 fixed latents every
--every steps to OUT/grid-STEP.png. A control for `gan train --preset mnist-stylegan2`:
whether the reference itself collapses on this data with this configuration.

Usage: stylegan2-reference-train.py OUT [--steps N] [--every K] [--seed S] [--mbstd G]
  [--gamma X] [--mixing P] [--pl-weight W]
"""
import argparse
import os
import sys

import numpy as np
import torch
from PIL import Image

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "bench"))
import reference  # noqa: E402
import reference_styled as rs  # noqa: E402


def grid(img, path):
    x = ((img.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)[:, 0].numpy()
    rows = [np.concatenate(list(x[r * 8:(r + 1) * 8]), axis=1) for r in range(8)]
    Image.fromarray(np.concatenate(rows, axis=0)).save(path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--steps", type=int, default=600)
    ap.add_argument("--every", type=int, default=100)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=32)
    ap.add_argument("--mbstd", type=int, default=4)
    ap.add_argument("--gamma", type=float, default=rs.SG2["gamma"])
    ap.add_argument("--mixing", type=float, default=rs.SG2["mixing"])
    ap.add_argument("--pl-weight", type=float, default=rs.SG2["pl_weight"])
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    torch.manual_seed(a.seed)
    data = rs.pad32(reference.load_mnist(torch.device("cpu")))
    cfg = list(rs.SG2_CFG)
    cfg[7] = a.mbstd
    h = dict(rs.SG2, gamma=a.gamma, mixing=a.mixing, pl_weight=a.pl_weight)
    step = rs.Stylegan2Step(rs.sg2_init(cfg), cfg, "tuned", h)
    fixed = torch.randn(64, cfg[0])
    perm = torch.randperm(data.shape[0])
    for i in range(a.steps + 1):
        if i % a.every == 0:
            with torch.no_grad():
                step.nets.random_noise = False
                grid(step.nets.synthesis(step.nets.broadcast(step.nets.mapping(fixed), 1.0)), os.path.join(a.out, f"grid-{i:05d}.png"))
                step.nets.random_noise = True
            print(f"step {i}", flush=True)
        if i == a.steps:
            break
        j = (i * a.batch) % (data.shape[0] - a.batch)
        if j < a.batch:
            perm = torch.randperm(data.shape[0])
        step(data[perm[j:j + a.batch]], torch.randn(a.batch, cfg[0]), i)


if __name__ == "__main__":
    main()
