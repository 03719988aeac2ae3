"""Pretrained-generator files written the way the two repositories write them, with seeded
random weights, and the images their generators draw, for the import test.

- NVlabs/stylegan2-ada-pytorch: `pickle.dump` of a dict with `G`, `D`, `G_ema`,
  `augment_pipe` and `training_set_kwargs` (a `dnnlib.util.EasyDict`), where each network is
  a module of a `torch_utils.persistence` class whose `__reduce__` hands
  `_reconstruct_persistent_obj` a meta dict (`type`, `version`, `module_src`, `class_name`,
  `state` = the module's `__dict__`), as persistence.py's `Decorator.__reduce__` does.
  Images from the restated networks of stylegan2_reference.py.
- rosinality/stylegan2-pytorch: `torch.save` of `{'g', 'd', 'g_ema', 'latent_avg',
  'args'}`, `g_ema` a state dict under model.py's names; images from model.py's Generator
  restated below (EqualLinear, ModulatedConv2d with its transposed convolution and Blur,
  NoiseInjection, FusedLeakyReLU, ToRGB with Upsample, truncation toward latent_avg).
- A malicious pickle whose `__reduce__` calls `os.system`.

Usage: stylegan2_export.py OUT_DIR. Writes nvlabs.pkl, rosinality.pt, evil.pkl and
expected.safetensors (z, nvlabs, nvlabs_psi, rosinality, rosinality_psi at psi 0.7).
"""
import argparse
import math
import os
import pickle
import sys
import types
from collections import OrderedDict

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from stylegan2_reference import Nets, setup_filter, upfirdn2d  # noqa: E402

Z, W, LAYERS, BASE, CMAX, IMG_C, LOG2, CLAMP = 16, 24, 3, 256, 32, 3, 5, 256.0
PSI = 0.7


