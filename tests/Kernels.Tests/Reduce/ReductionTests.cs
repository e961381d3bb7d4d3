namespace SparseCore.Kernels.Tests.Reduce;

/// <summary>Reduction semantics autograd tests do not reach: NaN and tie rules of ReduceMax, and ReduceSum accuracy under cancellation.</summary>
public class ReductionTests
{
    private static (float[] Y, int[] Arg) Max(Backend backend, float[] x, int outer, int axis, int inner)
    {
        using var xb = K.Upload(backend, x);
        using var y = backend.Allocate<float>(outer * inner);
        using var arg = backend.Allocate<int>(outer * inner);
        backend.Fill(y, -123f);
        backend.ReduceMax(xb, y, arg, outer, axis, inner);
        return (backend.ToArray(y), backend.ToArray(arg));
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void ReduceMax_a_NaN_in_the_row_wins_and_argmax_points_at_the_first_NaN(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        float nan = float.NaN, inf = float.PositiveInfinity;
        // outer = 5 rows of axis = 4 (inner = 1).
        float[] x =
        [
            1f, nan, 5f, 2f,      // NaN beats a larger value after it
            nan, 9f, 10f, inf,    // NaN first
            3f, 4f, 7f, nan,      // NaN last
            1f, nan, 2f, nan,     // two NaNs: the first
            -inf, -inf, -inf, -inf, // all −∞: a real maximum at index 0, not NaN
        ];
        var (y, arg) = Max(backend, x, 5, 4, 1);
        Assert.True(float.IsNaN(y[0]) && float.IsNaN(y[1]) && float.IsNaN(y[2]) && float.IsNaN(y[3]), string.Join(", ", y));
        Assert.Equal([1, 0, 3, 1, 0], arg);
        Assert.Equal(float.NegativeInfinity, y[4]);

        // The same along a strided axis (inner = 3): column c of each outer slab.
        var strided = new float[2 * 4 * 3];
        for (int k = 0; k < strided.Length; k++) strided[k] = k % 5;
        strided[(0 * 4 + 2) * 3 + 1] = nan; // outer 0, axis 2, inner 1
        strided[(1 * 4 + 0) * 3 + 2] = nan; // outer 1, axis 0, inner 2
        var (ys, args) = Max(backend, strided, 2, 4, 3);
        Assert.True(float.IsNaN(ys[1]) && float.IsNaN(ys[5]));
        Assert.Equal(2, args[1]);
        Assert.Equal(0, args[5]);
        for (int j = 0; j < 6; j++)
            if (j != 1 && j != 5) Assert.False(float.IsNaN(ys[j]), $"NaN leaked into output {j}");
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void ReduceMax_argmax_is_the_first_maximal_index_on_ties(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        float[] x =
        [
            1f, 3f, 3f, 2f, 3f,
            7f, 7f, 7f, 7f, 7f,
            -1f, -5f, -1f, -2f, -1f,
            0f, -0f, 0f, 0f, 0f, // 0 and −0 compare equal: first wins
        ];
        var (y, arg) = Max(backend, x, 4, 5, 1);
        Assert.Equal([3f, 7f, -1f, 0f], y);
        Assert.Equal([1, 0, 0, 0], arg);

        // Large odd axis with a tie at the two ends and one in the middle, strided (inner = 3).
        int axis = 10_007, inner = 3;
        var big = K.Random(axis * inner, 9);
        foreach (int a in new[] { 17, 5003, axis - 1 }) big[a * inner + 1] = 2f;
        var (yb, ab) = Max(backend, big, 1, axis, inner);
        Assert.Equal(2f, yb[1]);
        Assert.Equal(17, ab[1]);
        // The other columns agree with a plain loop.
        for (int i = 0; i < inner; i += 2)
        {
            int best = 0;
            for (int a = 1; a < axis; a++) if (big[a * inner + i] > big[best * inner + i]) best = a;
            Assert.Equal(best, ab[i]);
            Assert.Equal(big[best * inner + i], yb[i]);
        }
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void ReduceSum_of_a_large_odd_vector_with_heavy_cancellation_matches_the_double_sum(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        const int n = 1_000_003;
        // Pairs ±B (B up to 1e4) that nearly cancel, plus O(1) terms: Σ|x| ≈ 1e10, Σx ≈ 1e5.
        var rng = new System.Random(5);
        var x = new float[n];
        for (int i = 0; i + 1 < n; i += 2)
        {
            float big = (float)(1e4 * rng.NextDouble());
            x[i] = big + (float)rng.NextDouble();
            x[i + 1] = -big;
        }
        x[n - 1] = 0.25f;
        double exact = 0, absSum = 0;
        foreach (var v in x) { exact += v; absSum += Math.Abs(v); }
        Assert.True(absSum / Math.Abs(exact) > 1e4, "the test data should cancel heavily");

        using var xb = K.Upload(backend, x);
        using var y = backend.Allocate<float>(1);
        backend.ReduceSum(xb, y, 1, n, 1);
        K.AssertClose(backend.ToArray(y), [exact], 1e-5, "sum");

        backend.ReduceSum(xb, y, 1, n, 1, 1f / n); // the mean
        K.AssertClose(backend.ToArray(y), [exact * (1f / n)], 1e-5, "mean");

        // Several rows at once: outer = 7 rows of 142857 (the last 4 elements unused).
        using var rows = backend.Allocate<float>(7);
        backend.ReduceSum(xb, rows, 7, 142_857, 1);
        var expected = new double[7];
        for (int o = 0; o < 7; o++) for (int a = 0; a < 142_857; a++) expected[o] += x[o * 142_857 + a];
        K.AssertClose(backend.ToArray(rows), expected, 1e-5, "row sums");
    }
}
