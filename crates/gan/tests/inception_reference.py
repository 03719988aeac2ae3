"""Reference values for `inception.rs`, from the pip packages themselves (pytorch-fid 0.3.0,
torch-fidelity 0.4.0, in the project venv):

1. pytorch-fid's `InceptionV3([3])` (its FIDInceptionA/C/E network, built by its own
   `fid_inception_v3`) with seeded random weights in place of the download: every
   convolution Kaiming-normal, BatchNorm scales and shifts random and its running statistics
   set by one forward pass over random images, half of them enlarged (so that activations stay O(1) through the
   network). The state dict is saved as `weights.pth` (torch.save, as pytorch-fid's file),
   and the pool3 features of test images (RGB 64x64, grey 28x28, RGB 299x299) and the 1008
   logits are saved with the images.
2. FID and KID of two sets of features by pytorch-fid's `calculate_frechet_distance` and
   torch-fidelity's `fid_statistics_to_metric` / `kid_features_to_metric`.

Usage: inception_reference.py OUT_DIR network|scores
"""
import json
import sys

import numpy as np
import torch
import torch.nn.functional as F
from safetensors.torch import save_file

import pytorch_fid.inception as pfi
from pytorch_fid.fid_score import calculate_frechet_distance
from torch_fidelity.metric_fid import fid_statistics_to_metric
from torch_fidelity.metric_kid import kid_features_to_metric

out, what = sys.argv[1], sys.argv[2]
torch.manual_seed(0)


def network():
    # The architecture as fid_inception_v3 builds it, to make a state dict to hand it.
    net = pfi._inception_v3(num_classes=1008, aux_logits=False, weights=None)
    net.Mixed_5b = pfi.FIDInceptionA(192, pool_features=32)
    net.Mixed_5c = pfi.FIDInceptionA(256, pool_features=64)
    net.Mixed_5d = pfi.FIDInceptionA(288, pool_features=64)
    net.Mixed_6b = pfi.FIDInceptionC(768, channels_7x7=128)
    net.Mixed_6c = pfi.FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6d = pfi.FIDInceptionC(768, channels_7x7=160)
    net.Mixed_6e = pfi.FIDInceptionC(768, channels_7x7=192)
    net.Mixed_7b = pfi.FIDInceptionE_1(1280)
    net.Mixed_7c = pfi.FIDInceptionE_2(2048)
    for m in net.modules():
        if isinstance(m, torch.nn.Conv2d):
            torch.nn.init.kaiming_normal_(m.weight, nonlinearity="relu")
        elif isinstance(m, torch.nn.BatchNorm2d):
            m.momentum = None
            m.reset_running_stats()
            with torch.no_grad():
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.2)
        elif isinstance(m, torch.nn.Linear):
            torch.nn.init.normal_(m.weight, std=0.02)
            torch.nn.init.normal_(m.bias, std=0.1)
    net.train()
    with torch.no_grad():
        smooth = F.interpolate(torch.rand(4, 3, 48, 48), size=(299, 299), mode="bilinear", align_corners=False)
        net(torch.cat([torch.rand(4, 3, 299, 299), smooth]) * 2 - 1)
    sd = {k: v.clone() for k, v in net.state_dict().items()}
    torch.save(sd, f"{out}/weights.pth")

    # pytorch-fid's own network, loading that state dict where it would load the download.
    pfi.load_state_dict_from_url = lambda *a, **k: sd
    fid_net = pfi.InceptionV3([pfi.InceptionV3.BLOCK_INDEX_BY_DIM[2048]]).eval()

    g = torch.Generator().manual_seed(1)
    images = {
        "rgb64": torch.rand(3, 3, 64, 64, generator=g) * 2 - 1,
        "grey28": torch.rand(2, 1, 28, 28, generator=g) * 2 - 1,
        "rgb299": torch.rand(1, 3, 299, 299, generator=g) * 2 - 1,
    }
    tensors = {}
    with torch.no_grad():
        for name, x in images.items():
            x01 = (x + 1) / 2
            if x01.shape[1] == 1:
                x01 = x01.repeat(1, 3, 1, 1)
            f = fid_net(x01)[0].flatten(1)
            tensors[f"{name}.images"] = x.contiguous()
            tensors[f"{name}.features"] = f.contiguous()
            tensors[f"{name}.logits"] = F.linear(f, sd["fc.weight"], sd["fc.bias"]).contiguous()
    save_file(tensors, f"{out}/reference.safetensors")


def scores():
    # Two feature sets: correlated Gaussians with different means and scales.
    rs = np.random.RandomState(2)
    d, n = 256, 1000
    mix = rs.randn(d, d) / np.sqrt(d)
    a = rs.randn(n, d) @ mix
    b = (rs.randn(n, d) * 1.3 + 0.2) @ mix + 0.1
    stats = lambda x: {"mu": np.mean(x, axis=0), "sigma": np.cov(x, rowvar=False)}
    sa, sb = stats(a), stats(b)
    kid = kid_features_to_metric(
        torch.from_numpy(a), torch.from_numpy(b), kid_subsets=3, kid_subset_size=n, kid_degree=3, kid_gamma=None, kid_coef0=1, rng_seed=0, verbose=False
    )
    values = {
        "pytorch_fid": float(calculate_frechet_distance(sa["mu"], sa["sigma"], sb["mu"], sb["sigma"])),
        "torch_fidelity_fid": float(fid_statistics_to_metric(sa, sb, verbose=False)["frechet_inception_distance"]),
        "torch_fidelity_kid": kid["kernel_inception_distance_mean"],
    }
    save_file({"a": torch.from_numpy(a), "b": torch.from_numpy(b)}, f"{out}/features.safetensors")
    with open(f"{out}/values.json", "w") as f:
        json.dump(values, f)


{"network": network, "scores": scores}[what]()