def ch(res):
    return min(BASE // res, CMAX)


def rand(*shape, scale=1.0):
    return torch.randn(list(shape)) * scale


def nvlabs_weights():
    t = OrderedDict()
    for i in range(LAYERS):
        t[f"mapping.fc{i}.weight"] = rand(W, Z if i == 0 else W) / 0.01
        t[f"mapping.fc{i}.bias"] = rand(W, scale=0.1)
    t["mapping.w_avg"] = rand(W, scale=0.5)

    def layer(p, cin, cout, res, up):
        t[p + ".affine.weight"], t[p + ".affine.bias"] = rand(cin, W), 1 + rand(cin, scale=0.1)
        t[p + ".weight"] = rand(cout, cin, 3, 3)
        t[p + ".noise_strength"], t[p + ".bias"] = rand(scale=0.3), rand(cout, scale=0.1)
        t[p + ".noise_const"] = rand(res, res)
        if up:
            t[p + ".resample_filter"] = setup_filter()

    def torgb(p, cin):
        t[p + ".affine.weight"], t[p + ".affine.bias"] = rand(cin, W), 1 + rand(cin, scale=0.1)
        t[p + ".weight"], t[p + ".bias"] = rand(IMG_C, cin, 1, 1), rand(IMG_C, scale=0.1)

    for r in range(2, LOG2 + 1):
        res, p = 2 ** r, f"synthesis.b{2 ** r}"
        if res == 4:
            t[p + ".const"] = rand(ch(4), 4, 4)
        else:
            layer(p + ".conv0", ch(res // 2), ch(res), res, True)
            t[p + ".resample_filter"] = setup_filter()
        layer(p + ".conv1", ch(res), ch(res), res, False)
        torgb(p + ".torgb", ch(res))
    return t


def nvlabs_images(t, z, psi):
    nets = Nets({"g." + k: v for k, v in t.items()}, [Z, W, LAYERS, BASE, CMAX, IMG_C, LOG2, 4, 1, CLAMP])
    return nets.synthesis(nets.broadcast(nets.mapping(z), psi))


def _reconstruct_persistent_obj(meta):  # only named by the pickle, never called here
    raise RuntimeError("the importer must not need this")


def install_modules():
    """torch_utils.persistence and dnnlib.util as importable modules, so that pickle can
    name their globals."""
    pkg, persistence = types.ModuleType("torch_utils"), types.ModuleType("torch_utils.persistence")
    _reconstruct_persistent_obj.__module__ = "torch_utils.persistence"
    persistence._reconstruct_persistent_obj = _reconstruct_persistent_obj
    pkg.persistence = persistence
    dnnlib, util = types.ModuleType("dnnlib"), types.ModuleType("dnnlib.util")

    class EasyDict(dict):
        pass

    EasyDict.__module__, EasyDict.__qualname__ = "dnnlib.util", "EasyDict"
    util.EasyDict, dnnlib.util = EasyDict, util
    sys.modules.update({"torch_utils": pkg, "torch_utils.persistence": persistence, "dnnlib": dnnlib, "dnnlib.util": util})
    return EasyDict


class Persistent(torch.nn.Module):
    """A module of a persistent class: pickled as its class's source and its __dict__."""

    def __init__(self, class_name, **init_kwargs):
        super().__init__()
        self._orig_class_name = class_name
        self._init_args, self._init_kwargs = (), init_kwargs

    def __reduce__(self):
        meta = dict(type="class", version=6, module_src="class Generator: ...  # never run", class_name=self._orig_class_name, state=dict(self.__dict__))
        return (_reconstruct_persistent_obj, (meta,), None)


BUFFERS = ("w_avg", "noise_const", "resample_filter")


def module_tree(flat, root):
    for name, value in flat.items():
        *path, leaf = name.split(".")
        m = root
        for part in path:
            if part not in m._modules:
                m.add_module(part, Persistent(part.capitalize()))
            m = m._modules[part]
        if leaf in BUFFERS:
            m.register_buffer(leaf, value.clone())
        else:
            m.register_parameter(leaf, torch.nn.Parameter(value.clone()))
    return root


def write_nvlabs(path, t):
    EasyDict = install_modules()
    kwargs = dict(z_dim=Z, c_dim=0, w_dim=W, img_resolution=2 ** LOG2, img_channels=IMG_C,
                  mapping_kwargs=dict(num_layers=LAYERS), synthesis_kwargs=dict(channel_base=BASE, channel_max=CMAX, num_fp16_res=0, conv_clamp=int(CLAMP)))
    g_ema = module_tree(t, Persistent("Generator", **kwargs))
    g = module_tree({k: v + 1 for k, v in t.items()}, Persistent("Generator", **kwargs))
    d = module_tree({"b32.fromrgb.weight": rand(8, IMG_C, 1, 1)}, Persistent("Discriminator"))
    data = dict(G=g, D=d, G_ema=g_ema, augment_pipe=None, training_set_kwargs=EasyDict(path="emoji.zip", resolution=32))
    with open(path, "wb") as f:
        pickle.dump(data, f)


def rosinality_weights(t):
    """model.py's names and layouts for the same sizes (fresh random weights)."""
    r = OrderedDict()
    for i in range(LAYERS):
        r[f"style.{i + 1}.weight"], r[f"style.{i + 1}.bias"] = rand(W, Z if i == 0 else W) / 0.01, rand(W, scale=0.1)
    r["input.input"] = rand(1, ch(4), 4, 4)
    kernel = setup_filter()

    def styled(p, cin, cout, up):
        r[p + ".conv.weight"] = rand(1, cout, cin, 3, 3)
        r[p + ".conv.modulation.weight"], r[p + ".conv.modulation.bias"] = rand(cin, W), 1 + rand(cin, scale=0.1)
        if up:
            r[p + ".conv.blur.kernel"] = kernel * 4
        r[p + ".noise.weight"], r[p + ".activate.bias"] = rand(1, scale=0.3), rand(cout, scale=0.1)

    def to_rgb(p, cin, up):
        if up:
            r[p + ".upsample.kernel"] = kernel * 4
        r[p + ".conv.weight"] = rand(1, IMG_C, cin, 1, 1)
        r[p + ".conv.modulation.weight"], r[p + ".conv.modulation.bias"] = rand(cin, W), 1 + rand(cin, scale=0.1)
        r[p + ".bias"] = rand(1, IMG_C, 1, 1, scale=0.1)

    styled("conv1", ch(4), ch(4), False)
    to_rgb("to_rgb1", ch(4), False)
    for k in range(LOG2 - 2):
        res = 8 << k
        styled(f"convs.{2 * k}", ch(res // 2), ch(res), True)
        styled(f"convs.{2 * k + 1}", ch(res), ch(res), False)
        to_rgb(f"to_rgbs.{k}", ch(res), True)
    for n in range(2 * (LOG2 - 2) + 1):
        side = 2 ** ((n + 5) // 2)
        r[f"noises.noise_{n}"] = rand(1, 1, side, side)
    return r


def rosinality_images(r, latent_avg, z, psi):
    def linear(x, p, lr_mul=1.0, act=False):
        w, b = r[p + ".weight"], r[p + ".bias"] * lr_mul
        out = F.linear(x, w * (lr_mul / math.sqrt(w.shape[1])))
        return F.leaky_relu(out + b, 0.2) * math.sqrt(2) if act else out + b

    def modconv(x, style, p, demodulate=True, up=False):
        weight = r[p + ".conv.weight"]
        _, o, i, k, _ = weight.shape
        b = x.shape[0]
        s = linear(style, p + ".conv.modulation")
        weight = (1 / math.sqrt(i * k * k)) * weight * s.view(b, 1, i, 1, 1)
        if demodulate:
            weight = weight * torch.rsqrt(weight.pow(2).sum([2, 3, 4]) + 1e-8).view(b, o, 1, 1, 1)
        x = x.reshape(1, b * i, *x.shape[2:])
        if up:
            weight = weight.transpose(1, 2).reshape(b * i, o, k, k)
            out = F.conv_transpose2d(x, weight, padding=0, stride=2, groups=b)
            out = out.view(b, o, *out.shape[2:])
            return upfirdn2d(out, setup_filter(), padding=(1, 1, 1, 1), gain=4)
        out = F.conv2d(x, weight.reshape(b * o, i, k, k), padding=k // 2, groups=b)
        return out.view(b, o, *out.shape[2:])

    def styled(x, p, style, noise, up=False):
        out = modconv(x, style, p, up=up) + r[p + ".noise.weight"] * noise
        return F.leaky_relu(out + r[p + ".activate.bias"].view(1, -1, 1, 1), 0.2) * math.sqrt(2)

    def to_rgb(x, p, style, skip):
        out = modconv(x, style, p, demodulate=False) + r[p + ".bias"]
        return out if skip is None else out + upfirdn2d(skip, setup_filter(), up=2, padding=(2, 1, 2, 1), gain=4)

    x = z * torch.rsqrt(z.pow(2).mean(dim=1, keepdim=True) + 1e-8)
    for i in range(LAYERS):
        x = linear(x, f"style.{i + 1}", lr_mul=0.01, act=True)
    latent = (latent_avg + psi * (x - latent_avg)).unsqueeze(1).repeat(1, 2 * LOG2 - 2, 1)
    noise = [r[f"noises.noise_{n}"] for n in range(2 * (LOG2 - 2) + 1)]
    out = styled(r["input.input"].repeat(z.shape[0], 1, 1, 1), "conv1", latent[:, 0], noise[0])
    skip, i = to_rgb(out, "to_rgb1", latent[:, 1], None), 1
    for k in range(LOG2 - 2):
        out = styled(out, f"convs.{2 * k}", latent[:, i], noise[2 * k + 1], up=True)
        out = styled(out, f"convs.{2 * k + 1}", latent[:, i + 1], noise[2 * k + 2])
        skip, i = to_rgb(out, f"to_rgbs.{k}", latent[:, i + 2], skip), i + 2
    return skip


class Evil:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, (f"touch {self.marker}",))


def main():
    out_dir = sys.argv[1]
    torch.manual_seed(0)
    z = torch.randn(6, Z)
    t = nvlabs_weights()
    write_nvlabs(os.path.join(out_dir, "nvlabs.pkl"), t)
    r = rosinality_weights(t)
    latent_avg = rand(W, scale=0.5)
    extra = OrderedDict(r)
    extra["extra.thing"] = torch.zeros(2)
    torch.save({"g": OrderedDict((k, v + 1) for k, v in r.items()), "d": {"convs.0.0.weight": rand(8, 3, 1, 1)}, "g_ema": extra,
                "latent_avg": latent_avg, "args": argparse.Namespace(size=32, channel_multiplier=1)}, os.path.join(out_dir, "rosinality.pt"))
    with open(os.path.join(out_dir, "evil.pkl"), "wb") as f:
        pickle.dump(Evil(os.path.join(out_dir, "pwned")), f)
    with torch.no_grad():
        images = {"z": z, "nvlabs": nvlabs_images(t, z, 1.0), "nvlabs_psi": nvlabs_images(t, z, PSI),
                  "rosinality": rosinality_images(r, latent_avg, z, 1.0), "rosinality_psi": rosinality_images(r, latent_avg, z, PSI)}
    save_file({k: v.contiguous() for k, v in images.items()}, os.path.join(out_dir, "expected.safetensors"))


if __name__ == "__main__":
    main()
