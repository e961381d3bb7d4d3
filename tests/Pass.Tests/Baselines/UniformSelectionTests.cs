using SparseCore.Pass.Baselines;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Baselines.BaselineKit;

namespace SparseCore.Pass.Tests.Baselines;

/// <summary>Uniform per-mask selection: round((1 − s)·C) with midpoints away from zero, at least one, the top channels by score, ties to the lower index.</summary>
public class UniformSelectionTests
{
    [Theory]
    [InlineData(16, 0.5, 8)]
    [InlineData(5, 0.5, 3)]      // 2.5 rounds away from zero
    [InlineData(7, 0.5, 4)]      // 3.5
    [InlineData(13, 0.3, 9)]     // 9.1
    [InlineData(64, 0.6, 26)]    // 25.6
    [InlineData(7, 0.0, 7)]
    [InlineData(16, 0.97, 1)]    // 0.48 rounds to 0: the ≥ 1 rule
    [InlineData(3, 0.9, 1)]      // 0.3
    public void Keep_count_rounds_half_away_from_zero_and_keeps_at_least_one(int channels, double sparsity, int keep) =>
        Assert.Equal(keep, UniformSelection.KeepCount(channels, sparsity));

    [Theory]
    [InlineData(1.0)]
    [InlineData(-0.1)]
    [InlineData(double.NaN)]
    public void Keep_count_refuses_a_sparsity_outside_0_to_1(double sparsity) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => UniformSelection.KeepCount(9, sparsity));

    [Fact]
    public void Every_mask_keeps_its_own_top_fraction()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var scores = Random(graph.TotalChannels, 21, -3f, 3f);
        var masks = UniformSelection.Select(graph, scores, 0.6);
        Assert.Equal(graph.Masks.Count, masks.Length);
        foreach (var spec in graph.Masks)
        {
            var mask = masks[spec.Id];
            Assert.Equal(spec.Channels, mask.Length);
            Assert.All(mask, v => Assert.True(v is 0f or 1f));
            int keep = UniformSelection.KeepCount(spec.Channels, 0.6);
            Assert.Equal(keep, mask.Count(v => v == 1f));
            // Every kept channel scores at least as high as every dropped one.
            var own = Slice(graph, scores, spec.Id);
            float worstKept = own.Where((_, c) => mask[c] == 1f).Min();
            float bestDropped = own.Where((_, c) => mask[c] == 0f).Max();
            Assert.True(worstKept > bestDropped, $"mask {spec.Id}: kept {worstKept} below dropped {bestDropped}");
        }
        // Counts 16 → 6, 32 → 13, 64 → 26.
        Assert.Equal([6, 13, 26], graph.Masks.Select(m => m.Channels).Distinct().Select(c => UniformSelection.KeepCount(c, 0.6)));
    }

    [Fact]
    public void Ties_go_to_the_lower_channel_index()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var scores = new float[graph.TotalChannels];   // all equal
        int second = graph.Masks[0].Channels;           // mask 1's channels start here
        scores[second + 5] = 2f;
        scores[second + 2] = 1f;
        scores[second + 9] = 1f;
        scores[second + 11] = 1f;
        var masks = UniformSelection.Select(graph, scores, 0.75);   // 16 channels keep 4
        Assert.Equal([0, 1, 2, 3], Kept(masks[0]));
        Assert.Equal([2, 5, 9, 11], Kept(masks[1]));
        scores[second + 12] = 1f;                        // a fourth 1: the tie drops channel 12
        Assert.Equal([2, 5, 9, 11], Kept(UniformSelection.Select(graph, scores, 0.75)[1]));
    }

    [Fact]
    public void At_extreme_sparsity_every_mask_keeps_exactly_its_best_channel()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var scores = Random(graph.TotalChannels, 5, 0f, 1f);
        var masks = UniformSelection.Select(graph, scores, 0.99);
        foreach (var spec in graph.Masks)
        {
            var own = Slice(graph, scores, spec.Id);
            Assert.Equal([Array.IndexOf(own, own.Max())], Kept(masks[spec.Id]));
        }
    }

    [Fact]
    public void Wrong_length_and_non_finite_scores_are_refused()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var e = Assert.Throws<ArgumentException>(() => UniformSelection.Select(graph, new float[graph.TotalChannels - 1], 0.5));
        Assert.Contains($"{graph.TotalChannels}", e.Message);
        var scores = new float[graph.TotalChannels];
        scores[17] = float.NaN;
        e = Assert.Throws<ArgumentException>(() => UniformSelection.Select(graph, scores, 0.5));
        Assert.Contains("score 17", e.Message);
    }

    private static int[] Kept(float[] mask) => Enumerable.Range(0, mask.Length).Where(c => mask[c] == 1f).ToArray();

    [Theory]
    [InlineData(ResidualMode.Shared, 0.4)]
    [InlineData(ResidualMode.Union, 0.6)]
    public void A_flops_budget_lands_within_one_percent_under_its_target(ResidualMode mode, double ratio)
    {
        using var dense = ResNet20();
        var graph = ChannelGraph.Of(dense);
        var input = new Shape(1, 3, Side, Side);
        var macsOf = ExtractedCost.MacsOf(dense, input, mode);
        long target = (long)Math.Round(ratio * SparseCore.Models.Flops.ModelCost.Measure(dense, input).Macs);
        var budget = ChannelBudget.ForFlops(graph, mode, macsOf, target);

        var masks = UniformSelection.ForFlops(graph, budget, Random(graph.TotalChannels, 5, 0f, 1f), macsOf);
        long macs = macsOf(masks);
        Assert.InRange(macs, (long)(0.99 * target), target);
        Assert.All(masks, m => Assert.Contains(1f, m));
    }

    [Fact]
    public void Flops_selection_needs_a_flops_budget()
    {
        using var dense = ResNet20();
        var graph = ChannelGraph.Of(dense);
        var budget = new ChannelBudget(graph, 0.5, ResidualMode.Shared);
        var e = Assert.Throws<ArgumentException>(() => UniformSelection.ForFlops(graph, budget, new float[graph.TotalChannels], _ => 0));
        Assert.Contains("FLOPs budget", e.Message);
    }
}
