using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using static SparseCore.Pass.Tests.Masks.MaskTestKit;

namespace SparseCore.Pass.Tests.Masks;

/// <summary>
/// The global top-k budget on ResNet-20's 19 distinct masks (688 channels): the count kept is
/// exactly round((1 − s)·688), every mask keeps at least one channel, ties resolve by position, and
/// when the count is below 19 the ≥ 1 rule binds (19 kept, one per mask).
/// </summary>
public class ChannelBudgetTests
{
    private static readonly ChannelGraph Graph = GraphOf();

    private static ChannelGraph GraphOf()
    {
        using Module model = ResNet20();
        return ChannelGraph.Of(model);
    }

    private static int[] KeptPerMask(ChannelBudget budget, float[] mask) =>
        Enumerable.Range(0, budget.MaskCount).Select(m => mask.Skip(budget.Offset(m)).Take(budget.Width(m)).Count(v => v == 1f)).ToArray();

    /// <summary>Plain global top-k by (score desc, position asc), with no per-mask floor.</summary>
    private static float[] PlainTopK(float[] scores, int k)
    {
        var order = Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k);
        var mask = new float[scores.Length];
        foreach (int i in order) mask[i] = 1f;
        return mask;
    }

    [Theory]
    [InlineData(0.0, 688, false)]
    [InlineData(0.1, 619, false)]
    [InlineData(0.3, 482, false)]
    [InlineData(0.5, 344, false)]
    [InlineData(0.7, 206, false)]
    [InlineData(0.95, 34, true)]
    public void Keeps_exactly_the_stated_count(double sparsity, int expected, bool someMaskMissesThePlainTopK)
    {
        var budget = new ChannelBudget(Graph, sparsity);
        Assert.Equal(688, budget.Total);
        Assert.Equal(expected, budget.Target);
        Assert.False(budget.FloorBinds);
        var scores = Random(688, 3, -1f, 1f);
        var selection = budget.Select(scores);
        Assert.Equal(expected, selection.Mask.Count(v => v == 1f));
        Assert.All(selection.Mask, v => Assert.True(v is 0f or 1f));
        Assert.All(KeptPerMask(budget, selection.Mask), k => Assert.True(k >= 1));
        // Where every mask already has a channel in the plain top-k the floor changes nothing; at
        // s = 0.95 some mask has none, so its best channel displaces the plain top-k's weakest.
        var plain = PlainTopK(scores, expected);
        Assert.Equal(someMaskMissesThePlainTopK, KeptPerMask(budget, plain).Contains(0));
        if (someMaskMissesThePlainTopK) Assert.NotEqual(plain, selection.Mask);
        else Assert.Equal(plain, selection.Mask);
        Assert.Equal(scores.OrderDescending().ElementAt(expected - 1), selection.Threshold);
    }

    [Fact]
    public void A_starved_mask_keeps_its_best_channel_and_the_count_stays_exact()
    {
        var budget = new ChannelBudget(Graph, 0.5);
        var scores = Random(688, 4, 0f, 1f);
        int starved = 5, offset = budget.Offset(starved);
        for (int j = 0; j < budget.Width(starved); j++) scores[offset + j] = -10f - j;
        var selection = budget.Select(scores);
        Assert.Equal(344, selection.Mask.Count(v => v == 1f));
        Assert.Equal(1, KeptPerMask(budget, selection.Mask)[starved]);
        Assert.Equal(1f, selection.Mask[offset]);
        // The reserved channel displaces exactly the weakest channel of the plain top-k.
        var plain = PlainTopK(scores, 344);
        int displaced = Enumerable.Range(0, 688).Single(i => plain[i] == 1f && selection.Mask[i] == 0f);
        Assert.Equal(scores.Where((_, i) => plain[i] == 1f).Min(), scores[displaced]);
    }

    [Fact]
    public void Ties_resolve_by_mask_then_channel()
    {
        var budget = new ChannelBudget(Graph, 0.5);
        var selection = budget.Select(new float[688]);
        var expected = new float[688];
        for (int m = 0; m < budget.MaskCount; m++) expected[budget.Offset(m)] = 1f;
        int left = 344 - budget.MaskCount;
        for (int i = 0; left > 0; i++)
        {
            if (expected[i] == 1f) continue;
            expected[i] = 1f;
            left--;
        }
        Assert.Equal(expected, selection.Mask);
        Assert.Equal(0f, selection.Threshold);
    }

    [Fact]
    public void Below_one_channel_per_mask_the_floor_binds()
    {
        var budget = new ChannelBudget(Graph, 0.99);
        Assert.Equal(7, budget.Target);
        Assert.True(budget.FloorBinds);
        var scores = Random(688, 6, -1f, 1f);
        var selection = budget.Select(scores);
        Assert.Equal(19, selection.Kept);
        Assert.All(KeptPerMask(budget, selection.Mask), k => Assert.Equal(1, k));
        for (int m = 0; m < budget.MaskCount; m++)
        {
            var part = scores.Skip(budget.Offset(m)).Take(budget.Width(m)).ToArray();
            Assert.Equal(1f, selection.Mask[budget.Offset(m) + Array.IndexOf(part, part.Max())]);
        }
    }

    [Fact]
    public void Bad_budgets_and_scores_are_refused()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelBudget(Graph, 1.0));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelBudget(Graph, -0.1));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ChannelBudget(Graph, double.NaN));
        var budget = new ChannelBudget(Graph, 0.5);
        Assert.Contains("688", Assert.Throws<ArgumentException>(() => budget.Select(new float[687])).Message);
        var nan = new float[688];
        nan[10] = float.NaN;
        var e = Assert.Throws<NonFiniteScoreException>(() => budget.Select(nan));
        Assert.Equal(10, e.Index);
        Assert.Contains("score 10 is NaN", e.Message);
    }
}
