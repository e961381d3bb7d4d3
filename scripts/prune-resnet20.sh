#!/usr/bin/env bash
# The first PASS result (docs/results.md): ResNet-20 on Fashion-MNIST at channel sparsity 0.5,
# PASS, its no-prompt ablation and the five baselines from one dense checkpoint, with a short CPU
# recipe, then one comparison table and plot. Usage: scripts/prune-resnet20.sh DENSE.safetensors [OUT]
set -euo pipefail
dense=${1:?usage: scripts/prune-resnet20.sh DENSE.safetensors [OUT]}
out=${2:-runs/prune-resnet20}
cd "$(dirname "$0")/.."
dotnet build src/Cli -c Release -v q -nologo >/dev/null
cli="dotnet src/Cli/bin/Release/net10.0/sparsecore.dll"
recipe=(--model resnet20 --data fashion-mnist --from "$dense" --sparsity 0.5 --mode shared
        --search-subset 10000 --search-epochs 10 --finetune-epochs 3 --slim-epochs 1 --output "$out")
for run in "pass" "pass --no-prompt" "l1" "slim" "group-l2" "uniform" "random"; do
  # shellcheck disable=SC2086
  $cli prune --method $run "${recipe[@]}"
done
$cli report "$out"/*-prune-* --output "$out"
