"""DiffAugment as its paper's code writes it (Zhao et al. 2020, mit-han-lab/data-efficient-gans,
DiffAugment_pytorch.py), restated here from that file: the colour, translation and cutout
transforms with their draws from torch's generator in the same order and shapes. Seeds torch
as the Rust side did, augments the exported images with each policy, and writes the results
and the input gradients of sum(y * w).

Usage: diffaugment_reference.py IN.safetensors OUT.safetensors SEED
"""
import sys

import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file


def brightness(x):
    return x + (torch.rand(x.size(0), 1, 1, 1, dtype=x.dtype, device=x.device) - 0.5)


def saturation(x):
    mean = x.mean(dim=1, keepdim=True)
    return (x - mean) * (torch.rand(x.size(0), 1, 1, 1, dtype=x.dtype, device=x.device) * 2) + mean


def contrast(x):
    mean = x.mean(dim=[1, 2, 3], keepdim=True)
    return (x - mean) * (torch.rand(x.size(0), 1, 1, 1, dtype=x.dtype, device=x.device) + 0.5) + mean


def translation(x, ratio=0.125):
    sx, sy = int(x.size(2) * ratio + 0.5), int(x.size(3) * ratio + 0.5)
    tx = torch.randint(-sx, sx + 1, size=[x.size(0), 1, 1], device=x.device)
    ty = torch.randint(-sy, sy + 1, size=[x.size(0), 1, 1], device=x.device)
    gb, gx, gy = torch.meshgrid(torch.arange(x.size(0)), torch.arange(x.size(2)), torch.arange(x.size(3)), indexing="ij")
    gx = torch.clamp(gx + tx + 1, 0, x.size(2) + 1)
    gy = torch.clamp(gy + ty + 1, 0, x.size(3) + 1)
    pad = F.pad(x, [1, 1, 1, 1, 0, 0, 0, 0])
    return pad.permute(0, 2, 3, 1).contiguous()[gb, gx, gy].permute(0, 3, 1, 2)


def cutout(x, ratio=0.5):
    size = int(x.size(2) * ratio + 0.5), int(x.size(3) * ratio + 0.5)
    ox = torch.randint(0, x.size(2) + (1 - size[0] % 2), size=[x.size(0), 1, 1], device=x.device)
    oy = torch.randint(0, x.size(3) + (1 - size[1] % 2), size=[x.size(0), 1, 1], device=x.device)
    gb, gx, gy = torch.meshgrid(torch.arange(x.size(0)), torch.arange(size[0]), torch.arange(size[1]), indexing="ij")
    gx = torch.clamp(gx + ox - size[0] // 2, min=0, max=x.size(2) - 1)
    gy = torch.clamp(gy + oy - size[1] // 2, min=0, max=x.size(3) - 1)
    mask = torch.ones(x.size(0), x.size(2), x.size(3), dtype=x.dtype, device=x.device)
    mask[gb, gx, gy] = 0
    return x * mask.unsqueeze(1)


FNS = {"color": [brightness, saturation, contrast], "translation": [translation], "cutout": [cutout]}
POLICIES = ["color", "translation", "cutout", "color,translation,cutout"]


def main():
    t = load_file(sys.argv[1])
    torch.manual_seed(int(sys.argv[3]))
    out = {}
    for policy in POLICIES:
        x = t["x"].clone().requires_grad_(True)
        y = x
        for p in policy.split(","):
            for f in FNS[p]:
                y = f(y)
        (grad,) = torch.autograd.grad((y * t["w"]).sum(), x)
        out[f"{policy}.y"] = y.detach().contiguous()
        out[f"{policy}.grad"] = grad.contiguous()
    save_file(out, sys.argv[2])


main()
