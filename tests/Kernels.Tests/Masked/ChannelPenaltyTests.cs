using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Masked;
using SparseCore.Kernels.Tests.Ilgpu;

namespace SparseCore.Kernels.Tests.Masked;

/// <summary>
/// The channel penalties on both backends against double-precision references written out here, on
/// random inputs of odd sizes at nonzero offsets: ChannelSquares (a chain of per-channel Σ w² over
/// [outer, channels, inner]), ChannelPenalty (grad += scale·coefficient_c·w), UnitScales (per
/// segment, λ·16^((I_max − I)/(I_max − I_min)) of the units' norms). Each check is shown to reject a
/// plausible wrong reference, so a kernel with that bug could not pass it.
/// </summary>
public static class ChannelPenaltyCases
{
    /// <summary>outer, channels, inner, offset into a concatenation of total channels.</summary>
    public static TheoryData<int, int, int, int, int> Shapes => new()
    {
        { 3, 7, 5, 4, 15 },      // a reader's input columns at an offset
        { 1, 7, 35, 0, 7 },      // a layer's output rows, the whole concatenation
        { 5, 1, 1, 2, 3 },       // one channel, one element per output
        { 2, 300, 3, 11, 320 },  // more channels than one ILGPU group
    };

    public static float[] Random(int n, int seed, float lo = -1f, float hi = 1f)
    {
        var rng = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)(lo + rng.NextDouble() * (hi - lo))).ToArray();
    }

    public static double[] RandomSums(int n, int seed)
    {
        var rng = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => rng.NextDouble() * 3).ToArray();
    }

    /// <summary>The element index of [o, c, k]; <paramref name="ignoreInner"/> is the bug of flattening the inner axis away.</summary>
    private static int Channel(int index, int channels, int inner, bool ignoreInner) => ignoreInner ? index % channels : index / inner % channels;

    public static double[] Squares(float[] w, int outer, int channels, int inner, double[] sums, int offset, bool accumulate, bool ignoreInner = false)
    {
        var s = sums.ToArray();
        for (int c = 0; c < channels; c++)
            if (!accumulate) s[offset + c] = 0;
        for (int k = 0; k < outer * channels * inner; k++) s[offset + Channel(k, channels, inner, ignoreInner)] += (double)w[k] * w[k];
        return s;
    }

    public static double[] Penalty(float[] w, float[] grad, float[] coefficient, float scale, int offset, int channels, int inner, bool skipOffset = false)
    {
        var g = grad.Select(v => (double)v).ToArray();
        for (int k = 0; k < g.Length; k++) g[k] += (double)scale * coefficient[(skipOffset ? 0 : offset) + k / inner % channels] * w[k];
        return g;
    }

    /// <summary>λ·γ per channel; <paramref name="ownSumOnly"/> is the bug of ignoring the unit's other members.</summary>
    public static double[] Scales(double[] sums, int[] segments, int[][] members, float lambda, double maxScale, bool ownSumOnly = false)
    {
        var norms = Enumerable.Range(0, sums.Length).Select(p => Math.Sqrt(ownSumOnly ? sums[p] : members[p].Sum(m => sums[m]))).ToArray();
        var result = new double[sums.Length];
        int start = 0;
        foreach (int length in segments)
        {
            var seg = norms.Skip(start).Take(length).ToArray();
            double max = seg.Max(), min = seg.Min();
            for (int c = 0; c < length; c++)
                result[start + c] = lambda * (max > min ? Math.Pow(maxScale, (max - seg[c]) / (max - min)) : 1);
            start += length;
        }
        return result;
    }

    /// <summary>Segments of 3, 7 and 5 channels; channel p's unit pairs it with p ± 5 in a fixed pattern, some alone.</summary>
    public static (int[] Segments, int[][] Members) Units(bool equalSegment)
    {
        int[] segments = [3, 7, 5];
        var members = new int[15][];
        for (int p = 0; p < 15; p++) members[p] = p % 3 == 0 ? [p] : p < 10 ? [p, p + 5] : [p - 5, p];
        if (equalSegment) for (int p = 3; p < 10; p++) members[p] = [p];
        return (segments, members);
    }

    /// <summary>Element-wise |a − b| ≤ tolerance·max(1, |a|).</summary>
    public static bool Close(double[] expected, IReadOnlyList<double> actual, double tolerance) =>
        expected.Length == actual.Count && expected.Zip(actual).All(p => Math.Abs(p.First - p.Second) <= tolerance * Math.Max(1, Math.Abs(p.First)));

    public static double[] RunSquares(Backend backend, float[] w, int outer, int channels, int inner, double[] start, int offset, bool accumulate)
    {
        using var wb = backend.Allocate<float>(w.Length);
        backend.Upload<float>(w, wb);
        using var sums = backend.Allocate<double>(start.Length);
        backend.Upload<double>(start, sums);
        backend.ChannelSquares(wb, outer, channels, inner, sums, offset, accumulate);
        return backend.ToArray(sums);
    }

    public static double[] RunPenalty(Backend backend, float[] w, float[] grad, float[] coefficient, float scale, int offset, int outer, int channels, int inner)
    {
        using var wb = backend.Allocate<float>(w.Length);
        using var gb = backend.Allocate<float>(grad.Length);
        using var cb = backend.Allocate<float>(coefficient.Length);
        backend.Upload<float>(w, wb);
        backend.Upload<float>(grad, gb);
        backend.Upload<float>(coefficient, cb);
        backend.ChannelPenalty(wb, gb, cb, scale, offset, outer, channels, inner);
        return backend.ToArray(gb).Select(v => (double)v).ToArray();
    }

    public static double[] RunScales(Backend backend, double[] sums, int[] segments, int[][] members, float lambda, double maxScale)
    {
        using var sb = backend.Allocate<double>(sums.Length);
        backend.Upload<double>(sums, sb);
        using var units = new ChannelUnits(backend, segments, members);
        using var coefficient = backend.Allocate<float>(sums.Length);
        backend.UnitScales(sb, units, lambda, maxScale, coefficient);
        return backend.ToArray(coefficient).Select(v => (double)v).ToArray();
    }

    public static void CheckSquares(Backend backend, int outer, int channels, int inner, int offset, int total)
    {
        var w = Random(outer * channels * inner, outer * 100 + channels);
        var start = RandomSums(total, inner);
        foreach (bool accumulate in new[] { false, true })
        {
            var got = RunSquares(backend, w, outer, channels, inner, start, offset, accumulate);
            Assert.True(Close(Squares(w, outer, channels, inner, start, offset, accumulate), got, 1e-12), $"accumulate {accumulate}");
            if (inner > 1) Assert.False(Close(Squares(w, outer, channels, inner, start, offset, accumulate, ignoreInner: true), got, 1e-12));
        }
    }

    public static void CheckPenalty(Backend backend, int outer, int channels, int inner, int offset, int total)
    {
        var w = Random(outer * channels * inner, outer + channels);
        var grad = Random(w.Length, inner + 1);
        var coefficient = Random(total, total, 0f, 2f);
        var got = RunPenalty(backend, w, grad, coefficient, 0.375f, offset, outer, channels, inner);
        Assert.True(Close(Penalty(w, grad, coefficient, 0.375f, offset, channels, inner), got, 1e-6));
        if (offset > 0) Assert.False(Close(Penalty(w, grad, coefficient, 0.375f, offset, channels, inner, skipOffset: true), got, 1e-6));
    }

    public static void CheckScales(Backend backend, bool equalSegment)
    {
        var (segments, members) = Units(equalSegment);
        var sums = RandomSums(15, equalSegment ? 8 : 7);
        if (equalSegment) for (int p = 3; p < 10; p++) sums[p] = 1.25;
        var got = RunScales(backend, sums, segments, members, 0.5f, 16);
        var expected = Scales(sums, segments, members, 0.5f, 16);
        Assert.True(Close(expected, got, 1e-6));
        if (equalSegment) Assert.All(got.Skip(3).Take(7), c => Assert.Equal(0.5f, (float)c));
        Assert.False(Close(Scales(sums, segments, members, 0.5f, 16, ownSumOnly: true), got, 1e-6));
    }
}

