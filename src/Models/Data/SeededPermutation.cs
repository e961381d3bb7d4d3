namespace SparseCore.Models.Data;

/// <summary>
/// Permutations that depend only on (seed, stream): a SplitMix64 generator keyed by both, driving
/// an unbiased Fisher–Yates shuffle. Hand-written rather than <see cref="Random"/> because the
/// order must stay the same across .NET versions (System.Random's seeded algorithm is an
/// implementation detail) so that a run can be reproduced from its recorded seed.
/// </summary>
public static class SeededPermutation
{
    /// <summary>A permutation of 0..count-1 determined by (seed, stream).</summary>
    public static int[] Create(int count, long seed, long stream)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var order = new int[count];
        Fill(order, seed, stream);
        return order;
    }

    /// <summary>Fills <paramref name="order"/> with a permutation of 0..order.Length-1 determined by (seed, stream).</summary>
    public static void Fill(Span<int> order, long seed, long stream)
    {
        for (int i = 0; i < order.Length; i++)
            order[i] = i;
        Shuffle(order, seed, stream);
    }

    /// <summary>Shuffles <paramref name="items"/> in place, the same way for the same (seed, stream) and length.</summary>
    public static void Shuffle(Span<int> items, long seed, long stream)
    {
        // Mixing each key separately keeps nearby (seed, stream) pairs — epoch 1 vs 2 — unrelated.
        ulong state = Mix(Mix((ulong)seed) ^ Mix((ulong)stream + 0x9E3779B97F4A7C15UL));
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)Bounded(ref state, (uint)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }

    private static ulong Next(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        return Mix(state);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    // Lemire's multiply-shift with rejection: uniform in [0, bound) without modulo bias.
    private static uint Bounded(ref ulong state, uint bound)
    {
        ulong product = (ulong)(uint)(Next(ref state) >> 32) * bound;
        uint low = (uint)product;
        if (low < bound)
        {
            uint threshold = (0u - bound) % bound;
            while (low < threshold)
            {
                product = (ulong)(uint)(Next(ref state) >> 32) * bound;
                low = (uint)product;
            }
        }
        return (uint)(product >> 32);
    }
}
