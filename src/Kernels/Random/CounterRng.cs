namespace SparseCore.Kernels.Random;

/// <summary>
/// Counter-based random numbers: value i of stream s under seed k is a pure function of (k, s, i),
/// so any partitioning of the work, on any backend, draws the same numbers. The mixer is
/// SplitMix64's finaliser applied to a combined key; it is written with plain ulong arithmetic so
/// the ILGPU kernels call these very methods.
/// </summary>
public static class CounterRng
{
    public static ulong Hash(ulong seed, ulong stream, ulong index)
    {
        ulong z = seed * 0x9E3779B97F4A7C15UL ^ (stream + 0x632BE59BD9B4E019UL) * 0xC2B2AE3D27D4EB4FUL;
        z += index * 0x9E3779B97F4A7C15UL + 0x165667B19E3779F9UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <summary>Top 24 bits as a float in [0, 1): exact in fp32, so identical on every backend.</summary>
    public static float Uniform01(ulong bits) => (bits >> 40) * (1f / 16777216f);

    /// <summary>
    /// Second independent uniform from the low half, kept in (0, 1] so Box–Muller's log never sees 0.
    /// </summary>
    public static float UniformOpen01(ulong bits) => ((bits & 0xFFFFFFUL) + 1) * (1f / 16777216f);
}
