using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Random;

namespace SparseCore.Kernels.Ilgpu;

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

public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, float, float, ulong, ulong> fillRandomKernel = null!;

    private void LoadRandom()
        => fillRandomKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, float, float, ulong, ulong>>(IlgpuKernelRegistry.FillRandom);

    protected override void RunFillRandom(DeviceBuffer<float> y, RandomDistribution distribution, float a, float b, ulong seed, ulong stream)
        => fillRandomKernel(this.stream, FlatThreads(y.Length), View(y), y.Length, (int)distribution, a, b, seed, stream);
}
