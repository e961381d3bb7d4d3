namespace SparseCore.Models.Data;

/// <summary>
/// SplitMix64 keyed by (seed, stream): the engine's host-side random source for data order,
/// synthetic data and augmentation. Hand-written rather than <see cref="Random"/> because the
/// sequence must stay the same across .NET versions (System.Random's seeded algorithm is an
/// implementation detail), so a run can be reproduced from its recorded seed.
/// </summary>
internal struct SplitMix64
{
    private ulong state;

    public SplitMix64(long seed, long stream) =>
        // Mixing each key separately keeps nearby (seed, stream) pairs — epoch 1 vs 2 — unrelated.
        state = Mix(Mix((ulong)seed) ^ Mix((ulong)stream + 0x9E3779B97F4A7C15UL));

    /// <summary>A generator for one of several streams under (seed, stream), e.g. per (epoch, sample).</summary>
    public SplitMix64(long seed, long stream, long substream) : this(seed, stream) =>
        state = Mix(state ^ Mix((ulong)substream * 0xD1B54A32D192ED03UL + 1));

    public ulong Next()
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    /// <summary>Uniform in [0, 1) with 24 random bits, exactly representable as a float.</summary>
    public float NextFloat() => (Next() >> 40) * (1f / (1 << 24));

    /// <summary>Uniform in [0, bound) without modulo bias (Lemire's multiply-shift with rejection).</summary>
    public uint Bounded(uint bound)
    {
        ulong product = (ulong)(uint)(Next() >> 32) * bound;
        uint low = (uint)product;
        if (low < bound)
        {
            uint threshold = (0u - bound) % bound;
            while (low < threshold)
            {
                product = (ulong)(uint)(Next() >> 32) * bound;
                low = (uint)product;
            }
        }
        return (uint)(product >> 32);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
