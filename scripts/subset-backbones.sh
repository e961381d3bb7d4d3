#!/usr/bin/env bash
# docs/results.md "Other backbones on a Fashion-MNIST subset", third set: the deep backbones
# with the recipe each needed, on 2,000 training images (500 held out), tested on all 10,000.
# Usage: scripts/subset-backbones.sh [OUT]
set -euo pipefail
out=${1:-runs/subset}
cd "$(dirname "$0")/.."
dotnet build src/Cli -c Release -v q -nologo >/dev/null
cli="dotnet src/Cli/bin/Release/net10.0/sparsecore.dll"
for run in "resnet34 --epochs 4 --lr 0.02" \
           "vgg16 --epochs 3 --batch-size 32 --optimizer adamw --lr 1e-4" \
           "resnet50 --epochs 3 --warmup 1 --lr 0.02 --batch-size 64"; do
  # shellcheck disable=SC2086
  $cli train --model $run --train-subset 2000 --validation 500 --output "$out"
done
