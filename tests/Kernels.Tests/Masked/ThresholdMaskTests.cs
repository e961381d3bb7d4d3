using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Tests.Ilgpu;

namespace SparseCore.Kernels.Tests.Masked;

/// <summary>
/// The threshold mask on both backends against a reference written out here: scores at or above τ
/// kept; none above → the first of the equal largest kept; NaN never the largest. Shapes straddle
/// the ILGPU group (strided threads, tree over candidates).
/// </summary>
public static class ThresholdMaskCases
{
    public static TheoryData<int, float, int> Cases => new()
    {
        { 1, 0.5f, 0 },      // one score below τ: kept as the fallback
        { 7, 0.1f, 1 },      // some above
        { 300, 5f, 2 },      // none above: fallback among planted equal maxima
        { 301, 5f, 3 },      // none above, NaNs planted before the maxima
        { 513, -5f, 4 },     // all above
    };

    public static float[] Scores(int n, int seed)
    {
        var rng = new System.Random(seed);
        var s = Enumerable.Range(0, n).Select(_ => (float)(rng.NextDouble() * 2 - 1)).ToArray();
        if (seed >= 2 && n > 250)
        {
            s[40] = 1.5f; s[250] = 1.5f; s[n - 1] = 1.5f; // equal largest: 40 must win
            if (seed == 3) { s[0] = float.NaN; s[10] = float.NaN; }
        }
        return s;
    }

    public static float[] Reference(float[] s, float tau)
    {
        var m = s.Select(v => v >= tau ? 1f : 0f).ToArray();
        if (m.Contains(1f)) return m;
        int best = -1;
        for (int j = 0; j < s.Length; j++)
            if (!float.IsNaN(s[j]) && (best < 0 || s[j] > s[best])) best = j;
        m[best < 0 ? 0 : best] = 1f;
        return m;
    }

    public static float[] Run(Backend backend, float[] s, float tau)
    {
        using var scores = backend.Allocate<float>(s.Length);
        backend.Upload<float>(s, scores);
        using var mask = backend.Allocate<float>(s.Length);
        backend.ThresholdMask(scores, s.Length, tau, mask);
        return backend.ToArray(mask);
    }
}

public sealed class ThresholdMaskTests
{
    [Theory]
    [MemberData(nameof(ThresholdMaskCases.Cases), MemberType = typeof(ThresholdMaskCases))]
    public void Cpu_keeps_scores_at_or_above_tau_else_the_first_largest(int n, float tau, int seed)
    {
        using var backend = new CpuBackend();
        var s = ThresholdMaskCases.Scores(n, seed);
        Assert.Equal(ThresholdMaskCases.Reference(s, tau), ThresholdMaskCases.Run(backend, s, tau));
    }

    [Fact]
    public void The_reference_tells_a_last_of_equal_fallback_apart()
    {
        // A variant keeping the last of the equal largest (≥ instead of >) must not pass as right.
        var s = ThresholdMaskCases.Scores(300, 2);
        var wrong = s.Select(_ => 0f).ToArray();
        wrong[299] = 1f;
        Assert.NotEqual(ThresholdMaskCases.Reference(s, 5f), wrong);
        Assert.Equal(1f, ThresholdMaskCases.Reference(s, 5f)[40]);
    }

    [Fact]
    public void The_mask_may_not_be_the_scores()
    {
        using var backend = new CpuBackend();
        using var b = backend.Allocate<float>(3);
        Assert.Contains("ThresholdMask", Assert.Throws<ArgumentException>(() => backend.ThresholdMask(b, 3, 0f, b)).Message);
    }
}

[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuThresholdMaskTests(IlgpuSimulatorFixture fixture)
{
    [Theory]
    [MemberData(nameof(ThresholdMaskCases.Cases), MemberType = typeof(ThresholdMaskCases))]
    public void Ilgpu_keeps_scores_at_or_above_tau_else_the_first_largest(int n, float tau, int seed)
    {
        var s = ThresholdMaskCases.Scores(n, seed);
        Assert.Equal(ThresholdMaskCases.Reference(s, tau), ThresholdMaskCases.Run(fixture.Backend, s, tau));
    }
}
