using SparseCore.Kernels.Tests.Ilgpu;

namespace SparseCore.Kernels.Tests.Masked;

/// <summary>The score mask's ILGPU kernel on the CPU simulator (bounds-checked views) against the same exact reference as the CPU backend.</summary>
[Collection(IlgpuSimulatorCollection.Name)]
public sealed class IlgpuScoreMaskTests(IlgpuSimulatorFixture fixture)
{
    private readonly SparseCore.Kernels.Ilgpu.IlgpuBackend backend = fixture.Backend;

    public static TheoryData<int, string> Cases()
    {
        var data = new TheoryData<int, string>();
        foreach (int n in new[] { 1, 7, 1031, 4099 })
            foreach (string variant in ScoreMaskCase.Variants) data.Add(n, variant);
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void Backward_matches_the_double_reference_exactly(int n, string variant) =>
        ScoreMaskCase.Random(n, n).AssertMatchesReference(backend, variant, $"ilgpu-cpu n={n} {variant}");

    [Fact]
    public void A_NaN_score_gives_a_NaN_score_gradient_not_zero()
    {
        var c = ScoreMaskCase.Random(37, 5);
        c.S[2] = float.NaN;
        var ds = c.Run(backend, "ds").Ds!;
        Assert.True(float.IsNaN(ds[2]));
        Assert.Equal(36, ds.Count(float.IsFinite));
    }
}
