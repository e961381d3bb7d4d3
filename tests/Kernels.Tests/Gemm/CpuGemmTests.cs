using SparseCore.Kernels.Gemm;

namespace SparseCore.Kernels.Tests.Gemm;

/// <summary>
/// CpuGemm against a float64 reference. Sizes are deliberately not multiples of any tile
/// (MR 4/6, NR 16/64, MC 48, KC 1024, NC 2048) so every edge path runs, and some cross KC or NC
/// so the multi-block K accumulation and the column-block loop run too.
/// </summary>
public class CpuGemmTests
{
    private const double Tolerance = 1e-5;

    public static TheoryData<int, int, int> OddSizes => new()
    {
        { 1, 1, 1 },
        { 7, 13, 5 },
        { 67, 131, 253 },
        { 301, 257, 129 },
        { 1031, 67, 45 },    // M ≥ 1000
        { 13, 2100, 37 },    // N > NC: two column blocks
        { 29, 71, 1100 },    // K > KC: beta applied once, then accumulate
    };

    public static TheoryData<bool, bool> TransposeCombos => new()
    {
        { false, false }, { false, true }, { true, false }, { true, true },
    };

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void MatchesReference_AllTransposes_AlphaBeta(int m, int n, int k)
    {
        foreach (var (ta, tb) in Combos())
            AssertMatchesReference(GemmPath.Auto, ta, tb, m, n, k, alpha: -0.75f, beta: 1.25f, seed: m * 31 + n);
    }

    [Theory]
    [MemberData(nameof(OddSizes))]
    public void BetaZero_IgnoresNaNsInC(int m, int n, int k)
    {
        foreach (var (ta, tb) in Combos())
            AssertMatchesReference(GemmPath.Auto, ta, tb, m, n, k, alpha: 1.5f, beta: 0f, seed: k, nanC: true);
    }

    [Theory]
    [InlineData(GemmPath.Naive)]
    [InlineData(GemmPath.Avx512)]
    [InlineData(GemmPath.Avx2)]
    [InlineData(GemmPath.Vector128)]
    internal void EveryKernelPath_MatchesReference(GemmPath path)
    {
        if (!CpuGemm.IsSupported(path))
            return; // this CPU cannot run it; covered on machines that can
        foreach (var (ta, tb) in Combos())
        {
            // Tiny sizes force a packed kernel through an all-edge tile.
            AssertMatchesReference(path, ta, tb, 1, 1, 1, alpha: 2f, beta: 0f, seed: 1, nanC: true);
            AssertMatchesReference(path, ta, tb, 7, 13, 5, alpha: 1f, beta: 1f, seed: 2);
            AssertMatchesReference(path, ta, tb, 67, 131, 253, alpha: 0.5f, beta: -2f, seed: 3);
        }
    }

    [Fact]
    public void Result_IsBitIdentical_ForAnyThreadCount()
    {
        const int m = 203, n = 517, k = 1100;
        var rng = new System.Random(7);
        float[] a = Random(rng, m * k), b = Random(rng, k * n), c0 = Random(rng, m * n);
        float[] one = (float[])c0.Clone(), team = (float[])c0.Clone(), again = (float[])c0.Clone();

        CpuGemm.Sgemm(GemmPath.Auto, false, false, m, n, k, 0.9f, a, b, 0.3f, one, maxThreads: 1);
        CpuGemm.Sgemm(GemmPath.Auto, false, false, m, n, k, 0.9f, a, b, 0.3f, team);
        CpuGemm.Sgemm(GemmPath.Auto, false, false, m, n, k, 0.9f, a, b, 0.3f, again);

        Assert.Equal(one, team);
        Assert.Equal(team, again);
    }

    [Fact]
    public void ConcurrentCallers_GetCorrectResults()
    {
        // The second caller finds the worker team busy and must run solo, not corrupt the first.
        const int m = 150, n = 300, k = 200;
        var rng = new System.Random(11);
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        float[] expected = new float[m * n];
        CpuGemm.Sgemm(false, false, m, n, k, 1f, a, b, 0f, expected);

        Parallel.For(0, 8, _ =>
        {
            var c = new float[m * n];
            for (int rep = 0; rep < 5; rep++)
                CpuGemm.Sgemm(false, false, m, n, k, 1f, a, b, 0f, c);
            Assert.Equal(expected, c);
        });
    }

