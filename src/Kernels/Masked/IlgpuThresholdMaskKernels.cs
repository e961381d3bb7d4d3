using ILGPU;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Masked;

/// <summary>
/// The threshold mask in one group: strided 0/1 writes with per-thread "any kept" counts and
/// fallback candidates, then fixed shared-memory trees (so the fallback is the same index
/// whatever the timing), and thread 0 keeps the fallback when nothing reached the threshold.
/// </summary>
internal static class IlgpuThresholdMaskKernels
{
    [IlgpuKernel]
    internal static void ThresholdMask(ArrayView<float> scores, int n, float threshold, ArrayView<float> mask)
    {
        var kept = SharedMemory.Allocate<int>(IlgpuBackend.MaxGroupSize);
        var values = SharedMemory.Allocate<float>(IlgpuBackend.MaxGroupSize);
        var indices = SharedMemory.Allocate<int>(IlgpuBackend.MaxGroupSize);
        int t = Group.IdxX;
        int count = 0;
        // Threads past the end start from a sentinel every real score beats (NaN never wins).
        float best = float.NaN;
        int bestIndex = int.MaxValue;
        for (int j = t; j < n; j += Group.DimX)
        {
            float v = scores[j];
            bool keep = v >= threshold;
            mask[j] = keep ? 1f : 0f;
            count += keep ? 1 : 0;
            if (ThresholdMaskMath.Beats(v, j, best, bestIndex)) { best = v; bestIndex = j; }
        }
        kept[t] = count;
        values[t] = best;
        indices[t] = bestIndex;
        Group.Barrier();
        for (int s = Group.DimX / 2; s > 0; s >>= 1)
        {
            if (t < s)
            {
                kept[t] += kept[t + s];
                if (ThresholdMaskMath.Beats(values[t + s], indices[t + s], values[t], indices[t]))
                {
                    values[t] = values[t + s];
                    indices[t] = indices[t + s];
                }
            }
            Group.Barrier();
        }
        // Every score NaN: no candidate beat the sentinel, and index 0 is kept, as on the CPU.
        if (t == 0 && kept[0] == 0) mask[indices[0] == int.MaxValue ? 0 : indices[0]] = 1f;
    }
}
