#!/usr/bin/env bash
# Installs the whole-network benchmark's PyTorch peer (bench/Network, `network` mode): Debian's
# python3-torch (1.13, built with oneDNN) for the system interpreter /usr/bin/python3, which the
# benchmark runs; a pyenv or venv python3 earlier on PATH does not see it. PyTorch is a peer only:
# nothing under src/ uses it. ONNX Runtime, the other peer, comes with the bench project's packages.
set -euo pipefail
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') is already installed for /usr/bin/python3"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then sudo="sudo"; fi
$sudo apt-get update
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y --no-install-recommends python3-torch
echo "installed PyTorch $(/usr/bin/python3 -c 'import torch; print(torch.__version__)') for /usr/bin/python3"
