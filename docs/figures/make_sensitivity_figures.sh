#!/usr/bin/env bash
# docs/figures/make_sensitivity_figures.sh — regenerates the ch07-*.png figures of docs/07-sensitivity-maps.md from a real run.
# Not a test: it trains the default 784-256-10 model on MNIST (about 30 s) and copies four of its PNGs here.
# Usage: docs/figures/make_sensitivity_figures.sh [BUILD_DIR]   (default: build; needs data/mnist from ./setup)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson compile -C "$build" train-and-explain >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/examples/train-and-explain" --out "$out" --no-probes --seed 1 --threads 2 | grep -v '^epoch'
for f in digit_0 digit_4 digit_7 digit_5 class_means confusable_pairs; do
  cp "$out/sensitivity/$f.png" "docs/figures/ch07-$f.png.tmp" && mv "docs/figures/ch07-$f.png.tmp" "docs/figures/ch07-$f.png"
done
