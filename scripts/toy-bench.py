#!/usr/bin/env python3
"""`make toy-bench`: trains each 2-D toy preset over several seeds, evaluates 2,500 samples
with `gan eval` (VEEGAN/PacGAN mode metrics, and the k-NN recall that says whether each
mode is as wide as the data's) and prints the means next to the published rows.

Usage: toy-bench.py --gan target/release/gan [--seeds 5] [--out runs/toy-bench] [--jobs 2]
                    [--dists ring8,grid25] [--variants rpgan,ns-r1,ns,minimax,ls,wgan-gp,ns-pack4]
"""
import argparse
import concurrent.futures as cf
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile

# (name, ring modes, ring HQ %, grid modes, grid HQ %): VEEGAN (Srivastava et al. 2017,
# table 1) and PacGAN (Lin et al. 2018, table 2), 2,500 samples, HQ = within 3 std.
PUBLISHED = [
    ("GAN (VEEGAN table)", 1.0, 99.3, 3.3, 0.5),
    ("VEEGAN (VEEGAN table)", 8.0, 52.9, 24.6, 40.0),
    ("GAN (PacGAN table)", 6.3, 98.2, 17.3, 94.8),
    ("PacGAN4 (PacGAN table)", 7.8, 95.9, 24.8, 93.6),
]


def run_one(gan, dist, variant, seed, out):
    run = os.path.join(out, f"{dist}-{variant}-s{seed}")
    if not os.path.isfile(os.path.join(run, "eval.json")):
        shutil.rmtree(run, ignore_errors=True)
        preset, _, pack = variant.partition("-pack")
        cmd = [gan, "--threads", "1", "train", "--no-progress", "--preset", f"{dist}-{preset}", "--seed", str(seed), "--out", run]
        if pack:
            cfg = tempfile.NamedTemporaryFile("w", suffix=".toml", delete=False)
            cfg.write(f"pack = {int(pack)}\n")
            cfg.close()
            cmd += ["--config", cfg.name]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
        subprocess.run([gan, "--threads", "1", "eval", "--run", run], check=True, stdout=subprocess.DEVNULL)
    with open(os.path.join(run, "eval.json")) as f:
        r = json.load(f)
    m = r["modes"]
    return dist, variant, m["covered"], 100.0 * m["high_quality"], r["points"]["recall"]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--gan", required=True)
    ap.add_argument("--seeds", type=int, default=5)
    ap.add_argument("--out", default="runs/toy-bench")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--dists", default="ring8,grid25")
    ap.add_argument("--variants", default="rpgan,ns-r1,ns,minimax,ls,wgan-gp,ns-pack4")
    a = ap.parse_args()
    dists, variants = a.dists.split(","), a.variants.split(",")
    os.makedirs(a.out, exist_ok=True)
    jobs = [(d, v, s) for v in variants for d in dists for s in range(a.seeds)]
    results = {}
    with cf.ThreadPoolExecutor(a.jobs) as pool:
        futures = [pool.submit(run_one, a.gan, d, v, s, a.out) for d, v, s in jobs]
        for i, fut in enumerate(cf.as_completed(futures), 1):
            d, v, covered, hq, recall = fut.result()
            results.setdefault((d, v), []).append((covered, hq, recall))
            print(f"[{i}/{len(jobs)}] {d}-{v}: modes {covered}, HQ {hq:.1f}%, recall {recall:.3f}", file=sys.stderr, flush=True)

    def cell(d, v):
        r = results.get((d, v))
        if not r:
            return "-", "-", "-"
        sd = lambda xs: statistics.pstdev(xs) if len(xs) > 1 else 0.0
        col = lambda i, fmt: f"{fmt.format(statistics.mean(x[i] for x in r))} ± {fmt.format(sd([x[i] for x in r]))}"
        return col(0, "{:.1f}"), col(1, "{:.1f}"), col(2, "{:.2f}")

    print(f"| recipe ({a.seeds} seeds, mean ± std) | ring8 modes (of 8) | ring8 HQ % | ring8 recall | grid25 modes (of 25) | grid25 HQ % | grid25 recall |")
    print("|---|---|---|---|---|---|---|")
    for v in variants:
        r, g = cell("ring8", v), cell("grid25", v)
        print(f"| gan `{{dist}}-{v}` | {r[0]} | {r[1]} | {r[2]} | {g[0]} | {g[1]} | {g[2]} |")
    for name, rm, rh, gm, gh in PUBLISHED:
        print(f"| {name}, published | {rm} | {rh} | - | {gm} | {gh} | - |")


if __name__ == "__main__":
    main()
