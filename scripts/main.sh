#!/usr/bin/env bash
# The main job on a fresh machine: install Fashion-MNIST if missing, then train the default model.
# Extra arguments go to `sparsecore train` (e.g. --epochs 3 --device cpu).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ ! -d /usr/share/datasets/fashion-mnist ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq && $SUDO apt-get install -y -qq dataset-fashion-mnist
fi
dotnet run -c Release --project src/Cli -- train "$@"
