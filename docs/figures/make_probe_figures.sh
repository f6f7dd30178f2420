#!/usr/bin/env bash
# docs/figures/make_probe_figures.sh — regenerates the probe figures of docs/09-probes.md from a real train-and-explain run.
# Not a test: it trains two models on MNIST (about a minute) and copies four of its PNGs here; the numbers go to stdout.
# Usage: docs/figures/make_probe_figures.sh [BUILD_DIR]   (default: build; needs data/mnist from ./setup)
set -euo pipefail
cd "$(dirname "$0")/../.."
build=${1:-build}
[ -f "$build/build.ninja" ] || meson setup "$build" >/dev/null
meson compile -C "$build" train-and-explain >/dev/null
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
echo "# $(date -u '+%Y-%m-%d %H:%M UTC'), $(nproc) CPUs, load average $(cut -d' ' -f1-3 /proc/loadavg)"
"$build/examples/train-and-explain" --out "$out" | grep -v '^epoch'
for f in rotation_before_after rotation ink_mass class; do
  cp "$out/probes/$f.png" "docs/figures/probe_$f.png.tmp" && mv "docs/figures/probe_$f.png.tmp" "docs/figures/probe_$f.png"
done
for f in rotation rotation_augmented; do echo "== $f.csv"; cat "$out/probes/$f.csv"; done
