#!/usr/bin/env bash
# The kill soak: a tiny training run SIGKILLed KILLS times at seeded random moments, resumed
# after each, must finish equal bit for bit to an uninterrupted run (CPU). `make test` runs
# the same test with 3 kills.
#   scripts/kill-soak.sh [KILLS=20] [SEED=1]
set -euo pipefail
cd "$(dirname "$0")/.."
GAN_SOAK_KILLS=${1:-20} GAN_SOAK_SEED=${2:-1} cargo nextest run --release -p gan-cli --test kill_soak --no-capture
