#!/usr/bin/env python3
"""Writes a folder of coloured-shape PNGs (discs, squares, triangles on a dark, slightly
noisy background) for smoke-testing image-folder training without a real data set:

    python3 scripts/make-shapes.py OUT_DIR [--n 512] [--size 160x200] [--seed 0]
    gan train --preset faces128-wgan-gp --data OUT_DIR

Standard library only (zlib PNG writer); images are nested in 8 subfolders.
"""
import argparse
import os
import random
import struct
import zlib


def png(path, w, h, rows):
    def chunk(kind, data):
        c = kind + data
        return struct.pack(">I", len(data)) + c + struct.pack(">I", zlib.crc32(c) & 0xFFFFFFFF)

    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n")
        f.write(chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)))
        f.write(chunk(b"IDAT", zlib.compress(raw, 6)))
        f.write(chunk(b"IEND", b""))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("out")
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--size", default="160x200", help="WIDTHxHEIGHT")
    ap.add_argument("--seed", type=int, default=0)
    a = ap.parse_args()
    w, h = map(int, a.size.split("x"))
    rnd = random.Random(a.seed)
    colours = [(220, 50, 50), (50, 200, 80), (60, 90, 230), (235, 200, 50), (200, 80, 210), (60, 210, 220)]
    for i in range(a.n):
        shape = rnd.choice(["disc", "square", "triangle"])
        col = rnd.choice(colours)
        r = rnd.uniform(0.18, 0.32) * min(w, h)
        cx, cy = rnd.uniform(r, w - r), rnd.uniform(r, h - r)
        rows = []
        for y in range(h):
            row = []
            for x in range(w):
                dx, dy = x - cx, y - cy
                if shape == "disc":
                    inside = dx * dx + dy * dy <= r * r
                elif shape == "square":
                    inside = abs(dx) <= r * 0.85 and abs(dy) <= r * 0.85
                else:
                    inside = -r <= dy <= r and abs(dx) <= (dy + r) / 2
                if inside:
                    row += col
                else:
                    v = 20 + rnd.randrange(12)
                    row += (v, v, v + 8)
            rows.append(row)
        sub = os.path.join(a.out, f"part{i % 8}")
        os.makedirs(sub, exist_ok=True)
        png(os.path.join(sub, f"{i:05d}.png"), w, h, rows)
    print(f"wrote {a.n} images of {w}x{h} under {a.out}")


if __name__ == "__main__":
    main()