    [Fact]
    public void AlphaZero_ScalesC_WithoutReadingAOrB()
    {
        float[] a = [float.NaN, float.NaN], b = [float.NaN, float.NaN], c = [1f, 2f, 3f, 4f];
        CpuGemm.Sgemm(false, false, 2, 2, 1, 0f, a, b, 0.5f, c);
        Assert.Equal([0.5f, 1f, 1.5f, 2f], c);

        float[] nanC = [float.NaN, float.NaN, float.NaN, float.NaN];
        CpuGemm.Sgemm(false, false, 2, 2, 0, 1f, [], [], 0f, nanC);
        Assert.Equal([0f, 0f, 0f, 0f], nanC);
    }

    [Fact]
    public void EmptyOutput_IsANoOp()
    {
        CpuGemm.Sgemm(false, false, 0, 5, 3, 1f, [], new float[15], 0f, []);
        CpuGemm.Sgemm(true, true, 4, 0, 3, 1f, new float[12], [], 0f, []);
    }

    [Theory]
    [InlineData(false, false, "a", "a (transA=false, stored M×K) needs 3×4 = 12 floats but has 11")]
    [InlineData(true, false, "a", "a (transA=true, stored K×M) needs 4×3 = 12 floats but has 11")]
    [InlineData(false, false, "b", "b (transB=false, stored K×N) needs 4×5 = 20 floats but has 19")]
    [InlineData(false, true, "b", "b (transB=true, stored N×K) needs 5×4 = 20 floats but has 19")]
    [InlineData(false, false, "c", "c (M×N) needs 3×5 = 15 floats but has 14")]
    public void ShortSpan_ThrowsNamingOperandAndShape(bool transA, bool transB, string operand, string message)
    {
        const int m = 3, n = 5, k = 4;
        var a = new float[m * k - (operand == "a" ? 1 : 0)];
        var b = new float[k * n - (operand == "b" ? 1 : 0)];
        var c = new float[m * n - (operand == "c" ? 1 : 0)];

        var e = Assert.Throws<ArgumentException>(() => CpuGemm.Sgemm(transA, transB, m, n, k, 1f, a, b, 0f, c));

        Assert.Equal(operand, e.ParamName);
        Assert.Contains(message, e.Message);
    }

    [Fact]
    public void NegativeDimension_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(false, false, -1, 1, 1, 1f, [], [], 0f, []));
        Assert.Throws<ArgumentOutOfRangeException>(() => CpuGemm.Sgemm(false, false, 1, 1, -1, 1f, [], [], 0f, [0f]));
    }

    private static IEnumerable<(bool, bool)> Combos() =>
        [(false, false), (false, true), (true, false), (true, true)];

    private static void AssertMatchesReference(GemmPath path, bool transA, bool transB, int m, int n, int k,
                                               float alpha, float beta, int seed, bool nanC = false)
    {
        var rng = new System.Random(seed);
        float[] a = Random(rng, m * k), b = Random(rng, k * n);
        float[] c = nanC ? Enumerable.Repeat(float.NaN, m * n).ToArray() : Random(rng, m * n);
        double[] expected = Reference(transA, transB, m, n, k, alpha, a, b, beta, c);

        CpuGemm.Sgemm(path, transA, transB, m, n, k, alpha, a, b, beta, c);

        double diff = 0, norm = 0;
        for (int i = 0; i < c.Length; i++)
        {
            double d = c[i] - expected[i];
            diff += d * d;
            norm += expected[i] * expected[i];
        }
        double error = Math.Sqrt(diff) / Math.Sqrt(norm);
        Assert.True(error <= Tolerance,
            $"{path} transA={transA} transB={transB} {m}×{n}×{k}: normwise error {error:E2} > {Tolerance:E0}");
    }

    private static double[] Reference(bool transA, bool transB, int m, int n, int k, float alpha,
                                      float[] a, float[] b, float beta, float[] c)
    {
        var result = new double[m * n];
        var row = new double[n];
        for (int i = 0; i < m; i++)
        {
            Array.Clear(row);
            for (int p = 0; p < k; p++)
            {
                double aip = transA ? a[p * m + i] : a[i * k + p];
                for (int j = 0; j < n; j++)
                    row[j] += aip * (transB ? b[j * k + p] : b[p * n + j]);
            }
            for (int j = 0; j < n; j++)
                result[i * n + j] = alpha * row[j] + (beta == 0f ? 0.0 : beta * (double)c[i * n + j]);
        }
        return result;
    }

    private static float[] Random(System.Random rng, int count)
    {
        var x = new float[count];
        for (int i = 0; i < count; i++) x[i] = (float)(rng.NextDouble() * 2 - 1);
        return x;
    }
}
