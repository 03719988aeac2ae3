"""torchvision's VGG19 with seeded random weights (ImageNet's cannot be downloaded here), as
CartoonGAN's training reference uses it for its content loss (znxlwm/pytorch-CartoonGAN,
`networks.py`: `features` layers 0-25, conv4_4 before its ReLU, on `(x + 1) / 2`).

`python bench/vgg19_reference.py OUT.safetensors` writes the state dict's `features` (with
one classifier tensor, as a converted `vgg19-dcbb9e9d.pth` holds more than the loader reads), `input` (images in [-1, 1]) and `output` (conv4_4's
maps); crates/gan/tests/cartoon_nets.rs loads the file with `Vgg19::load` and compares.
"""
import sys

import torch
import torchvision
from safetensors.torch import save_file


def main(out):
    torch.manual_seed(0)
    vgg = torchvision.models.vgg19(weights=None).eval()
    x = torch.rand(2, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        y = vgg.features[:26]((x + 1) / 2)
    # The convolutions and, standing for the rest of a converted file, the last layer's bias
    # (the whole classifier would add 500 MB).
    tensors = {k: v.contiguous() for k, v in vgg.state_dict().items() if k.startswith("features.") or k == "classifier.6.bias"}
    tensors.update({"input": x, "output": y})
    save_file(tensors, out)


if __name__ == "__main__":
    main(sys.argv[1])
