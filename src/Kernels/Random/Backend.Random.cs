using SparseCore.Kernels.Diagnostics;
using SparseCore.Kernels.Memory;
using SparseCore.Kernels.Random;

namespace SparseCore.Kernels;

/// <summary>
/// Counter-based random fills: on every backend each value is a pure function of (seed, stream,
/// index), so a draw depends neither on the thread count nor on what was drawn before it.
/// </summary>
public abstract partial class Backend
{
    /// <summary>
    /// y[i] = draw(seed, stream, i) for the distribution (A, B as documented on
    /// <see cref="RandomDistribution"/>); a pure function of (seed, stream, i) on every backend.
    /// </summary>
    public void FillRandom(DeviceBuffer<float> y, RandomDistribution distribution, float a, float b, ulong seed, ulong stream)
    {
        CheckOwned(y, "FillRandom");
        if (distribution == RandomDistribution.Normal && !(b >= 0))
            throw new ArgumentException($"FillRandom: normal standard deviation must be ≥ 0, got {b}");
        if (distribution == RandomDistribution.Bernoulli && !(a >= 0 && a <= 1))
            throw new ArgumentException($"FillRandom: Bernoulli probability must be in [0, 1], got {a}");
        using var profile = Profile(OpFamily.RandomFill, 0, 4.0 * y.Length);
        if (y.Length > 0) RunFillRandom(y, distribution, a, b, seed, stream);
    }

    protected abstract void RunFillRandom(DeviceBuffer<float> y, RandomDistribution distribution, float a, float b, ulong seed, ulong stream);
}
