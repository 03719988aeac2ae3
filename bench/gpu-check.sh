#!/usr/bin/env bash
# The GPU measurements of issue 18, in one script for a machine with an NVIDIA GPU, PyTorch
# (CUDA build) in `python3`, this working tree and a `gan` binary built elsewhere and carried
# over (the GPU machines have no Rust). It runs, within about ten minutes on an H100/H200:
#
#   1. every bench model on CUDA: gan in f32, gan in bf16, gan channels-last (conv models),
#      and the PyTorch reference in both styles, in f32 and bf16, alternating, 3 rounds;
#   2. `gan bench --sweep` on CUDA (images/s and GFLOP/s against a 2048^3 matmul), with plot;
#   3. the mnist-cgan preset for 2,000 steps in f32 and in bf16, each evaluated (FID etc.).
#
# Everything lands in $OUT (default gpu-check-out/): gpu-check.md (the tables for
# BENCHMARKS.md and RESULTS.md), the raw JSON lines, the logs and the sweep plot.
#
# Usage:   GAN=path/to/gan OUT=dir bench/gpu-check.sh
# CUDA graphs are not measured: the shim has no `at::cuda::CUDAGraph` (see BENCHMARKS.md).
set -euo pipefail
cd "$(dirname "$0")/.."
GAN=${GAN:-target/release/gan}
OUT=${OUT:-gpu-check-out}
ROUNDS=${ROUNDS:-3}
STEPS=${STEPS:-300}
PY=${PYTHON:-python3}
mkdir -p "$OUT"
TORCH_LIB=$("$PY" -c 'import os, torch; print(os.path.join(os.path.dirname(torch.__file__), "lib"))')
export LD_LIBRARY_PATH="$TORCH_LIB:${LD_LIBRARY_PATH:-}"
# The binary loads libtorch_cuda.so from beside the libtorch it runs on (gan_shim::load_torch_cuda),
# so no LD_PRELOAD: this checks that it does.
"$PY" -c 'import torch; assert torch.cuda.is_available(), "PyTorch sees no CUDA GPU"; print("torch", torch.__version__, torch.cuda.get_device_name(0))' | tee "$OUT/device.txt"
# The binary must see the GPU too (it loads the machine's libtorch_cuda through LD_LIBRARY_PATH).
"$GAN" bench --model mlp --device cuda --steps 5 --warmup 1 | tee -a "$OUT/device.txt"

RAW="$OUT/bench.jsonl"
: > "$RAW"
for model in mlp dcgan wgan-gp-mlp wgan-gp-conv; do
  for round in $(seq "$ROUNDS"); do
    for precision in f32 bf16; do
      "$GAN" bench --model "$model" --device cuda --steps "$STEPS" --precision "$precision" --json | sed "s/^{/{\"variant\": \"gan\", \"round\": $round, /" >> "$RAW"
      for style in tutorial tuned; do
        "$PY" bench/reference.py --model "$model" --style "$style" --device cuda --steps "$STEPS" --precision "$precision" \
          | tail -1 | sed "s/^{/{\"variant\": \"pytorch-$style\", \"round\": $round, /" >> "$RAW"
      done
    done
    case "$model" in dcgan|wgan-gp-conv)
      "$GAN" --memory-format channels-last bench --model "$model" --device cuda --steps "$STEPS" --json \
        | sed "s/^{/{\"variant\": \"gan-channels-last\", \"round\": $round, \"precision\": \"f32\", /" >> "$RAW" ;;
    esac
  done
done

"$GAN" bench --sweep --device cuda --sweep-secs 1 --plot "$OUT/sweep-cuda.png" | tee "$OUT/sweep-cuda.md"
"$GAN" bench --sweep --device cuda --sweep-secs 1 --precision bf16 --plot "$OUT/sweep-cuda-bf16.png" | tee "$OUT/sweep-cuda-bf16.md"

for precision in f32 bf16; do
  run="$OUT/cgan-$precision"
  rm -rf "$run"
  start=$(date +%s)
  "$GAN" train --preset mnist-cgan --steps 2000 --seed 0 --device cuda --precision "$precision" --out "$run" --no-progress > "$run.log" 2>&1
  echo "train wall $(( $(date +%s) - start )) s" >> "$run.log"
  "$GAN" eval --run "$run" --seed 0 --device cuda > "$run.eval" 2>&1
done

"$PY" - "$OUT" <<'PY'
import json, statistics, sys, os
out = sys.argv[1]
rows = [json.loads(l) for l in open(os.path.join(out, "bench.jsonl")) if l.strip()]
def med(model, variant, precision):
    v = [r["steps_per_sec"] for r in rows if r["model"] == model and r["variant"] == variant and r.get("precision", "f32") == precision]
    return statistics.median(v) if v else float("nan")
lines = ["| model | precision | gan | gan channels-last | tutorial | tuned | vs tutorial | vs tuned |", "|---|---|---:|---:|---:|---:|---:|---:|"]
for model in ["mlp", "dcgan", "wgan-gp-mlp", "wgan-gp-conv"]:
    for p in ["f32", "bf16"]:
        g, cl, tu, tn = med(model, "gan", p), med(model, "gan-channels-last", p), med(model, "pytorch-tutorial", p), med(model, "pytorch-tuned", p)
        lines.append(f"| {model} | {p} | {g:.1f} | {cl:.1f} | {tu:.1f} | {tn:.1f} | {g / tu:.2f} | {g / tn:.2f} |")
text = "## Bench on CUDA (median steps/s of alternating rounds, batch 64)\n\n" + "\n".join(lines) + "\n"
for p in ["f32", "bf16"]:
    text += f"\n## mnist-cgan, 2,000 steps, {p}\n\n```\n" + open(os.path.join(out, f"cgan-{p}.eval")).read() + open(os.path.join(out, f"cgan-{p}.log")).read()[-300:] + "```\n"
open(os.path.join(out, "gpu-check.md"), "w").write(text)
print(text)
PY
