using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Memory;

namespace SparseCore.Kernels.Tests.Masked;

/// <summary>
/// The score mask's straight-through backward on every <see cref="KernelTestBackends"/> backend
/// against its double reference at odd sizes (n = 100 003 spans several parallel chunks); the NaN
/// rule; and bad input rejected in one line before any kernel runs.
/// </summary>
public class ScoreMaskTests
{
    public static TheoryData<string, int, string> Cases()
    {
        var data = new TheoryData<string, int, string>();
        foreach (var b in KernelTestBackends.All)
            foreach (int n in new[] { 1, 7, 1031, 4099, 100_003 })
                foreach (string variant in ScoreMaskCase.Variants) data.Add(b.Name, n, variant);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_the_double_reference_exactly(string backendName, int n, string variant)
    {
        using var backend = KernelTestBackends.Create(backendName);
        ScoreMaskCase.Random(n, n).AssertMatchesReference(backend, variant, $"{backendName} n={n} {variant}");
        Assert.Equal(0, backend.Pool.LiveBuffers);
    }

    [Theory]
    [MemberData(nameof(KernelTestBackends.Names), MemberType = typeof(KernelTestBackends))]
    public void A_NaN_score_gives_a_NaN_score_gradient_not_zero(string backendName)
    {
        using var backend = KernelTestBackends.Create(backendName);
        // 37 puts one NaN on the vector path and one in the scalar tail.
        var c = ScoreMaskCase.Random(37, 5);
        c.S[2] = float.NaN;
        c.S[36] = float.NaN;
        var ds = c.Run(backend, "ds").Ds!;
        Assert.True(float.IsNaN(ds[2]) && float.IsNaN(ds[36]), $"{ds[2]}, {ds[36]}");
        Assert.Equal(35, ds.Count(float.IsFinite));
    }

    [Fact]
    public void No_requested_output_or_no_element_runs_no_kernel()
    {
        using var backend = new NoScoreMaskKernelBackend();
        using var b = backend.Allocate<float>(7);
        backend.ScoreMaskBackward(b, b, b, b, null, null, 7);
        backend.ScoreMaskBackward(b, b, b, b, b, b, 0);
    }

    [Theory]
    [InlineData("w")]
    [InlineData("scores")]
    [InlineData("mask")]
    [InlineData("dy")]
    [InlineData("dw")]
    [InlineData("dScores")]
    public void A_buffer_one_element_short_is_named_in_one_line(string operand)
    {
        using var backend = new NoScoreMaskKernelBackend();
        const int n = 7;
        var buffers = new[] { "w", "scores", "mask", "dy", "dw", "dScores" }.ToDictionary(name => name, name => backend.Allocate<float>(name == operand ? n - 1 : n));
        try
        {
            var e = Assert.Throws<ArgumentException>(() => backend.ScoreMaskBackward(
                buffers["w"], buffers["scores"], buffers["mask"], buffers["dy"], buffers["dw"], buffers["dScores"], n));
            Assert.Equal($"ScoreMaskBackward: {operand} has {n - 1} elements, needs {n}", e.Message);
        }
        finally
        {
            foreach (var b in buffers.Values) b.Dispose();
        }
    }

    [Fact]
    public void A_negative_count_and_a_foreign_buffer_are_rejected()
    {
        using var backend = new NoScoreMaskKernelBackend();
        using var other = new CpuBackend();
        using var b = backend.Allocate<float>(7);
        using var foreign = other.Allocate<float>(7);
        Assert.Equal("ScoreMaskBackward: element count must be ≥ 0, got -1",
            Assert.Throws<ArgumentException>(() => backend.ScoreMaskBackward(b, b, b, b, b, null, -1)).Message);
        Assert.Contains("another backend instance",
            Assert.Throws<ArgumentException>(() => backend.ScoreMaskBackward(b, foreign, b, b, b, null, 7)).Message);
    }

    /// <summary>A CPU backend whose score-mask kernel must never be reached by the calls above.</summary>
    private sealed class NoScoreMaskKernelBackend : CpuBackend
    {
        protected override void RunScoreMaskBackward(DeviceBuffer<float> w, DeviceBuffer<float> scores, DeviceBuffer<float> mask, DeviceBuffer<float> dy,
                                                     DeviceBuffer<float>? dw, DeviceBuffer<float>? dScores, int n)
            => throw new InvalidOperationException("ScoreMaskBackward ran despite invalid input or nothing to do");
    }
}
