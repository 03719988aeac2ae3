#!/usr/bin/env bash
# Installs libtorch for the build: the PyPI wheel torch==2.11.0 (its CUDA build, which also
# runs on CPU) with numpy and safetensors, into a project-local virtual environment, with
# the references the tests compare against: TensorBoard's event reader, and pytorch-fid and
# torch-fidelity (with the torchvision of torch 2.11.0) for the Inception features and FID/KID,
# and OpenCV for CartoonGAN's edge promoting.
# Does nothing when the environment is already complete. Usage: setup-libtorch.sh [VENV]
set -euo pipefail
venv=${1:-.venv}
check='import torch, numpy, safetensors, tensorboard, pytorch_fid, torch_fidelity, cv2; assert torch.__version__.split("+")[0] == "2.11.0", torch.__version__'
if [ -x "$venv/bin/python" ] && "$venv/bin/python" -c "$check" 2>/dev/null; then
  exit 0
fi
echo "Installing libtorch (PyPI torch==2.11.0, about 4.7 GB) into $venv ..." >&2
python3 -m venv "$venv"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check \
  torch==2.11.0 numpy==2.4.6 safetensors==0.8.0 tensorboard==2.21.0 protobuf==7.36.2 \
  torchvision==0.26.0 pytorch-fid==0.3.0 torch-fidelity==0.4.0 scipy==1.17.1 tqdm==4.70.1 \
  opencv-python-headless==5.1.0.95
"$venv/bin/python" -c "$check"
echo "libtorch ready in $venv" >&2
