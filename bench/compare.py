"""`make bench`: the Rust training step (`gan bench`) against the PyTorch reference
(`reference.py`), run alternately on the same machine with the same thread count.

Prints each run, then the median steps/s of both and their ratio (gan / PyTorch).
"""
import argparse
import json
import os
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))


def run(cmd):
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gan", default=os.path.join(HERE, "..", "target", "release", "gan"))
    ap.add_argument("--models", default="mlp,dcgan,wgan-gp-mlp,wgan-gp-conv")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--device", default="cpu")
    a = ap.parse_args()
    common = ["--steps", str(a.steps), "--device", a.device]
    rows = []
    for model in a.models.split(","):
        rust, torch_ = [], []
        for r in range(a.rounds):
            ours = run([a.gan, "--threads", str(a.threads), "bench", "--model", model, "--json"] + common)
            ref = run([sys.executable, os.path.join(HERE, "reference.py"), "--model", model,
                       "--threads", str(a.threads)] + common)
            rust.append(ours["steps_per_sec"])
            torch_.append(ref["steps_per_sec"])
            print(f"{model} round {r + 1}: gan {rust[-1]:.2f}  pytorch {torch_[-1]:.2f} steps/s", flush=True)
        rows.append((model, statistics.median(rust), statistics.median(torch_)))
    print()
    print(f"{'model':13} {'gan':>10} {'pytorch':>10} {'ratio':>7}   (median steps/s, batch 64, {a.threads} threads, {a.device})")
    for model, ours, ref in rows:
        print(f"{model:13} {ours:10.2f} {ref:10.2f} {ours / ref:7.2f}")


if __name__ == "__main__":
    main()
