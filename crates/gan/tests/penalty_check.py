"""Recomputes a WGAN-GP critic loss, a BCE discriminator loss with the R1 penalty, or the
relativistic loss with R1 + R2 (R3GAN), and its parameter gradients with PyTorch autograd on the weights and inputs that `penalty.rs`
exported, and compares (relative error <= 1e-5).

Usage: penalty_check.py CASE.safetensors SPEC_JSON
The critic is rebuilt from the spec as the PyTorch module the Rust model mirrors, and the
weights are loaded with strict=True, so a naming or layout difference fails too.
"""
import json
import sys

import torch
from safetensors.torch import load_file
from torch import nn


def mlp_critic(m, image):
    sizes = [image["channels"] * image["height"] * image["width"]] + m["d_hidden"] + [1]
    layers = []
    for i, (a, b) in enumerate(zip(sizes, sizes[1:])):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2:
            layers += [nn.LeakyReLU(m["leaky_slope"]), nn.Dropout(m["d_dropout"])]
    return nn.Sequential(*layers)


def dcgan_critic(m, image):
    s = image["height"]
    base = 4 if (s & (s - 1)) == 0 else 7
    n = (s // base).bit_length() - 1
    layers, cin = [], image["channels"]
    for stage in range(n):
        cout = m["d_base"] << stage
        norm = m["d_norm"] if (stage > 0 or m["d_norm_first"]) else "none"
        assert norm in ("instance", "none"), norm
        layers.append(nn.Conv2d(cin, cout, 4, 2, 1, bias=norm == "none"))
        if norm == "instance":
            layers.append(nn.InstanceNorm2d(cout))
        layers.append(nn.LeakyReLU(m["leaky_slope"]))
        cin = cout
    layers.append(nn.Conv2d(cin, 1, base, 1, 0))
    return nn.Sequential(*layers)


class Critic(nn.Module):
    def __init__(self, model, image):
        super().__init__()
        self.net = mlp_critic(model, image) if model["kind"] == "mlp" else dcgan_critic(model, image)
        self.flat = model["kind"] == "mlp"

    def forward(self, x):
        return self.net(x.flatten(1) if self.flat else x).view(-1)


def main():
    t = load_file(sys.argv[1])
    spec = json.loads(sys.argv[2])
    critic = Critic(spec["model"], spec["image"])
    critic.load_state_dict({k[len("param."):]: v for k, v in t.items() if k.startswith("param.")}, strict=True)
    real, fake, eps = t["real"], t["fake"], t["eps"]
    if spec["penalty"] == "gradient-penalty":
        # Gulrajani et al.'s penalty, as PyTorch users write it.
        x_hat = (eps * real + (1 - eps) * fake).requires_grad_(True)
        (g,) = torch.autograd.grad(critic(x_hat).sum(), x_hat, create_graph=True)
        gp = ((g.flatten(1).norm(2, dim=1) - 1) ** 2).mean()
        loss = critic(fake).mean() - critic(real).mean() + spec["weight"] * gp
    elif spec["penalty"] == "r1-r2":
        # R3GAN's AccumulateDiscriminatorGradients: RpGAN on the pairs, gamma / 2 (R1 + R2)
        # from ZeroCenteredGradientPenalty (squared input-gradient norms per sample).
        real = real.clone().requires_grad_(True)
        fake = fake.clone().requires_grad_(True)
        out_real, out_fake = critic(real), critic(fake)
        (g1,) = torch.autograd.grad(out_real.sum(), real, create_graph=True)
        (g2,) = torch.autograd.grad(out_fake.sum(), fake, create_graph=True)
        r1, r2 = g1.square().sum([1, 2, 3]), g2.square().sum([1, 2, 3])
        adversarial = nn.functional.softplus(-(out_real - out_fake))
        loss = (adversarial + spec["weight"] / 2 * (r1 + r2)).mean()
        gp = (r1 + r2).mean()
    else:
        # Mescheder et al.'s R1, as in their reference code (compute_grad2, reg_param / 2).
        real = real.clone().requires_grad_(True)
        out_real = critic(real)
        (g,) = torch.autograd.grad(out_real.sum(), real, create_graph=True)
        gp = g.flatten(1).pow(2).sum(1).mean()
        bce = nn.functional.binary_cross_entropy_with_logits
        out_fake = critic(fake)
        loss = bce(out_real, torch.ones_like(out_real)) + bce(out_fake, torch.zeros_like(out_fake)) + spec["weight"] / 2 * gp
    names = [n for n, _ in critic.named_parameters()]
    grads = torch.autograd.grad(loss, [p for _, p in critic.named_parameters()])
    worst = ("loss", abs(loss.item() - t["loss"].item()) / max(abs(loss.item()), 1e-12))
    # Errors relative to the tensor's largest gradient; a gradient that is zero by
    # construction (the last bias cancels in mean C(fake) - mean C(real), in the
    # relativistic D(x) - D(G(z)), and in the penalties) or nearly so (under 1% of the
    # largest) is measured against 1% of the largest gradient of any tensor instead: there
    # float32 rounding of cancelling terms (~1e-8 absolute) is all that is left to compare.
    overall = max(g.abs().max().item() for g in grads)
    for n, g in zip(names, grads):
        ours = t["grad." + n]
        rel = ((ours - g).abs().max() / max(g.abs().max().item(), 1e-2 * overall)).item()
        print(f"  {n:16} max |grad| {g.abs().max().item():.3e}  relative error {rel:.2e}")
        if rel > worst[1]:
            worst = (n, rel)
    print(f"loss {loss.item():.6f} (gan {t['loss'].item():.6f}), penalty {gp.item():.6f}; max relative error {worst[1]:.2e} at {worst[0]}")
    sys.exit(0 if worst[1] <= 1e-5 else 1)


if __name__ == "__main__":
    main()
