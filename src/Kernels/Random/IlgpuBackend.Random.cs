using ILGPU;
using ILGPU.Runtime;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Random;

namespace SparseCore.Kernels.Ilgpu;

/// <summary>Loads and launches the random-fill kernels of <see cref="IlgpuRandomKernels"/>.</summary>
public sealed partial class IlgpuBackend
{
    private Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, float, float, ulong, ulong> fillRandomKernel = null!;

    private void LoadRandom()
        => fillRandomKernel = LoadImplicit<Action<AcceleratorStream, Index1D, ArrayView<float>, int, int, float, float, ulong, ulong>>(IlgpuKernelRegistry.FillRandom);

    protected override void RunFillRandom(DeviceBuffer<float> y, RandomDistribution distribution, float a, float b, ulong seed, ulong stream)
        => fillRandomKernel(this.stream, FlatThreads(y.Length), View(y), y.Length, (int)distribution, a, b, seed, stream);
}
