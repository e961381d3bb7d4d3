#!/usr/bin/env bash
# docs/results.md "Other backbones on a Fashion-MNIST subset": each backbone for 2 epochs on
# 2,000 training images (500 held out), tested on all 10,000. Usage: scripts/subset-backbones.sh [OUT]
set -euo pipefail
out=${1:-runs/subset}
cd "$(dirname "$0")/.."
dotnet build src/Cli -c Release -v q -nologo >/dev/null
cli="dotnet src/Cli/bin/Release/net10.0/sparsecore.dll"
for run in "resnet34" "resnet50" "vgg16 --lr 0.01" "vgg16_bn --lr 0.01"; do
  # shellcheck disable=SC2086
  $cli train --model $run --train-subset 2000 --validation 500 --epochs 2 --output "$out"
done
