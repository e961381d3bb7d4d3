#!/usr/bin/env bash
# Publishes `sparsecore` as one self-contained, compressed linux-x64 file into publish/ (ignored),
# for GPU machines that have no .NET SDK (without the ONNX Runtime CPU peer, to stay under the
# 64 MiB a GPU machine accepts): copy it there and run
#   ./sparsecore selftest --device cuda     and     ./sparsecore bench
# or, with scripts/ beside it, the one prepared run: scripts/gpu-check.sh (results in gpu-check-results/).
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf publish
dotnet publish src/Cli/SparseCore.Cli.csproj -c Release -r linux-x64 --self-contained true \
  -p:GpuPublish=true -p:PublishSingleFile=true -p:EnableCompressionInSingleFile=true -p:IncludeNativeLibrariesForSelfExtract=true \
  -o publish
ls -l publish/sparsecore
