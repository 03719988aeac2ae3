"""`make bench`: the Rust training step (`gan bench`) against the PyTorch reference
(`reference.py`) in both its styles (tutorial and tuned), run alternately on the same machine
with the same thread count.

Prints each run, then the median steps/s of the three and the two ratios (gan / PyTorch).
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
    ap.add_argument("--models", default="mlp,dcgan,wgan-gp-mlp,wgan-gp-conv,pix2pix,cyclegan,stylegan2,progan")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--precision", default="f32", choices=["f32", "bf16"])
    a = ap.parse_args()
    common = ["--steps", str(a.steps), "--device", a.device, "--precision", a.precision]
    rows = []
    for model in a.models.split(","):
        rust, tutorial, tuned = [], [], []
        for r in range(a.rounds):
            ours = run([a.gan, "--threads", str(a.threads), "bench", "--model", model, "--json"] + common)
            batch = ["--batch-size", str(ours["batch_size"])]
            ref = [run([sys.executable, os.path.join(HERE, "reference.py"), "--model", model, "--style", style,
                        "--threads", str(a.threads)] + common + batch)["steps_per_sec"] for style in ("tutorial", "tuned")]
            rust.append(ours["steps_per_sec"])
            tutorial.append(ref[0])
            tuned.append(ref[1])
            print(f"{model} round {r + 1}: gan {rust[-1]:.2f}  pytorch tutorial {ref[0]:.2f}  tuned {ref[1]:.2f} steps/s", flush=True)
        rows.append((model, ours["batch_size"], statistics.median(rust), statistics.median(tutorial), statistics.median(tuned)))
    print()
    print(f"{'model':13} {'batch':>5} {'gan':>8} {'tutorial':>9} {'tuned':>8} {'vs tutorial':>12} {'vs tuned':>9}"
          f"   (median steps/s, {a.threads} threads, {a.device}, {a.precision})")
    for model, batch, ours, tut, tun in rows:
        print(f"{model:13} {batch:5} {ours:8.2f} {tut:9.2f} {tun:8.2f} {ours / tut:12.2f} {ours / tun:9.2f}")


if __name__ == "__main__":
    main()
