"""PyTorch definitions of CartoonGAN's generator and discriminator, as in the training reference
znxlwm/pytorch-CartoonGAN `networks.py` (generator with `down_convs`, `resnet_blocks` of
`resnet_block` and `up_convs`; discriminator `convs`), restated here, and one step's losses as
its `CartoonGAN.py` computes them (BCELoss on the sigmoid, L1Loss on feature maps).

`python bench/cartoon_nets.py OUT.safetensors` builds small instances with random weights,
runs them in float64 on seeded inputs and writes every state-dict tensor under
`<net>/<PyTorch name>` with `<net>/input` and `<net>/output`, and the losses of one step
(`loss/...`) for the images `x` (photos), `y` (cartoons) and `e` (edge-smoothed cartoons),
with a fixed feature network `phi` (one 3x3 convolution and a ReLU, weights `phi/weight`)
standing in for VGG19. crates/gan/tests/cartoon_nets.rs loads them into the Rust networks by
name and compares.
"""
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F
from safetensors.torch import save_file


class ResnetBlock(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.conv1, self.conv1_norm = nn.Conv2d(c, c, 3, 1, 1), nn.InstanceNorm2d(c)
        self.conv2, self.conv2_norm = nn.Conv2d(c, c, 3, 1, 1), nn.InstanceNorm2d(c)

    def forward(self, x):
        h = F.relu(self.conv1_norm(self.conv1(x)))
        return x + self.conv2_norm(self.conv2(h))


class Generator(nn.Module):
    def __init__(self, cin, cout, nf, nb):
        super().__init__()
        self.down_convs = nn.Sequential(
            nn.Conv2d(cin, nf, 7, 1, 3), nn.InstanceNorm2d(nf), nn.ReLU(),
            nn.Conv2d(nf, nf * 2, 3, 2, 1), nn.Conv2d(nf * 2, nf * 2, 3, 1, 1), nn.InstanceNorm2d(nf * 2), nn.ReLU(),
            nn.Conv2d(nf * 2, nf * 4, 3, 2, 1), nn.Conv2d(nf * 4, nf * 4, 3, 1, 1), nn.InstanceNorm2d(nf * 4), nn.ReLU(),
        )
        self.resnet_blocks = nn.Sequential(*[ResnetBlock(nf * 4) for _ in range(nb)])
        self.up_convs = nn.Sequential(
            nn.ConvTranspose2d(nf * 4, nf * 2, 3, 2, 1, 1), nn.Conv2d(nf * 2, nf * 2, 3, 1, 1), nn.InstanceNorm2d(nf * 2), nn.ReLU(),
            nn.ConvTranspose2d(nf * 2, nf, 3, 2, 1, 1), nn.Conv2d(nf, nf, 3, 1, 1), nn.InstanceNorm2d(nf), nn.ReLU(),
            nn.Conv2d(nf, cout, 7, 1, 3), nn.Tanh(),
        )

    def forward(self, x):
        return self.up_convs(self.resnet_blocks(self.down_convs(x)))


class Discriminator(nn.Module):
    def __init__(self, cin, nf):
        super().__init__()
        self.convs = nn.Sequential(
            nn.Conv2d(cin, nf, 3, 1, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(nf, nf * 2, 3, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(nf * 2, nf * 4, 3, 1, 1), nn.InstanceNorm2d(nf * 4), nn.LeakyReLU(0.2),
            nn.Conv2d(nf * 4, nf * 4, 3, 2, 1), nn.LeakyReLU(0.2),
            nn.Conv2d(nf * 4, nf * 8, 3, 1, 1), nn.InstanceNorm2d(nf * 8), nn.LeakyReLU(0.2),
            nn.Conv2d(nf * 8, nf * 8, 3, 1, 1), nn.InstanceNorm2d(nf * 8), nn.LeakyReLU(0.2),
            nn.Conv2d(nf * 8, 1, 3, 1, 1), nn.Sigmoid(),
        )

    def forward(self, x):
        return self.convs(x)


def main(out):
    torch.manual_seed(0)
    torch.set_default_dtype(torch.float64)
    G, D = Generator(3, 3, 4, 2), Discriminator(3, 2)
    for p in list(G.parameters()) + list(D.parameters()):
        with torch.no_grad():
            p.normal_(0, 0.3)
    x, y, e = (torch.rand(2, 3, 16, 16) * 2 - 1 for _ in range(3))
    phi_w = torch.randn(5, 3, 3, 3) * 0.3
    phi = lambda img: F.relu(F.conv2d(img, phi_w, padding=1))
    t = {f"g/{k}": v for k, v in G.state_dict().items()}
    t.update({f"d/{k}": v for k, v in D.state_dict().items()})
    fake = G(x)
    t.update({"g/input": x, "g/output": fake.detach(), "d/input": y.clone(), "d/output": D(y).detach(), "phi/weight": phi_w, "y": y, "e": e})
    bce, l1 = nn.BCELoss(), nn.L1Loss()
    d_real, d_fake, d_edge = D(y), D(fake.detach()), D(e)
    ones, zeros = torch.ones_like(d_real), torch.zeros_like(d_real)
    d_loss = bce(d_real, ones) + bce(d_fake, zeros) + bce(d_edge, zeros)
    content = 10 * l1(phi(fake), phi(x).detach())
    g_loss = bce(D(fake), ones) + content
    t.update({"loss/d": d_loss.detach().reshape(1), "loss/d_plain": (bce(d_real, ones) + bce(d_fake, zeros)).detach().reshape(1), "loss/g": g_loss.detach().reshape(1), "loss/content": content.detach().reshape(1)})
    save_file({k: v.contiguous() for k, v in t.items()}, out)


if __name__ == "__main__":
    main(sys.argv[1])
