#!/usr/bin/env bash
# docs/results.md's unstructured comparison: VPNs and its six baselines on the committed dense
# ResNet-20 / Fashion-MNIST network at sparsity 0.9 and 0.5, one seed, one recipe
# (results/vpns-resnet20-fmnist/PLAN.md). Cells run in PLAN.md's priority order; a finished cell's
# summary, report and density plot go into results/vpns-resnet20-fmnist/ and are committed at once,
# so the grid survives a stop. Run it again to continue: finished cells are skipped and a cell cut
# off mid-run resumes from its last finished stage or epoch (its run folder under runs/).
# Usage: scripts/vpns-results.sh [--no-commit]
set -euo pipefail
cd "$(dirname "$0")/.."
commit=1
[ "${1:-}" = "--no-commit" ] && commit=0
dense=results/dense/resnet20-fmnist-seed0.safetensors
store=results/vpns-resnet20-fmnist
work=runs/vpns-results
# A private build, so that work on the tree while the grid runs cannot change the program mid-grid.
dotnet build src/Cli -c Release -v q -nologo -o "$work/bin" >/dev/null
cli="dotnet $work/bin/sparsecore.dll"
recipe=(--model resnet20 --data fashion-mnist --from "$dense" --seed 0
        --search-subset 10000 --search-epochs 5 --finetune-epochs 2 --weight-decay 1e-4 --imp-epochs 1
        --imp-trajectory "$work/imp-trajectory")
cells=(vpns:0.9 hydra:0.9 omp:0.9 snip:0.9 synflow:0.9 random-weights:0.9 imp:0.9
       vpns:0.5 hydra:0.5 omp:0.5 snip:0.5 synflow:0.5 random-weights:0.5 imp:0.5)
mkdir -p "$store"
n=0
for cell in "${cells[@]}"; do
  n=$((n + 1))
  method=${cell%%:*}; sparsity=${cell##*:}
  name="$method-s$sparsity"
  if [ -f "$store/$name.json" ]; then echo "[$n/${#cells[@]}] $name: done"; continue; fi
  echo "[$n/${#cells[@]}] $name: running"
  parent="$work/$name"
  run=$(ls -d "$parent"/*-prune-* 2>/dev/null | head -1 || true)
  if [ -n "$run" ]; then
    $cli prune --method "$method" --sparsity "$sparsity" "${recipe[@]}" --output "$parent" --resume "$run"
  else
    $cli prune --method "$method" --sparsity "$sparsity" "${recipe[@]}" --output "$parent"
    run=$(ls -d "$parent"/*-prune-* | head -1)
  fi
  cp "$run/report.md" "$store/$name.md"
  cp "$run/weight-density.png" "$store/$name-density.png"
  cp "$run/summary.json" "$store/$name.json.tmp" && mv "$store/$name.json.tmp" "$store/$name.json"
  if [ "$commit" = 1 ]; then
    git add "$store/$name.json" "$store/$name.md" "$store/$name-density.png"
    git commit -q -m "results: $name (VPNs comparison cell $n of ${#cells[@]})" -- "$store/$name.json" "$store/$name.md" "$store/$name-density.png"
  fi
done
$cli report "$work"/*/*-prune-* --output "$store"
