using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Tests.Ilgpu;

namespace SparseCore.Kernels.Tests.Masked;

/// <summary>
/// The top mask on both backends against a reference written out here (LINQ's stable OrderBy on
/// float.CompareTo descending: larger first, ties to the smaller index, NaN last), at sizes that
/// straddle the ILGPU group, with planted ties and NaNs.
/// </summary>
public static class TopMaskCases
{
    public static TheoryData<int, int, int> Cases => new()
    {
        { 1, 1, 0 },       // one channel kept
        { 1, 0, 0 },       // none kept
        { 7, 3, 1 },
        { 300, 150, 2 },   // ties planted across the cut
        { 301, 299, 3 },   // NaNs planted: only they are left out
        { 513, 513, 4 },   // all kept
    };

    public static float[] Scores(int n, int seed)
    {
        var rng = new System.Random(seed);
        var s = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        if (seed >= 2 && n > 250)
        {
            // Equal values straddling the cut: the lower indices must win.
            float median = s.OrderByDescending(v => v).ElementAt(n / 2);
            foreach (int j in new[] { 3, 77, 150, 249 }) s[j] = median;
            if (seed == 3) { s[0] = float.NaN; s[10] = float.NaN; }
        }
        return s;
    }

    public static float[] Reference(float[] s, int keep)
    {
        var m = new float[s.Length];
        foreach (int j in Enumerable.Range(0, s.Length).OrderByDescending(j => s[j], Comparer<float>.Create((a, b) => a.CompareTo(b))).Take(keep)) m[j] = 1f;
        return m;
    }

    public static float[] Run(Backend backend, float[] s, int keep)
    {
        using var scores = backend.Allocate<float>(s.Length);
        backend.Upload<float>(s, scores);
        using var mask = backend.Allocate<float>(s.Length);
        backend.Fill(mask, 7f);
        backend.TopMask(scores, s.Length, keep, mask);
        return backend.ToArray(mask);
    }
}

public sealed class TopMaskTests
{
    [Theory]
    [MemberData(nameof(TopMaskCases.Cases), MemberType = typeof(TopMaskCases))]
    public void Cpu_keeps_the_best_scores_ties_to_the_lower_index(int n, int keep, int seed)
    {
        using var backend = new CpuBackend();
        var s = TopMaskCases.Scores(n, seed);
        Assert.Equal(TopMaskCases.Reference(s, keep), TopMaskCases.Run(backend, s, keep));
    }

    [Fact]
    public void The_reference_tells_ties_to_the_higher_index_apart()
    {
        // A variant breaking ties towards the higher index (a reversed stable sort) must not pass as right.
        var s = TopMaskCases.Scores(300, 2);
        var wrong = new float[s.Length];
        foreach (int j in Enumerable.Range(0, s.Length).Reverse().OrderByDescending(j => s[j]).Take(150)) wrong[j] = 1f;
        Assert.NotEqual(TopMaskCases.Reference(s, 150), wrong);
        Assert.Equal(150, TopMaskCases.Reference(s, 150).Count(v => v == 1f));
    }

    [Fact]
    public void Bad_arguments_are_refused_by_name()
    {
        using var backend = new CpuBackend();
        using var b = backend.Allocate<float>(3);
        using var m = backend.Allocate<float>(3);
        Assert.Contains("must not be the scores", Assert.Throws<ArgumentException>(() => backend.TopMask(b, 3, 1, b)).Message);
        Assert.Contains("keep", Assert.Throws<ArgumentException>(() => backend.TopMask(b, 3, 4, m)).Message);
        Assert.Contains("keep", Assert.Throws<ArgumentException>(() => backend.TopMask(b, 3, -1, m)).Message);
    }
}

[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuTopMaskTests(IlgpuSimulatorFixture fixture)
{
    [Theory]
    [MemberData(nameof(TopMaskCases.Cases), MemberType = typeof(TopMaskCases))]
    public void Ilgpu_keeps_the_best_scores_ties_to_the_lower_index(int n, int keep, int seed)
    {
        var s = TopMaskCases.Scores(n, seed);
        Assert.Equal(TopMaskCases.Reference(s, keep), TopMaskCases.Run(fixture.Backend, s, keep));
    }
}
