"""PyTorch definitions of pix2pix's U-Net and PatchGAN and CycleGAN's ResNet generator,
as in junyanz/pytorch-CycleGAN-and-pix2pix `models/networks.py` (UnetGenerator with
UnetSkipConnectionBlock, NLayerDiscriminator, ResnetGenerator with ResnetBlock and
transposed convolutions), restated here.

`python bench/translation_nets.py OUT.safetensors` builds small instances with random weights
(and random batch-norm running statistics), runs each in eval mode, in float64, on a seeded input and
writes every state-dict tensor under `<net>/<PyTorch name>` together with `<net>/input` and
`<net>/output`. crates/gan/tests/translation_nets.rs loads them into the Rust networks by
name and compares the outputs.
"""
import sys

import torch
import torch.nn as nn
from safetensors.torch import save_file


class UnetBlock(nn.Module):
    def __init__(self, outer_nc, inner_nc, input_nc=None, submodule=None, outermost=False, innermost=False, norm=nn.BatchNorm2d, dropout=False):
        super().__init__()
        self.outermost = outermost
        use_bias = norm == nn.InstanceNorm2d
        input_nc = outer_nc if input_nc is None else input_nc
        downconv = nn.Conv2d(input_nc, inner_nc, 4, 2, 1, bias=use_bias)
        downrelu, downnorm = nn.LeakyReLU(0.2, True), norm(inner_nc)
        uprelu, upnorm = nn.ReLU(True), norm(outer_nc)
        if outermost:
            model = [downconv, submodule, uprelu, nn.ConvTranspose2d(inner_nc * 2, outer_nc, 4, 2, 1), nn.Tanh()]
        elif innermost:
            model = [downrelu, downconv, uprelu, nn.ConvTranspose2d(inner_nc, outer_nc, 4, 2, 1, bias=use_bias), upnorm]
        else:
            model = [downrelu, downconv, downnorm, submodule, uprelu, nn.ConvTranspose2d(inner_nc * 2, outer_nc, 4, 2, 1, bias=use_bias), upnorm]
            if dropout:
                model += [nn.Dropout(0.5)]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x) if self.outermost else torch.cat([x, self.model(x)], 1)


class UnetGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, num_downs, ngf, norm=nn.BatchNorm2d, dropout=False):
        super().__init__()
        block = UnetBlock(ngf * 8, ngf * 8, norm=norm, innermost=True)
        for _ in range(num_downs - 5):
            block = UnetBlock(ngf * 8, ngf * 8, submodule=block, norm=norm, dropout=dropout)
        block = UnetBlock(ngf * 4, ngf * 8, submodule=block, norm=norm)
        block = UnetBlock(ngf * 2, ngf * 4, submodule=block, norm=norm)
        block = UnetBlock(ngf, ngf * 2, submodule=block, norm=norm)
        self.model = UnetBlock(output_nc, ngf, input_nc=input_nc, submodule=block, outermost=True, norm=norm)

    def forward(self, x):
        return self.model(x)


class NLayerDiscriminator(nn.Module):
    def __init__(self, input_nc, ndf, n_layers, norm=nn.BatchNorm2d):
        super().__init__()
        use_bias = norm == nn.InstanceNorm2d
        seq = [nn.Conv2d(input_nc, ndf, 4, 2, 1), nn.LeakyReLU(0.2, True)]
        mult = 1
        for n in range(1, n_layers):
            prev, mult = mult, min(2**n, 8)
            seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, 2, 1, bias=use_bias), norm(ndf * mult), nn.LeakyReLU(0.2, True)]
        prev, mult = mult, min(2**n_layers, 8)
        seq += [nn.Conv2d(ndf * prev, ndf * mult, 4, 1, 1, bias=use_bias), norm(ndf * mult), nn.LeakyReLU(0.2, True)]
        seq += [nn.Conv2d(ndf * mult, 1, 4, 1, 1)]
        self.model = nn.Sequential(*seq)

    def forward(self, x):
        return self.model(x)


class ResnetBlock(nn.Module):
    def __init__(self, dim, norm, use_bias):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=use_bias), norm(dim), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=use_bias), norm(dim))

    def forward(self, x):
        return x + self.conv_block(x)


class ResnetGenerator(nn.Module):
    def __init__(self, input_nc, output_nc, ngf, n_blocks, norm=nn.InstanceNorm2d):
        super().__init__()
        use_bias = norm == nn.InstanceNorm2d
        model = [nn.ReflectionPad2d(3), nn.Conv2d(input_nc, ngf, 7, bias=use_bias), norm(ngf), nn.ReLU(True)]
        for i in range(2):
            m = 2**i
            model += [nn.Conv2d(ngf * m, ngf * m * 2, 3, 2, 1, bias=use_bias), norm(ngf * m * 2), nn.ReLU(True)]
        model += [ResnetBlock(ngf * 4, norm, use_bias) for _ in range(n_blocks)]
        for i in range(2):
            m = 2**(2 - i)
            model += [nn.ConvTranspose2d(ngf * m, ngf * m // 2, 3, 2, 1, output_padding=1, bias=use_bias), norm(ngf * m // 2), nn.ReLU(True)]
        model += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, output_nc, 7), nn.Tanh()]
        self.model = nn.Sequential(*model)

    def forward(self, x):
        return self.model(x)


def randomise(net):
    """Random weights, and random running statistics so that eval-mode batch norm matters."""
    g = torch.Generator().manual_seed(1)
    with torch.no_grad():
        for p in net.parameters():
            p.copy_(torch.randn(p.shape, generator=g) * 0.2)
        for name, b in net.named_buffers():
            if name.endswith("running_mean"):
                b.copy_(torch.randn(b.shape, generator=g) * 0.2)
            elif name.endswith("running_var"):
                b.copy_(torch.rand(b.shape, generator=g) + 0.5)
    return net.eval()


def main(out):
    torch.manual_seed(0)
    nets = {
        # depth 5 on 32x32 (the U-Net the 28-px presets run, padded), BatchNorm.
        "unet": (UnetGenerator(1, 1, 5, 4), [2, 1, 32, 32]),
        # depth 6 with dropout stages (eval mode: dropout off).
        "unet6": (UnetGenerator(3, 2, 6, 2, dropout=True), [1, 3, 64, 64]),
        "patchgan": (NLayerDiscriminator(2, 4, 2), [2, 2, 28, 28]),
        "patchgan1_instance": (NLayerDiscriminator(1, 4, 1, norm=nn.InstanceNorm2d), [2, 1, 28, 28]),
        "resnet": (ResnetGenerator(1, 1, 4, 2), [2, 1, 28, 28]),
    }
    tensors = {}
    for key, (net, shape) in nets.items():
        randomise(net).double()
        x = torch.randn(shape, dtype=torch.float64)
        with torch.no_grad():
            y = net(x)
        for name, t in net.state_dict().items():
            if not name.endswith("num_batches_tracked"):
                tensors[f"{key}/{name}"] = t.contiguous().double()
        tensors[f"{key}/input"], tensors[f"{key}/output"] = x, y
        print(key, "parameters", sum(p.numel() for p in net.parameters()), "output", list(y.shape))
    save_file(tensors, out)


if __name__ == "__main__":
    main(sys.argv[1])
