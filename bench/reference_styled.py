"""PyTorch reference for `gan bench --model stylegan2 | progan` (used by reference.py), on
the built-in MNIST sample padded with 2 black pixels to 32x32, with the networks restated for
the equivalence tests (crates/gan/tests/stylegan2_reference.py and progan_reference.py).

- stylegan2: the mnist-stylegan2 pair (z and w 512, a 2-layer mapping network at lr x0.01,
  feature maps min(2048 / r, 128), residual D with minibatch stddev group 4), one step of
  NVlabs/stylegan2-ada-pytorch's training loop with StyleGAN2Loss: phases Gmain, Greg (every
  4th step: path length penalty, weight 2, on half the batch, times 4), Dmain, Dreg (every
  16th: R1, gamma 0.01, times 16); style mixing 0.9; Adam(0.0025 * k / (k + 1),
  (0, 0.99^(k / (k + 1))), 1e-8) per network with k its regulariser's interval; batch 32.
- progan: the mnist-progan pair at its full 32x32 (tkarras/progressive_growing_of_gans,
  G_paper and D_paper at lod 0, latent 128, feature maps min(1024 / 2^s, 128)), one critic
  update on detached fakes (WGAN-GP, lambda 10, plus drift 0.001 * D(x)^2) then one generator
  update on the same fakes, as `gan`'s step, Adam(1e-3, (0, 0.99), 1e-8); batch 16.

Both keep a moving average of G, updated after every step, as both reference loops and `gan`
do. Styles: `tutorial` is the reference loop's own (zero_grad, .backward() into .grad, the other
network frozen with requires_grad_(False), the default Adam); `tuned` adds
zero_grad(set_to_none=True) and fused Adam.

`check_stylegan2(DIR)` runs the step `gan bench --model stylegan2 --dump-step DIR` wrote
(its first step: all four phases) from its weights, latents and real batch, drawing the
mixing cut and coin, the second latents, the per-layer noise and the path length projection
from the seed it gives in the order the Rust step draws them, and returns the weights after.
"""
import math
import os
import sys

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "crates", "gan", "tests"))
import progan_reference as pr  # noqa: E402
import stylegan2_reference as sr  # noqa: E402

# z_dim, w_dim, mapping layers, channel_base, channel_max, channels, log2, mbstd group and
# channels, conv_clamp (-1: none): the mnist-stylegan2 preset.
SG2_CFG = [512, 512, 2, 2048, 128, 1, 5, 4, 1, 256]
SG2 = dict(gamma=0.01, mixing=0.9, pl_weight=2.0, pl_decay=0.01, pl_shrink=2, pl_every=4, r1_every=16, lr=0.0025, betas=(0.0, 0.99))


def pad32(data):
    return F.pad(data, (2, 2, 2, 2), value=-1.0)


def ema_update(style, ema, params, beta=0.999):
    """The moving average of G both reference loops keep (G_ema, Gs), after every step."""
    with torch.no_grad():
        if style == "tuned":
            torch._foreach_lerp_(ema, params, 1 - beta)
        else:
            for e, p in zip(ema, params):
                e.copy_(p.lerp(e, beta))


