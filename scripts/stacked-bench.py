#!/usr/bin/env python3
"""`make stacked-bench`: trains the Stacked MNIST presets over several seeds, counts the
modes of 26,000 samples with `gan eval` (the MNIST classifier on each channel) and prints
the results next to the published rows.

Usage: stacked-bench.py --gan target/release/gan [--seeds 3] [--out runs/stacked-bench]
                        [--jobs 2] [--presets stacked-rpgan,stacked-pacgan2,stacked-dcgan]
                        [--threads 1]
Runs already evaluated in --out are reused, so an interrupted bench continues.
"""
import argparse
import concurrent.futures as cf
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

# (name, modes of 1,000, KL(modes || uniform)): VEEGAN (Srivastava et al. 2017, table 2),
# PacGAN (Lin et al. 2018, table 2, the VEEGAN architecture), R3GAN (Huang et al. 2024,
# table 2); each on 26,000 samples.
PUBLISHED = [
    ("DCGAN (VEEGAN table)", "99", "3.40"),
    ("Unrolled GAN (VEEGAN table)", "48.7", "4.32"),
    ("VEEGAN (VEEGAN table)", "150", "2.95"),
    ("PacDCGAN2 (PacGAN table)", "1000.0", "0.06"),
    ("RpGAN + R1 + R2 (R3GAN table)", "1000", "0.078"),
]


def run_one(gan, preset, seed, out, threads):
    run = os.path.join(out, f"{preset}-s{seed}")
    started = time.time()
    if not os.path.isfile(os.path.join(run, "eval.json")):
        shutil.rmtree(run, ignore_errors=True)
        cmd = [gan, "--threads", str(threads), "train", "--no-progress", "--preset", preset, "--seed", str(seed), "--out", run]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([gan, "--threads", str(threads), "eval", "--run", run], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(run, "eval.json")) as f:
        r = json.load(f)
    s = r["stacked"]
    return preset, seed, s["covered"], s["kl_uniform"], (s["real_covered"], s["real_kl_uniform"]), r["weights"], time.time() - started


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gan", required=True)
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--out", default="runs/stacked-bench")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--presets", default="stacked-rpgan,stacked-pacgan2,stacked-dcgan")
    a = ap.parse_args()
    presets = a.presets.split(",")
    os.makedirs(a.out, exist_ok=True)
    jobs = [(p, s) for p in presets for s in range(a.seeds)]
    results, real = {}, None
    with cf.ThreadPoolExecutor(a.jobs) as pool:
        futures = [pool.submit(run_one, a.gan, p, s, a.out, a.threads) for p, s in jobs]
        for i, fut in enumerate(cf.as_completed(futures), 1):
            p, s, covered, kl, real, weights, secs = fut.result()
            results.setdefault(p, []).append((s, covered, kl, weights))
            print(f"[{i}/{len(jobs)}] {p} seed {s}: {covered} modes, KL {kl:.4f} ({weights} weights, {secs / 60:.1f} min)", file=sys.stderr, flush=True)

    def stats(xs, fmt):
        sd = statistics.pstdev(xs) if len(xs) > 1 else 0.0
        return f"{fmt.format(statistics.mean(xs))} ± {fmt.format(sd)}"

    print(f"| model ({a.seeds} seeds, mean ± std; per seed) | modes (of 1,000) | KL(modes \\|\\| uniform) |")
    print("|---|---|---|")
    for p in presets:
        r = sorted(results.get(p, []))
        if not r:
            continue
        per_seed = ", ".join(f"{c}/{kl:.3f}" for _, c, kl, _ in r)
        print(f"| gan `{p}` ({per_seed}) | {stats([x[1] for x in r], '{:.1f}')} | {stats([x[2] for x in r], '{:.3f}')} |")
    if real:
        print(f"| real stacked images (same classifier) | {real[0]} | {real[1]:.3f} |")
    for name, modes, kl in PUBLISHED:
        print(f"| {name}, published | {modes} | {kl} |")


if __name__ == "__main__":
    main()