public sealed class ChannelPenaltyTests
{
    [Theory]
    [MemberData(nameof(ChannelPenaltyCases.Shapes), MemberType = typeof(ChannelPenaltyCases))]
    public void Cpu_channel_squares_chain_each_channels_sum_of_squares(int outer, int channels, int inner, int offset, int total)
    {
        using var backend = new CpuBackend();
        ChannelPenaltyCases.CheckSquares(backend, outer, channels, inner, offset, total);
    }

    [Theory]
    [MemberData(nameof(ChannelPenaltyCases.Shapes), MemberType = typeof(ChannelPenaltyCases))]
    public void Cpu_channel_penalty_adds_scale_coefficient_w(int outer, int channels, int inner, int offset, int total)
    {
        using var backend = new CpuBackend();
        ChannelPenaltyCases.CheckPenalty(backend, outer, channels, inner, offset, total);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Cpu_unit_scales_grow_towards_the_weakest_unit_of_each_segment(bool equalSegment)
    {
        using var backend = new CpuBackend();
        ChannelPenaltyCases.CheckScales(backend, equalSegment);
    }

    [Fact]
    public void Bad_shapes_offsets_and_tables_are_refused_naming_the_argument()
    {
        using var backend = new CpuBackend();
        using var w = backend.Allocate<float>(105);
        using var grad = backend.Allocate<float>(105);
        using var coefficient = backend.Allocate<float>(15);
        using var sums = backend.Allocate<double>(15);
        string Param(Action a) => Assert.Throws<ArgumentException>(a).ParamName!;
        Assert.Equal("outer", Param(() => backend.ChannelSquares(w, 0, 7, 5, sums, 0, false)));
        Assert.Equal("channels", Param(() => backend.ChannelPenalty(w, grad, coefficient, 1f, 0, 3, 0, 5)));
        Assert.Equal("inner", Param(() => backend.ChannelSquares(w, 3, 7, -1, sums, 0, false)));
        Assert.Equal("offset", Param(() => backend.ChannelSquares(w, 3, 7, 5, sums, 9, false)));
        Assert.Equal("offset", Param(() => backend.ChannelPenalty(w, grad, coefficient, 1f, -1, 3, 7, 5)));
        Assert.Contains("grad", Assert.Throws<ArgumentException>(() => backend.ChannelPenalty(w, coefficient, coefficient, 1f, 0, 1, 7, 1)).Message);
        Assert.Contains("w has 105", Assert.Throws<ArgumentException>(() => backend.ChannelSquares(w, 3, 7, 6, sums, 0, false)).Message);
        Assert.Equal("scale", Param(() => backend.ChannelPenalty(w, grad, coefficient, float.NaN, 0, 3, 7, 5)));
        var (segments, members) = ChannelPenaltyCases.Units(false);
        using var units = new ChannelUnits(backend, segments, members);
        Assert.Equal("lambda", Param(() => backend.UnitScales(sums, units, -1f, 16, coefficient)));
        Assert.Equal("maxScale", Param(() => backend.UnitScales(sums, units, 1f, 0.5, coefficient)));
        using var few = backend.Allocate<float>(14);
        Assert.Contains("coefficient has 14", Assert.Throws<ArgumentException>(() => backend.UnitScales(sums, units, 1f, 16, few)).Message);
        members[4] = [4, 15];
        Assert.Equal("unitMembers", Param(() => new ChannelUnits(backend, segments, members)));
        Assert.Equal("unitMembers", Param(() => new ChannelUnits(backend, [3, 7, 4], members)));
        Assert.Equal("segments", Param(() => new ChannelUnits(backend, [3, 0, 12], members)));
    }
}

[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuChannelPenaltyTests(IlgpuSimulatorFixture fixture)
{
    [Theory]
    [MemberData(nameof(ChannelPenaltyCases.Shapes), MemberType = typeof(ChannelPenaltyCases))]
    public void Ilgpu_channel_squares_chain_each_channels_sum_of_squares(int outer, int channels, int inner, int offset, int total) =>
        ChannelPenaltyCases.CheckSquares(fixture.Backend, outer, channels, inner, offset, total);

    [Theory]
    [MemberData(nameof(ChannelPenaltyCases.Shapes), MemberType = typeof(ChannelPenaltyCases))]
    public void Ilgpu_channel_penalty_adds_scale_coefficient_w(int outer, int channels, int inner, int offset, int total) =>
        ChannelPenaltyCases.CheckPenalty(fixture.Backend, outer, channels, inner, offset, total);

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Ilgpu_unit_scales_grow_towards_the_weakest_unit_of_each_segment(bool equalSegment) =>
        ChannelPenaltyCases.CheckScales(fixture.Backend, equalSegment);
}
