#!/usr/bin/env bash
# The first GPU session's one prepared run (issue 16), under 10 minutes on an H100, no .NET SDK:
#   scripts/publish-gpu.sh here, copy publish/sparsecore and scripts/ to the GPU machine, then
#   scripts/gpu-check.sh [OUTPUT_FOLDER]            (default: gpu-check-results/)
# It prints the driver, device and libcuda it finds, runs `sparsecore gpu-check` (self-test,
# registers/spills/occupancy, GEMM/conv/batch-norm/reduction timings against cuBLAS, a ResNet-20
# step split into device and host time) into OUTPUT_FOLDER/gpu-check.md, then appends `ptxas -v`
# per kernel where a CUDA toolkit exists and PyTorch on the same GPU where python3 has torch.
# Without a GPU it still runs: `sparsecore gpu-check` says no CUDA device was found and checks its
# plumbing at small shapes on ILGPU's CPU simulator. SPARSECORE_BIN overrides the binary.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-gpu-check-results}"
mkdir -p "$out"
results="$out/gpu-check.md"

bin="${SPARSECORE_BIN:-}"
for candidate in "$here/../publish/sparsecore" "$here/../sparsecore" "./sparsecore"; do
  [ -z "$bin" ] && [ -x "$candidate" ] && bin="$candidate"
done
if [ -z "$bin" ]; then
  echo "gpu-check: no sparsecore binary (run scripts/publish-gpu.sh, or set SPARSECORE_BIN)" >&2
  exit 2
fi

echo "== driver and device"
if command -v nvidia-smi >/dev/null 2>&1; then
  nvidia-smi --query-gpu=name,driver_version,memory.total,clocks.max.sm,clocks.max.mem --format=csv || true
else
  echo "nvidia-smi: not found"
fi
echo "== libcuda"
(ldconfig -p 2>/dev/null | grep -E 'libcuda\.so' ) || echo "libcuda: not in the ldconfig cache"

echo "== sparsecore gpu-check (results: $results)"
# 8 minutes at most, so ptxas and PyTorch still fit in the 10.
timeout 480 "$bin" gpu-check --output "$results" --ptx-dir "$out/ptx"
status=$?
[ $status -eq 124 ] && echo "gpu-check: stopped after 8 minutes; $results holds the sections it finished" | tee -a "$results"

if command -v ptxas >/dev/null 2>&1 && ls "$out"/ptx/*.ptx >/dev/null 2>&1; then
  echo "== ptxas -v (sm_90)"
  {
    printf '\n## ptxas -v (%s, sm_90)\n\n| kernel | ptxas says |\n| --- | --- |\n' "$(ptxas --version | tail -1)"
    for f in "$out"/ptx/*.ptx; do
      info=$(timeout 60 ptxas -v -arch=sm_90 "$f" -o /dev/null 2>&1 | grep -E 'registers|spill|stack' | tr '\n' ' ' | sed 's/ptxas info *: //g')
      printf '| %s | %s |\n' "$(basename "$f" .ptx)" "$info"
    done
  } | tee -a "$results"
else
  echo "ptxas: no CUDA toolkit here; registers and local memory come from the driver in the results' kernel table" | tee -a "$results"
fi

if command -v python3 >/dev/null 2>&1; then
  echo "== PyTorch on the same GPU"
  timeout 90 python3 "$here/gpu-check-torch.py" | tee -a "$results"
else
  printf '\n## PyTorch peer\n\nnot run: no python3\n' | tee -a "$results"
fi
echo "== done: $results"
exit $status
