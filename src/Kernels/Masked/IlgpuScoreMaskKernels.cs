using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Masked;

/// <summary>The score mask's straight-through backward: a flat launch in the elementwise style (thread t handles t, t + T, …).</summary>
internal static class IlgpuScoreMaskKernels
{
    /// <summary>
    /// dw[i] = dy[i]·m[i] and ds[i] = sign(s[i])·dy[i]·w[i]; hasDw/hasDs = 0: that output is a
    /// placeholder, never written. dy[i] is read before dw[i] is written, so dw may alias dy.
    /// </summary>
    [IlgpuKernel]
    internal static void ScoreMaskBackward(Index1D t, ArrayView<float> w, ArrayView<float> scores, ArrayView<float> mask, ArrayView<float> dy,
                                           ArrayView<float> dw, ArrayView<float> ds, int n, int hasDw, int hasDs)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, i = t; e < IlgpuElementwiseKernels.ElementsPerThread && i < n; e++, i += stride)
        {
            float g = dy[i];
            if (hasDs != 0) ds[i] = ScoreMaskMath.ScoreGradient(g, w[i], scores[i]);
            if (hasDw != 0) dw[i] = g * mask[i];
        }
    }
}