def sg2_init(cfg):
    """Trainable weights and buffers as networks.py initialises them, under its names."""
    z_dim, w_dim, layers, base, cmax, img_c, log2, _, mbstd_c = cfg[:9]

    def ch(res):
        return min(base // res, cmax)

    t = {}

    def fc(name, cin, cout, lr_mul=1.0, bias_init=0.0):
        t[name + ".weight"] = torch.randn(cout, cin) / lr_mul
        t[name + ".bias"] = torch.full([cout], float(bias_init))

    for i in range(layers):
        fc(f"g.mapping.fc{i}", z_dim if i == 0 else w_dim, w_dim, lr_mul=0.01)
    t["g.mapping.w_avg"] = torch.zeros(w_dim)
    for r in range(2, log2 + 1):
        res, p = 2**r, f"g.synthesis.b{2**r}"
        convs = ["conv1"] if res == 4 else ["conv0", "conv1"]
        if res == 4:
            t[p + ".const"] = torch.randn(ch(4), 4, 4)
        for c in convs:
            cin = ch(res // 2) if c == "conv0" else ch(res)
            fc(f"{p}.{c}.affine", w_dim, cin, bias_init=1.0)
            t[f"{p}.{c}.weight"] = torch.randn(ch(res), cin, 3, 3)
            t[f"{p}.{c}.noise_const"] = torch.randn(res, res)
            t[f"{p}.{c}.noise_strength"] = torch.zeros([])
            t[f"{p}.{c}.bias"] = torch.zeros(ch(res))
        fc(f"{p}.torgb.affine", w_dim, ch(res), bias_init=1.0)
        t[f"{p}.torgb.weight"] = torch.randn(img_c, ch(res), 1, 1)
        t[f"{p}.torgb.bias"] = torch.zeros(img_c)
    top = 2**log2

    def conv(name, cin, cout, k, bias=True):
        t[name + ".weight"] = torch.randn(cout, cin, k, k)
        if bias:
            t[name + ".bias"] = torch.zeros(cout)

    conv(f"d.b{top}.fromrgb", img_c, ch(top), 1)
    for r in range(log2, 2, -1):
        res = 2**r
        conv(f"d.b{res}.skip", ch(res), ch(res // 2), 1, bias=False)
        conv(f"d.b{res}.conv0", ch(res), ch(res), 3)
        conv(f"d.b{res}.conv1", ch(res), ch(res // 2), 3)
    conv("d.b4.conv", ch(4) + mbstd_c, ch(4), 3)
    fc("d.b4.fc", ch(4) * 16, ch(4))
    fc("d.b4.out", ch(4), 1)
    return t


class Stylegan2Step:
    """The four phases of training_loop.py over `t` (the weights by name), each with its own
    optimiser update; `step` counts from 0 as the Rust step's does."""

    def __init__(self, t, cfg, style, h=SG2):
        self.h, self.style = h, style
        self.nets = sr.Nets(t, [float(v) for v in cfg])
        self.nets.random_noise = True
        self.nets.modconv = sr.modulated_conv2d_unfused
        self.nets.f = self.nets.f.to(t["g.mapping.w_avg"])
        self.g_names = [k for k in t if k.startswith("g.") and not k.endswith(("w_avg", "noise_const"))]
        self.d_names = [k for k in t if k.startswith("d.")]
        for k in self.g_names + self.d_names:
            t[k] = t[k].clone().requires_grad_(True)
        self.t = t
        self.pl_mean = torch.zeros([]).to(t["g.mapping.w_avg"])
        fused = dict(fused=True) if style == "tuned" else {}

        def opt(names, every):
            c = every / (every + 1)
            return torch.optim.Adam([t[k] for k in names], lr=h["lr"] * c, betas=[b**c for b in h["betas"]], eps=1e-8, **fused)

        self.opt_g, self.opt_d = opt(self.g_names, h["pl_every"]), opt(self.d_names, h["r1_every"])

    def _train(self, names):
        for k in self.g_names + self.d_names:
            self.t[k].requires_grad_(k in names)

    def _phase(self, opt, names, loss):
        self._train(names)
        opt.zero_grad(set_to_none=self.style == "tuned")
        loss().backward()
        opt.step()

    def ws(self, z):
        """run_G's w with style mixing (drawn as the Rust step draws: cut, coin, latents)."""
        n, t = self.nets, self.t
        w = n.mapping(z)
        with torch.no_grad():
            t["g.mapping.w_avg"].copy_(w.detach().mean(dim=0).lerp(t["g.mapping.w_avg"], 0.995))
        ws = n.broadcast(w, 1.0)
        num, dev = n.num_ws(), z.device
        cut = torch.randint(1, num, [1], device=dev)
        cut = torch.where(torch.rand([1], device=dev) < self.h["mixing"], cut, torch.full_like(cut, num))
        other = n.broadcast(n.mapping(torch.randn(z.shape, device=dev).to(z)), 1.0)
        return torch.where((torch.arange(num, device=dev) >= cut).reshape(1, num, 1), other, ws)

    def __call__(self, real, z, step):
        h, n = self.h, self.nets
        self._phase(self.opt_g, self.g_names, lambda: F.softplus(-n.discriminator(n.synthesis(self.ws(z)))).mean())
        if step % h["pl_every"] == 0:
            self._phase(self.opt_g, self.g_names, lambda: self._pl(z[: max(z.shape[0] // h["pl_shrink"], 1)]))
        self._phase(self.opt_d, self.d_names, lambda: self._d_main(real, z))
        if step % h["r1_every"] == 0:
            self._phase(self.opt_d, self.d_names, lambda: self._r1(real))

    def _pl(self, z):
        h = self.h
        ws = self.ws(z)
        img = self.nets.synthesis(ws)
        y = torch.randn(img.shape, device=img.device).to(img) / math.sqrt(img.shape[2] * img.shape[3])
        grads = torch.autograd.grad(outputs=[(img * y).sum()], inputs=[ws], create_graph=True)[0]
        lengths = grads.square().sum(2).mean(1).sqrt()
        mean = self.pl_mean.lerp(lengths.mean(), h["pl_decay"])
        self.pl_mean.copy_(mean.detach())
        return ((lengths - mean).square() * h["pl_weight"]).mean() * h["pl_every"]

    def _d_main(self, real, z):
        n = self.nets
        with torch.no_grad():
            fake = n.synthesis(self.ws(z))
        return F.softplus(n.discriminator(fake)).mean() + F.softplus(-n.discriminator(real)).mean()

    def _r1(self, real):
        x = real.detach().requires_grad_(True)
        grads = torch.autograd.grad(outputs=[self.nets.discriminator(x).sum()], inputs=[x], create_graph=True)[0]
        return (grads.square().sum([1, 2, 3]) * (self.h["gamma"] / 2)).mean() * self.h["r1_every"]


def check_stylegan2(inputs, weights):
    """The weights after the dumped step, and the path lengths' running mean, computed in
    float64 (the draws in float32, as the Rust step's, then widened): the Rust step's float32
    rounding is then measured against an exact answer rather than a second rounding."""
    inputs = {k: v.double() for k, v in inputs.items()}
    weights = {k: v.double() for k, v in weights.items()}
    hyper = inputs["hyper"].tolist()
    h = dict(SG2, gamma=hyper[0], mixing=hyper[1], pl_weight=hyper[2], pl_decay=hyper[3], pl_shrink=int(hyper[4]),
             pl_every=int(hyper[5]), r1_every=int(hyper[6]))
    step = Stylegan2Step(weights, SG2_CFG, "tutorial", h)
    torch.manual_seed(int(hyper[7]))
    step(inputs["real"], inputs["z"], 0)
    return {k: v.detach() for k, v in step.t.items()}, step.pl_mean


# ProGAN: latent, fmap_base, fmap_max, channels, log2, mbstd group (the mnist-progan preset).
PG_CFG = (128, 1024, 128, 1, 5, 4)


def pg_init(cfg=PG_CFG):
    latent, base, fmax, img_c, log2, _ = cfg

    def nf(s):
        return min(base // 2**s, fmax)

    t = {}

    def w(name, *shape):
        t[name + ".weight"], t[name + ".bias"] = torch.randn(*shape), torch.zeros(shape[0])

    w("g.r4.dense", nf(1) * 16, latent)
    t["g.r4.dense.bias"] = torch.zeros(nf(1))
    w("g.r4.conv", nf(1), nf(1), 3, 3)
    w("d.r4.conv", nf(1), nf(1) + 1, 3, 3)
    w("d.r4.dense0", nf(0), nf(1) * 16)
    w("d.r4.dense1", 1, nf(0))
    for res in range(2, log2 + 1):
        w(f"g.rgb{2**res}", img_c, nf(res - 1), 1, 1)
        w(f"d.rgb{2**res}", nf(res - 1), img_c, 1, 1)
        if res > 2:
            w(f"g.r{2**res}.conv0", nf(res - 1), nf(res - 2), 3, 3)
            w(f"g.r{2**res}.conv1", nf(res - 1), nf(res - 1), 3, 3)
            w(f"d.r{2**res}.conv0", nf(res - 1), nf(res - 1), 3, 3)
            w(f"d.r{2**res}.conv1", nf(res - 2), nf(res - 1), 3, 3)
    return t


def progan_step(style, data, b, dev):
    latent, base, fmax, img_c, log2, mbstd = PG_CFG
    t = {k: v.to(dev).requires_grad_(True) for k, v in pg_init().items()}
    nf = lambda s: min(base // 2**s, fmax)  # noqa: E731
    gw, dw = pr.Weights(t, "g."), pr.Weights(t, "d.")
    g_names, d_names = [k for k in t if k.startswith("g.")], [k for k in t if k.startswith("d.")]
    fused = dict(fused=True) if style == "tuned" else {}
    opt_g = torch.optim.Adam([t[k] for k in g_names], lr=1e-3, betas=(0.0, 0.99), eps=1e-8, **fused)
    opt_d = torch.optim.Adam([t[k] for k in d_names], lr=1e-3, betas=(0.0, 0.99), eps=1e-8, **fused)
    ema = [t[k].detach().clone() for k in g_names]
    G = lambda z: pr.G_paper(gw, z, 0.0, log2, nf, img_c)  # noqa: E731
    D = lambda x: pr.D_paper(dw, x, 0.0, log2, nf, mbstd)  # noqa: E731

    def train(names):
        for k in t:
            t[k].requires_grad_(k in names)

    def one():
        real = data[torch.randint(0, data.shape[0], (b,), device=dev)]
        train(g_names + d_names)
        fake = G(torch.randn(b, latent, device=dev))
        train(d_names)
        opt_d.zero_grad(set_to_none=style == "tuned")
        real_out, fake_out = D(real), D(fake.detach())
        eps = torch.rand(b, 1, 1, 1, device=dev)
        mixed = real.lerp(fake.detach(), eps).requires_grad_(True)
        grad = torch.autograd.grad(D(mixed).sum(), mixed, create_graph=True)[0]
        gp = (grad.flatten(1).norm(dim=1) - 1).square()
        (fake_out - real_out + 10 * gp + 0.001 * real_out.square()).mean().backward()
        opt_d.step()
        train(g_names)
        opt_g.zero_grad(set_to_none=style == "tuned")
        (-D(fake)).mean().backward()
        opt_g.step()
        ema_update(style, ema, [t[k].detach() for k in g_names])

    return one


def make(model, style, data, b, dev):
    """One bench step of `model` (a closure drawing its own batch and latents)."""
    data = pad32(data)
    if model == "progan":
        return progan_step(style, data, b, dev)
    torch.manual_seed(0)
    step = Stylegan2Step({k: v.to(dev) for k, v in sg2_init(SG2_CFG).items()}, SG2_CFG, style)
    count = [0]

    params = [step.t[k] for k in step.g_names]
    ema = [p.detach().clone() for p in params]

    def one():
        real = data[torch.randint(0, data.shape[0], (b,), device=dev)]
        step(real, torch.randn(b, SG2_CFG[0], device=dev), count[0])
        ema_update(style, ema, [p.detach() for p in params])
        count[0] += 1

    return one


def check(dump, tol):
    """Compares the Rust step's updates in `dump` with the reference's; returns (tensors
    compared, the largest relative difference ||a - b|| / ||b|| of the updates, the report
    lines). The buffers that do not train (w_avg, noise_const) are compared alike."""
    from safetensors.torch import load_file

    def load(name, prefix):
        return {prefix + k: v for k, v in load_file(os.path.join(dump, name)).items()}

    weights = {**load("init_g.safetensors", "g."), **load("init_d.safetensors", "d.")}
    inputs = load_file(os.path.join(dump, "inputs.safetensors"))
    after, pl_mean = check_stylegan2(inputs, weights)
    want = {**load("after_g.safetensors", "g."), **load("after_d.safetensors", "d.")}
    want["pl_mean"] = load_file(os.path.join(dump, "after_state.safetensors"))["pl_mean"].reshape([])
    after["pl_mean"] = pl_mean
    weights["pl_mean"] = torch.zeros([])
    worst, lines = 0.0, []
    for k in sorted(want):
        if k not in after:
            lines.append(f"{k}: not in the reference's weights")
            worst = float("inf")
            continue
        # The update's difference relative to the update (a weight barely moves in one step).
        ours, theirs = want[k].double() - weights[k].double(), after[k] - weights[k].double()
        rel = ((ours - theirs).norm() / theirs.norm().clamp_min(1e-30)).item()
        worst = max(worst, rel)
        if rel > tol:
            lines.append(f"{k}: relative difference {rel:.3e} above {tol:g}")
    return len(want), worst, lines
