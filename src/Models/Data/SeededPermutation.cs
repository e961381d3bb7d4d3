namespace SparseCore.Models.Data;

/// <summary>
/// Permutations that depend only on (seed, stream): a <see cref="SplitMix64"/> generator keyed by
/// both, driving an unbiased Fisher–Yates shuffle, so a run's data order can be reproduced from
/// its recorded seed on any .NET version.
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
        var random = new SplitMix64(seed, stream);
        for (int i = items.Length - 1; i > 0; i--)
        {
            int j = (int)random.Bounded((uint)(i + 1));
            (items[i], items[j]) = (items[j], items[i]);
        }
    }
}
