"""StyleGAN2's networks restated in PyTorch from NVlabs/stylegan2-ada-pytorch for this test
(training/networks.py: FullyConnectedLayer, Conv2dLayer, MappingNetwork, SynthesisLayer,
ToRGBLayer, SynthesisBlock with architecture='skip', DiscriminatorBlock with 'resnet',
MinibatchStdLayer, DiscriminatorEpilogue; torch_utils/ops: bias_act's reference path,
upfirdn2d's _upfirdn2d_ref, conv2d_resample's paths). The modulated convolution is the
reference's *fused* form (one grouped convolution of per-sample weights), where the Rust
networks compute the unfused form, so the two agree only if both are right.

Usage: stylegan2_reference.py IN OUT. IN holds the generator's weights (g.*) and the
discriminator's (d.*) under the reference's names, cfg (z_dim, w_dim, mapping layers,
channel_base, channel_max, img_channels, log2, mbstd group, mbstd channels, conv_clamp or -1),
latents z and z2, images x, psi and cut. OUT gets ws, ws_mixed, img (constant noise,
truncated by psi), img_mixed, logits, w_avg_after (w_avg after one tracked mapping of z),
and for the regularisers r1 (per-image gamma=1 penalty) and the path length terms.
"""
import math
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import load_file, save_file

SQRT2 = math.sqrt(2)


def bias_act(x, b=None, act="linear", gain=None, clamp=None):
    if b is not None:
        x = x + b.reshape([-1 if i == 1 else 1 for i in range(x.ndim)])
    def_gain = SQRT2 if act == "lrelu" else 1.0
    if act == "lrelu":
        x = F.leaky_relu(x, 0.2)
    gain = def_gain if gain is None else gain
    if gain != 1:
        x = x * gain
    if clamp is not None and clamp >= 0:
        x = x.clamp(-clamp, clamp)
    return x


def setup_filter(f=(1, 3, 3, 1)):
    f = torch.as_tensor(f, dtype=torch.float32)
    f = f.ger(f)
    return f / f.sum()


def upfirdn2d(x, f, up=1, down=1, padding=(0, 0, 0, 0), gain=1):
    n, c, h, w = x.shape
    x = x.reshape([n, c, h, 1, w, 1])
    x = F.pad(x, [0, up - 1, 0, 0, 0, up - 1])
    x = x.reshape([n, c, h * up, w * up])
    px0, px1, py0, py1 = padding
    x = F.pad(x, [max(px0, 0), max(px1, 0), max(py0, 0), max(py1, 0)])
    x = x[:, :, max(-py0, 0): x.shape[2] - max(-py1, 0), max(-px0, 0): x.shape[3] - max(-px1, 0)]
    f = f * (gain ** (f.ndim / 2))
    f = f.flip([0, 1])
    f = f[None, None].repeat([c, 1, 1, 1])
    x = F.conv2d(x, f, groups=c)
    return x[:, :, ::down, ::down]


def upsample2d(x, f):
    return upfirdn2d(x, f, up=2, padding=(2, 1, 2, 1), gain=4)


