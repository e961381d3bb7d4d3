using SparseCore.Models.Flops;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Extraction.ExtractionKit;

namespace SparseCore.Pass.Tests.Masks;

/// <summary>
/// --round-channels K: the budget's cut over blocks of K units — kept counts per rounding group a
/// multiple of K (or the whole group), the count never exceeded and missed by less than K, the
/// highest-scoring channels of each group kept, and K = 1 the unrounded budget.
/// </summary>
public class RoundedBudgetTests
{
    private const int Side = 28, Classes = 10;

    private static Module Dense() => ModelZoo.Create("resnet20", ModuleInit.Undrawn(Cpu), 1, Side, Side, Classes);

    private static ChannelGraph Graph()
    {
        using var dense = Dense();
        return ChannelGraph.Of(dense);
    }

    private static float[] Scores(int n, int seed)
    {
        var rng = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    private static int[] KeptPerMask(ChannelBudget budget, float[] mask) =>
        Enumerable.Range(0, budget.MaskCount).Select(m => mask.Skip(budget.Offset(m)).Take(budget.Width(m)).Count(v => v == 1f)).ToArray();

    /// <summary>
    /// Union mode, K = 4, 82 of 688 channels. Every mask but the first two scores −100 and keeps only
    /// its reserved block of 4 (17 · 4 = 68). Mask 0 scores 1.0 .9 .8 .7 .6 then −1; mask 1 .95 .85
    /// .75 .65 .55 .5 .45 then −1. Blocks: mask 0 [1.0 .9 .8 .7] = .85 (reserved), [.6 −1 −1 −1] =
    /// −.6; mask 1 [.95 .85 .75 .65] = .8 (reserved), [.55 .5 .45 −1] = .125. After the 76 reserved,
    /// mask 1's second block fits (80 ≤ 82) and mask 0's does not (84): mask 0 keeps 4 (a plain top-82
    /// keeps 5 there, rounded to the nearest multiple: 4) and mask 1 keeps 8 (plain: 7 → 8), channels
    /// 0–7, the −1 one its lowest-indexed. 80 kept, 2 short of the count.
    /// </summary>
    [Fact]
    public void A_hand_computed_case()
    {
        var graph = Graph();
        var budget = new ChannelBudget(graph, 1 - 82.0 / 688, ResidualMode.Union, roundTo: 4);
        Assert.Equal(82, budget.Target);
        var scores = new float[688];
        Array.Fill(scores, -100f);
        float[] first = [1.0f, 0.9f, 0.8f, 0.7f, 0.6f], second = [0.95f, 0.85f, 0.75f, 0.65f, 0.55f, 0.5f, 0.45f];
        for (int j = 0; j < 16; j++)
        {
            scores[budget.Offset(0) + j] = j < first.Length ? first[j] : -1f;
            scores[budget.Offset(1) + j] = j < second.Length ? second[j] : -1f;
        }

        var selection = budget.Select(scores);

        var kept = KeptPerMask(budget, selection.Mask);
        Assert.Equal([4, 8, .. Enumerable.Repeat(4, 17)], kept);
        Assert.Equal(80, selection.Kept);
        Assert.Equal([1f, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f], selection.Mask[..16]);
        Assert.Equal([1f, 1f, 1f, 1f, 1f, 1f, 1f, 1f, 0f, 0f, 0f, 0f, 0f, 0f, 0f, 0f], selection.Mask[16..32]);
        // The recurrence's threshold is where a plain top-80 would cut: among the −100s.
        Assert.Equal(-100f, selection.Threshold);
    }

    [Theory]
    [InlineData(ResidualMode.Union, 4, 0.5)]
    [InlineData(ResidualMode.Union, 8, 0.3)]
    [InlineData(ResidualMode.Shared, 8, 0.5)]
    [InlineData(ResidualMode.Shared, 8, 0.7)]
    [InlineData(ResidualMode.Shared, 16, 0.4)]
    public void Kept_counts_are_multiples_of_K_and_the_count_holds(ResidualMode mode, int k, double sparsity)
    {
        var graph = Graph();
        var budget = new ChannelBudget(graph, sparsity, mode, k);
        var scores = Scores(graph.TotalChannels, 5);

        var selection = budget.Select(scores);

        // ResNet-20's widths (16, 32, 64) are multiples of K, and in shared mode so are the stream's
        // pieces a padding shortcut carries (16, 16, 32): every mask's count is a multiple of K.
        Assert.All(KeptPerMask(budget, selection.Mask), c => Assert.True(c > 0 && c % k == 0, $"a mask keeps {c} channels"));
        Assert.InRange(selection.Kept, budget.Target - (k - 1), budget.Target);
        Assert.Equal(selection.Kept, (int)Math.Round((1 - selection.Sparsity) * budget.Coupling.UnitCount));
        var masks = budget.Split(selection.Mask);
        // Each rounding group keeps its highest-scoring units (a stream's pieces are groups of their own).
        var unitScores = UnitScores(budget, scores);
        var (groups, _) = ChannelBlocks.Groups(budget.Coupling, Enumerable.Range(0, budget.MaskCount).Select(budget.Width).ToArray());
        foreach (var group in groups)
        {
            bool Kept(int u) => selection.Mask[budget.Coupling.Members(u)[0]] == 1f;
            float lowestKept = group.Where(Kept).Select(u => unitScores[u]).DefaultIfEmpty(float.MaxValue).Min();
            float highestDropped = group.Where(u => !Kept(u)).Select(u => unitScores[u]).DefaultIfEmpty(float.MinValue).Max();
            Assert.True(lowestKept >= highestDropped, $"a group keeps a unit scoring {lowestKept} and drops one scoring {highestDropped}");
            Assert.True(group.Count(Kept) % k == 0 || group.All(Kept), $"a group of {group.Length} keeps {group.Count(Kept)}");
        }
        if (mode == ResidualMode.Shared)
        {
            using var dense = Dense();
            var extracted = Extractor.Extract(dense, new ModelDescription("resnet20", 1, Side, Side, Classes), masks, mode);
            using (extracted.Model)
                Assert.All(extracted.Model.NamedModules().Select(m => m.Module).OfType<Conv2d>(),
                    c => Assert.True(c.OutChannels % k == 0, $"an extracted conv is {c.OutChannels} wide"));
        }
    }

    [Fact]
    public void A_flops_budget_rounds_and_stays_under_its_target()
    {
        using var dense = Dense();
        var graph = ChannelGraph.Of(dense);
        var input = new Shape(1, 1, Side, Side);
        var macsOf = ExtractedCost.MacsOf(dense, input, ResidualMode.Shared);
        long target = (long)Math.Round(0.4 * ModelCost.Measure(dense, input).Macs);
        var budget = ChannelBudget.ForFlops(graph, ResidualMode.Shared, macsOf, target, roundTo: 8);

        var selection = budget.Select(Scores(graph.TotalChannels, 9));

        Assert.All(KeptPerMask(budget, selection.Mask), c => Assert.True(c % 8 == 0, $"a mask keeps {c} channels"));
        long macs = macsOf(budget.Split(selection.Mask));
        Assert.True(macs <= target, $"{macs} MACs over the target {target}");
        Assert.True(macs >= 0.9 * target, $"{macs} MACs, far under the target {target}");
    }

    /// <summary>
    /// K = 1 selects what the budget selected before rounding existed: the SHA-256 of the mask,
    /// threshold and count, recorded from the budget of the commit before --round-channels.
    /// </summary>
    [Theory]
    [InlineData(ResidualMode.Union, false, "53fdeea63b4afd6bc19bb51de4daebfaba23a757fa6e2b31452bc51aeaada494")]
    [InlineData(ResidualMode.Shared, false, "eeec2a1cab7b361b88384b9b91878114932752a3a5856b99bb81b76bdb4ea79b")]
    [InlineData(ResidualMode.Union, true, "0dd1c0f1b7f30a6263e2779c1eb48a6dc2f8d7b2b86df21d8151756f3a99bfb5")]
    [InlineData(ResidualMode.Shared, true, "d090faf654f9714a73583ac3de984ea541afef08ecd3453448840538a0d4b880")]
    public void K_of_1_selects_what_the_unrounded_budget_did(ResidualMode mode, bool flops, string expected)
    {
        using var dense = Dense();
        var graph = ChannelGraph.Of(dense);
        var input = new Shape(1, 1, Side, Side);
        var budget = flops
            ? ChannelBudget.ForFlops(graph, mode, ExtractedCost.MacsOf(dense, input, mode), (long)Math.Round(0.35 * ModelCost.Measure(dense, input).Macs))
            : new ChannelBudget(graph, 0.6, mode);
        var selection = budget.Select(Scores(graph.TotalChannels, 13));
        var bytes = selection.Mask.SelectMany(BitConverter.GetBytes).Concat(BitConverter.GetBytes(selection.Threshold)).Concat(BitConverter.GetBytes(selection.Kept)).ToArray();
        Assert.Equal(expected, Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
    }

    [Fact]
    public void K_below_1_is_refused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelBudget(Graph(), 0.5, ResidualMode.Shared, roundTo: 0));
        Assert.Contains("whole number ≥ 1", e.Message);
    }

    /// <summary>Each coupled unit's score: the mean of its channels'.</summary>
    private static float[] UnitScores(ChannelBudget budget, float[] scores) =>
        Enumerable.Range(0, budget.Coupling.UnitCount)
            .Select(u => (float)(budget.Coupling.Members(u).Sum(p => (double)scores[p]) / budget.Coupling.Members(u).Count)).ToArray();
}
