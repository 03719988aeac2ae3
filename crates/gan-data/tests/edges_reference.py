"""CartoonGAN's edge promoting as the training reference does it (edge_promoting.py of
znxlwm/pytorch-CartoonGAN, restated): OpenCV's Canny (100, 200) on the grey image, a 5x5
dilation, and each dilated edge pixel replaced by the 5x5 Gaussian (getGaussianKernel(5, 0))
average of the reflect-padded image, assigned into uint8 (truncation).

Usage: edges_reference.py IN OUT N H W. IN holds N planar RGB images (N x 3 x H x W bytes);
OUT gets N canny maps (N x H x W bytes, 0 or 255) followed by the N smoothed images.
"""
import sys

import cv2
import numpy as np


def main():
    src, dst, n, h, w = sys.argv[1], sys.argv[2], *map(int, sys.argv[3:6])
    images = np.fromfile(src, dtype=np.uint8).reshape(n, 3, h, w)
    k = 5
    gauss = cv2.getGaussianKernel(k, 0)
    gauss = gauss * gauss.T
    maps, smoothed = [], []
    for planar in images:
        rgb = np.ascontiguousarray(planar.transpose(1, 2, 0))
        grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
        edges = cv2.Canny(grey, 100, 200)
        dilated = cv2.dilate(edges, np.ones((k, k), np.uint8))
        padded = np.pad(rgb, ((2, 2), (2, 2), (0, 0)), mode="reflect")
        out = rgb.copy()
        for y, x in zip(*np.where(dilated != 0)):
            for c in range(3):
                out[y, x, c] = np.sum(padded[y:y + k, x:x + k, c] * gauss)
        maps.append(edges)
        smoothed.append(out.transpose(2, 0, 1))
    with open(dst, "wb") as f:
        f.write(np.stack(maps).astype(np.uint8).tobytes())
        f.write(np.stack(smoothed).astype(np.uint8).tobytes())


if __name__ == "__main__":
    main()
