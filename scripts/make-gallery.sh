#!/usr/bin/env bash
# Trains one run per family and copies each run's last sample grid into docs/gallery/, with
# the command that made it (docs/gallery/commands.txt; the README prints each under its
# picture). Usage: scripts/make-gallery.sh [GAN] [RUNS]   (defaults: target/release/gan, runs/gallery)
# The Fashion-MNIST run needs ../shared/data/fashion-mnist or FASHION=DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
GAN=${1:-target/release/gan}
RUNS=${2:-runs/gallery}
FASHION=${FASHION:-../shared/data/fashion-mnist}
mkdir -p "$RUNS" docs/gallery
shift $(( $# < 2 ? $# : 2 ))
WANT=" ${*:-toy vae cgan pix2pix cyclegan rpgan} "
touch docs/gallery/commands.txt
shoot() {
  local name=$1; shift
  [[ $WANT == *" $name "* ]] || return 0
  rm -rf "$RUNS/$name"
  local start=$(date +%s)
  "$GAN" --threads 1 train "$@" --seed 0 --out "$RUNS/$name" --no-progress > "$RUNS/$name.log" 2>&1
  local grid
  grid=$(ls "$RUNS/$name"/samples/step-*.png | sort | tail -1)
  cp "$grid" "docs/gallery/$name.png"
  grep -v "^$name	" docs/gallery/commands.txt > docs/gallery/commands.tmp || true
  echo "$name	gan train $*	$(( $(date +%s) - start )) s on 1 thread, $(basename "$grid" .png)" >> docs/gallery/commands.tmp
  mv docs/gallery/commands.tmp docs/gallery/commands.txt
}
shoot toy --preset ring8-ns-r1
shoot vae --preset mnist-vae --steps 3000
shoot cgan --preset mnist-cgan --steps 3000
shoot pix2pix --preset edges2fashion-pix2pix --data "$FASHION" --steps 1500
shoot cyclegan --preset mnist-thick-cyclegan --steps 1500
shoot rpgan --preset mnist-rpgan
