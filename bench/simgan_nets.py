"""PyTorch definitions of SimGAN's refiner and local discriminator, restated from the paper
(Shrivastava et al., "Learning from Simulated and Unsupervised Images through Adversarial
Training", CVPR 2017, appendix A: the refiner a k3 convolution, ResNet blocks of two k3
convolutions and a k1 convolution to the image; the discriminator k3s2 96, k3s2 64,
max-pool 3 stride 1, k3 32, k1 32, k1 2, softmax), with this project's tanh on the refiner's
output and "same" padding, and one step's losses as the paper writes them: the local
adversarial loss a cross-entropy per patch (`nn.CrossEntropyLoss` over the map; class 0
refined, 1 real) and the self-regularisation an L1 (`nn.L1Loss`).

`python bench/simgan_nets.py OUT.safetensors` builds small instances with random weights,
runs them in float64 on seeded inputs and writes every state-dict tensor under
`<net>/<PyTorch name>` with `<net>/input` and `<net>/output`, and the losses (`loss/...`) for
the synthetic images `x`, the real images `y` and `lambda` = 0.7. crates/gan/tests/simgan_nets.rs
loads them into the Rust networks by name and compares.
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file


class Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1, self.conv2 = nn.Conv2d(c, c, 3, 1, 1), nn.Conv2d(c, c, 3, 1, 1)

    def forward(self, x):
        return F.relu(x + self.conv2(F.relu(self.conv1(x))))


class Refiner(nn.Module):
    def __init__(self, channels, nf, blocks):
        super().__init__()
        self.conv_in = nn.Conv2d(channels, nf, 3, 1, 1)
        self.blocks = nn.Sequential(*[Block(nf) for _ in range(blocks)])
        self.conv_out = nn.Conv2d(nf, channels, 1, 1, 0)

    def forward(self, x):
        return torch.tanh(self.conv_out(self.blocks(F.relu(self.conv_in(x)))))


class Discriminator(nn.Module):
    def __init__(self, channels, nf):
        super().__init__()
        self.convs = nn.Sequential(
            nn.Conv2d(channels, 3 * nf, 3, 2, 1), nn.ReLU(),
            nn.Conv2d(3 * nf, 2 * nf, 3, 2, 1), nn.ReLU(),
            nn.MaxPool2d(3, 1, 1),
            nn.Conv2d(2 * nf, nf, 3, 1, 1), nn.ReLU(),
            nn.Conv2d(nf, nf, 1, 1, 0), nn.ReLU(),
            nn.Conv2d(nf, 2, 1, 1, 0),
        )

    def forward(self, x):
        return self.convs(x)


def main(out):
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float64)
    R, D = Refiner(1, 4, 2), Discriminator(1, 3)
    for p in list(R.parameters()) + list(D.parameters()):
        with torch.no_grad():
            p.normal_(0, 0.3)
    x, y = (torch.rand(3, 1, 28, 28) * 2 - 1 for _ in range(2))
    t = {f"r/{k}": v for k, v in R.state_dict().items()}
    t.update({f"d/{k}": v for k, v in D.state_dict().items()})
    refined = R(x)
    t.update({"r/input": x, "r/output": refined.detach(), "d/input": y.clone(), "d/output": D(y).detach(), "y": y})
    ce, l1, lam = nn.CrossEntropyLoss(), nn.L1Loss(), 0.7
    real_map, refined_map = D(y), D(refined.detach())
    h, w = real_map.shape[2:]
    as_real = torch.ones(3, h, w, dtype=torch.long)
    as_refined = torch.zeros(3, h, w, dtype=torch.long)
    d_loss = ce(real_map, as_real) + ce(refined_map, as_refined)
    r_adv = ce(D(refined), as_real)
    r_reg = l1(refined, x)
    t.update({"loss/d": d_loss.detach().reshape(1), "loss/r": (r_adv + lam * r_reg).detach().reshape(1), "loss/r_adv": r_adv.detach().reshape(1), "loss/r_reg": r_reg.detach().reshape(1)})
    save_file({k: v.contiguous() for k, v in t.items()}, out)


if __name__ == "__main__":
    main(sys.argv[1])
