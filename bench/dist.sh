#!/usr/bin/env bash
# `make bench-dist`: data-parallel scaling on this machine. For each preset it trains 300
# steps three ways, 1 process x 1 thread, 1 process x 2 threads, 2 processes x 1 thread
# (`gan train --nproc 2`, Gloo over 127.0.0.1), and prints the steps/s (the mean of the
# metrics log's records after the first, which holds the start-up) and the efficiency of
# each against 1 x 1 (speed-up / cores used).
set -euo pipefail
cd "$(dirname "$0")/.."
GAN=${GAN:-target/release/gan}
STEPS=${STEPS:-300}
PRESETS=${PRESETS:-mnist-mlp mnist-dcgan}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
# A failing run prints its log.
trap 'cat "$TMP/log" >&2' ERR
rate() {
  python3 - "$1/metrics.jsonl" <<'PY'
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()][1:]
print(f"{sum(r['steps_per_sec'] for r in rows) / len(rows):.2f}")
PY
}
printf '| preset | 1 x 1 thread | 1 x 2 threads | 2 x 1 thread | efficiency 1x2 | efficiency 2x1 |\n|---|---:|---:|---:|---:|---:|\n'
for p in $PRESETS; do
  common=(train --preset "$p" --steps "$STEPS" --no-progress)
  "$GAN" --threads 1 "${common[@]}" --out "$TMP/$p-1x1" > /dev/null 2> "$TMP/log"
  "$GAN" --threads 2 "${common[@]}" --out "$TMP/$p-1x2" > /dev/null 2> "$TMP/log"
  "$GAN" --threads 1 "${common[@]}" --nproc 2 --out "$TMP/$p-2x1" > /dev/null 2> "$TMP/log"
  a=$(rate "$TMP/$p-1x1"); b=$(rate "$TMP/$p-1x2"); c=$(rate "$TMP/$p-2x1")
  python3 -c "a,b,c=$a,$b,$c; print(f'| $p | {a:.2f} | {b:.2f} | {c:.2f} | {b/a/2:.2f} | {c/a/2:.2f} |')"
done
