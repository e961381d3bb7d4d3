using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Random;

namespace SparseCore.Kernels.Cpu;

/// <summary>Counter-based fills: <see cref="RandomMath.Draw"/> per element, over fixed chunks.</summary>
public partial class CpuBackend
{
    protected override void RunFillRandom(DeviceBuffer<float> y, RandomDistribution distribution, float a, float b, ulong seed, ulong stream)
    {
        var ya = ArrayOf(y);
        int d = (int)distribution;
        CpuParallel.For(y.Length, ElementGrain, (s, e) =>
        {
            for (int i = s; i < e; i++) ya[i] = RandomMath.Draw(d, a, b, seed, stream, (ulong)i);
        });
    }
}
