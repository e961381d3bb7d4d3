namespace SparseCore.Kernels.Layout;

/// <summary>
/// An axis permutation of a row-major tensor of rank ≤ 4, padded at the front with unit axes so
/// every kernel sees rank 4: output axis k has extent Y_k and advances the input by stride S_k
/// (the input stride of the axis it came from). Built and validated by <see cref="Create"/>.
/// Plain fields so the ILGPU kernels take it by value.
/// </summary>
public readonly struct PermuteSpec
{
    public readonly int Y0, Y1, Y2, Y3;
    public readonly int S0, S1, S2, S3;

    private PermuteSpec(int[] y, int[] s)
    {
        (Y0, Y1, Y2, Y3) = (y[0], y[1], y[2], y[3]);
        (S0, S1, S2, S3) = (s[0], s[1], s[2], s[3]);
    }

    public int Total => Y0 * Y1 * Y2 * Y3;

    /// <summary>Output axis k is input axis perm[k] of an input with extents <paramref name="dims"/>.</summary>
    public static PermuteSpec Create(string op, ReadOnlySpan<int> dims, ReadOnlySpan<int> perm)
    {
        int rank = dims.Length;
        string shown = $"dims [{string.Join(", ", dims.ToArray())}], perm [{string.Join(", ", perm.ToArray())}]";
        if (rank is < 1 or > 4) throw new ArgumentException($"{op}: rank must be 1 to 4, got {shown}");
        if (perm.Length != rank) throw new ArgumentException($"{op}: perm must list {rank} axes, got {shown}");
        var seen = new bool[rank];
        foreach (int p in perm)
        {
            if (p < 0 || p >= rank || seen[p]) throw new ArgumentException($"{op}: perm is not a permutation of 0..{rank - 1}, got {shown}");
            seen[p] = true;
        }
        long total = 1;
        foreach (int d in dims)
        {
            if (d <= 0) throw new ArgumentException($"{op}: extents must be positive, got {shown}");
            total *= d;
        }
        if (total > int.MaxValue) throw new ArgumentException($"{op}: {total} elements exceed the int index range ({shown})");

        var inStride = new int[rank];
        for (int a = rank - 1, s = 1; a >= 0; s *= dims[a], a--) inStride[a] = s;
        int pad = 4 - rank;
        int[] y = [1, 1, 1, 1], st = [0, 0, 0, 0];
        for (int k = 0; k < rank; k++)
        {
            y[pad + k] = dims[perm[k]];
            st[pad + k] = inStride[perm[k]];
        }
        return new PermuteSpec(y, st);
    }

    public override string ToString() => $"[{Y0}, {Y1}, {Y2}, {Y3}] strides ({S0}, {S1}, {S2}, {S3})";
}