def conv2d_resample(x, w, f=None, up=1, down=1, padding=0, groups=1, flip_weight=True):
    out_c, in_c_per_group, kh, kw = w.shape
    px0 = px1 = py0 = py1 = padding
    fw = 4
    if up > 1:
        px0 += (fw + up - 1) // 2
        px1 += (fw - up) // 2
        py0, py1 = px0, px1
    if down > 1:
        px0 += (fw - down + 1) // 2
        px1 += (fw - down) // 2
        py0, py1 = px0, px1

    def conv(x, w, stride=1, padding=0, transpose=False, flip=flip_weight):
        if not flip:
            w = w.flip([2, 3])
        if transpose:
            return F.conv_transpose2d(x, w, stride=stride, padding=padding, groups=groups)
        return F.conv2d(x, w, stride=stride, padding=padding, groups=groups)

    if kw == 1 and down > 1 and up == 1:
        x = upfirdn2d(x, f, down=down, padding=(px0, px1, py0, py1))
        return conv(x, w)
    if down > 1 and up == 1:
        x = upfirdn2d(x, f, padding=(px0, px1, py0, py1))
        return conv(x, w, stride=down)
    if up > 1:
        if groups == 1:
            w = w.transpose(0, 1)
        else:
            w = w.reshape(groups, out_c // groups, in_c_per_group, kh, kw)
            w = w.transpose(1, 2)
            w = w.reshape(groups * in_c_per_group, out_c // groups, kh, kw)
        px0 -= kw - 1
        px1 -= kw - up
        py0 -= kh - 1
        py1 -= kh - up
        pxt = max(min(-px0, -px1), 0)
        pyt = max(min(-py0, -py1), 0)
        x = conv(x, w, stride=up, padding=[pyt, pxt], transpose=True, flip=not flip_weight)
        return upfirdn2d(x, f, padding=(px0 + pxt, px1 + pxt, py0 + pyt, py1 + pyt), gain=up ** 2)
    return conv(x, w, padding=px0)


def modulated_conv2d_fused(x, weight, styles, noise=None, up=1, padding=0, f=None, demodulate=True, flip_weight=True):
    b = x.shape[0]
    out_c, in_c, kh, kw = weight.shape
    w = weight.unsqueeze(0) * styles.reshape(b, 1, -1, 1, 1)
    if demodulate:
        dcoefs = (w.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt()
        w = w * dcoefs.reshape(b, -1, 1, 1, 1)
    x = x.reshape(1, -1, *x.shape[2:])
    w = w.reshape(-1, in_c, kh, kw)
    x = conv2d_resample(x, w, f=f, up=up, padding=padding, groups=b, flip_weight=flip_weight)
    x = x.reshape(b, -1, *x.shape[2:])
    if noise is not None:
        x = x + noise
    return x


def modulated_conv2d_unfused(x, weight, styles, noise=None, up=1, padding=0, f=None, demodulate=True, flip_weight=True):
    """The reference's path in training (`fused_modconv=False`): the styles scale the input,
    one convolution for the batch, the demodulation scales the output."""
    b = x.shape[0]
    dcoefs = None
    if demodulate:
        w = weight.unsqueeze(0) * styles.reshape(b, 1, -1, 1, 1)
        dcoefs = (w.square().sum(dim=[2, 3, 4]) + 1e-8).rsqrt()
    x = x * styles.reshape(b, -1, 1, 1)
    x = conv2d_resample(x, weight, f=f, up=up, padding=padding, flip_weight=flip_weight)
    if dcoefs is not None and noise is not None:
        return torch.addcmul(noise, x, dcoefs.reshape(b, -1, 1, 1))
    if dcoefs is not None:
        return x * dcoefs.reshape(b, -1, 1, 1)
    return x + noise if noise is not None else x


class Nets:
    def __init__(self, t, cfg):
        self.t = t
        (self.z_dim, self.w_dim, self.map_layers, self.base, self.cmax, self.img_c, self.log2,
         self.mbstd_g, self.mbstd_c) = [int(v) for v in cfg[:9]]
        self.clamp = None if cfg[9] < 0 else float(cfg[9])
        self.f = setup_filter()
        # Training draws each layer's noise (SynthesisLayer's noise_mode='random') and
        # modulates unfused, as the reference does in training.
        self.random_noise = False
        self.modconv = modulated_conv2d_fused

    def ch(self, res):
        return min(self.base // res, self.cmax)

    def fc(self, name, x, act="linear", lr_mul=1.0):
        w, b = self.t[name + ".weight"], self.t[name + ".bias"]
        w = w * (lr_mul / np.sqrt(w.shape[1]))
        b = b * lr_mul
        if act == "linear":
            return torch.addmm(b.unsqueeze(0), x, w.t())
        return bias_act(x.matmul(w.t()), b, act=act)

    def mapping(self, z):
        x = z * (z.square().mean(dim=1, keepdim=True) + 1e-8).rsqrt()
        for i in range(self.map_layers):
            x = self.fc(f"g.mapping.fc{i}", x, act="lrelu", lr_mul=0.01)
        return x

    def num_ws(self):
        return 2 * (self.log2 - 1)

    def broadcast(self, w, psi):
        w_avg = self.t["g.mapping.w_avg"]
        x = w.unsqueeze(1).repeat([1, self.num_ws(), 1])
        return w_avg.lerp(x, psi) if psi != 1 else x

    def syn_layer(self, name, x, w, up):
        t = self.t
        styles = self.fc(name + ".affine", w)
        if self.random_noise:
            res = x.shape[2] * up
            noise = torch.randn([x.shape[0], 1, res, res], device=x.device) * t[name + ".noise_strength"]
        else:
            noise = t[name + ".noise_const"] * t[name + ".noise_strength"]
        x = self.modconv(x, t[name + ".weight"], styles, noise=noise, up=up, padding=1, f=self.f, flip_weight=(up == 1))
        return bias_act(x, t[name + ".bias"], act="lrelu", gain=SQRT2, clamp=self.clamp)

    def torgb(self, name, x, w):
        weight = self.t[name + ".weight"]
        styles = self.fc(name + ".affine", w) * (1 / np.sqrt(weight.shape[1]))
        x = self.modconv(x, weight, styles, demodulate=False)
        return bias_act(x, self.t[name + ".bias"], clamp=self.clamp)

    def synthesis(self, ws):
        x = img = None
        w_idx = 0
        for r in range(2, self.log2 + 1):
            res = 2 ** r
            p = f"g.synthesis.b{res}"
            n_conv = 1 if res == 4 else 2
            w_iter = iter(ws.narrow(1, w_idx, n_conv + 1).unbind(dim=1))
            w_idx += n_conv
            if res == 4:
                x = self.t[p + ".const"].unsqueeze(0).repeat([ws.shape[0], 1, 1, 1])
                x = self.syn_layer(p + ".conv1", x, next(w_iter), 1)
            else:
                x = self.syn_layer(p + ".conv0", x, next(w_iter), 2)
                x = self.syn_layer(p + ".conv1", x, next(w_iter), 1)
            if img is not None:
                img = upsample2d(img, self.f)
            y = self.torgb(p + ".torgb", x, next(w_iter))
            img = img + y if img is not None else y
        return img

    def conv(self, name, x, act="lrelu", down=1, gain=1.0, bias=True):
        w = self.t[name + ".weight"]
        w = w * (1 / np.sqrt(w[0].numel()))
        x = conv2d_resample(x, w, f=self.f, down=down, padding=w.shape[2] // 2, flip_weight=True)
        def_gain = SQRT2 if act == "lrelu" else 1.0
        clamp = self.clamp * gain if (self.clamp is not None and bias) else None
        return bias_act(x, self.t[name + ".bias"] if bias else None, act=act, gain=def_gain * gain, clamp=clamp)

    def mbstd(self, x):
        n, c, h, w = x.shape
        g = min(self.mbstd_g, n)
        f = self.mbstd_c
        y = x.reshape(g, -1, f, c // f, h, w)
        y = y - y.mean(dim=0)
        y = y.square().mean(dim=0)
        y = (y + 1e-8).sqrt()
        y = y.mean(dim=[2, 3, 4])
        y = y.reshape(-1, f, 1, 1)
        y = y.repeat(g, 1, h, w)
        return torch.cat([x, y], dim=1)

    def discriminator(self, img):
        top = 2 ** self.log2
        x = self.conv(f"d.b{top}.fromrgb", img)
        for r in range(self.log2, 2, -1):
            p = f"d.b{2 ** r}"
            y = self.conv(p + ".skip", x, act="linear", down=2, gain=np.sqrt(0.5), bias=False)
            x = self.conv(p + ".conv0", x)
            x = self.conv(p + ".conv1", x, down=2, gain=np.sqrt(0.5))
            x = y + x
        if self.mbstd_g > 1:
            x = self.mbstd(x)
        x = self.conv("d.b4.conv", x)
        x = self.fc("d.b4.fc", x.flatten(1), act="lrelu")
        return self.fc("d.b4.out", x)


def regularisers(nets, t):
    """loss.py's Gpl (projection pl_y given, running mean from pl_mean0, decay 0.01, weight 2)
    and Dr1 (gamma 1) on the unmixed, untruncated images, with the weights' gradients."""
    out = {}
    g_names = sorted(k for k in t if k.startswith("g.") and not k.endswith(("w_avg", "noise_const")))
    d_names = sorted(k for k in t if k.startswith("d."))
    for k in g_names + d_names:
        t[k] = t[k].clone().requires_grad_(True)
    gen_ws = nets.broadcast(nets.mapping(t["z"]), 1.0)
    gen_img = nets.synthesis(gen_ws)
    pl_grads = torch.autograd.grad(outputs=[(gen_img * t["pl_y"]).sum()], inputs=[gen_ws], create_graph=True)[0]
    pl_lengths = pl_grads.square().sum(2).mean(1).sqrt()
    pl_mean = t["pl_mean0"].lerp(pl_lengths.mean(), 0.01)
    pl_penalty = (pl_lengths - pl_mean).square()
    loss_gpl = (pl_penalty * 2.0).mean()
    out["pl_lengths"], out["pl_mean"], out["pl_loss"] = pl_lengths.detach(), pl_mean.detach().reshape([]), loss_gpl.detach().reshape([1])
    grads = torch.autograd.grad(loss_gpl, [t[k] for k in g_names], allow_unused=True)
    out.update({"grad.pl." + k: gr for k, gr in zip(g_names, grads) if gr is not None})
    real = t["x"].detach().requires_grad_(True)
    logits = nets.discriminator(real)
    r1_grads = torch.autograd.grad(outputs=[logits.sum()], inputs=[real], create_graph=True)[0]
    loss_r1 = (r1_grads.square().sum([1, 2, 3]) * (1.0 / 2)).mean()
    out["r1_loss"] = loss_r1.detach().reshape([1])
    grads = torch.autograd.grad(loss_r1, [t[k] for k in d_names], allow_unused=True)
    out.update({"grad.r1." + k: gr for k, gr in zip(d_names, grads) if gr is not None})
    return out


def main():
    t = load_file(sys.argv[1])
    nets = Nets(t, t["cfg"].tolist())
    psi, cut = float(t["psi"]), int(t["cut"])
    out = {}
    with torch.no_grad():
        w = nets.mapping(t["z"])
        out["w_avg_after"] = w.mean(dim=0).lerp(t["g.mapping.w_avg"], 0.995)
        ws = nets.broadcast(w, psi)
        ws2 = nets.broadcast(nets.mapping(t["z2"]), psi)
        mixed = ws.clone()
        mixed[:, cut:] = ws2[:, cut:]
        out["ws"], out["ws_mixed"] = ws, mixed
        out["img"] = nets.synthesis(ws)
        out["img_mixed"] = nets.synthesis(mixed)
        out["logits"] = nets.discriminator(t["x"]).flatten()
    out.update(regularisers(nets, t))
    save_file({k: v.contiguous() for k, v in out.items()}, sys.argv[2])


if __name__ == "__main__":
    main()
