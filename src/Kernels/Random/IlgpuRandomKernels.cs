using ILGPU;
using SparseCore.Kernels.Elementwise;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Kernels.Random;

/// <summary>Counter-based fill: y[i] = <see cref="RandomMath.Draw"/>(…, i), the CPU backend's very function.</summary>
internal static class IlgpuRandomKernels
{
    [IlgpuKernel]
    internal static void FillRandom(Index1D t, ArrayView<float> y, int n, int distribution, float a, float b, ulong seed, ulong stream)
    {
        int stride = IlgpuElementwiseKernels.Threads(n);
        for (int e = 0, i = t; e < IlgpuElementwiseKernels.ElementsPerThread && i < n; e++, i += stride) y[i] = RandomMath.Draw(distribution, a, b, seed, stream, (ulong)i);
    }
}
