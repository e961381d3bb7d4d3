using SparseCore.Models.Flops;
using SparseCore.Pass.Baselines;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Tensors;
using static SparseCore.Pass.Tests.Baselines.BaselineKit;

namespace SparseCore.Pass.Tests.Baselines;

/// <summary>
/// ABCPruner's widths on ResNet-20: one per mask in union mode, one per residual stream (and per
/// inner conv) in shared mode; a group keeps its best units; every candidate is projected onto the
/// budget — exactly the unit count of a sparsity budget, at or just under a FLOPs one — keeping the
/// candidate's shape.
/// </summary>
public class WidthGroupsTests
{
    private static (WidthGroups Groups, ChannelBudget Budget) Build(ChannelGraph graph, ResidualMode mode, double sparsity, float[]? scores = null) =>
        (new WidthGroups(graph, ChannelCoupling.Of(graph, mode), scores ?? Random(graph.TotalChannels, 5, 0f, 1f)), new ChannelBudget(graph, sparsity, mode));

    [Fact]
    public void Union_mode_has_a_width_per_mask_and_shared_mode_one_per_stream()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        Assert.Equal(graph.Masks.Count, Build(graph, ResidualMode.Union, 0.5).Groups.Count);
        // Three streams (conv shortcuts: independent) and the nine blocks' inner convs.
        var (shared, _) = Build(graph, ResidualMode.Shared, 0.5);
        Assert.Equal(3 + 9, shared.Count);
        Assert.Equal(16 + 32 + 64 + 336, Enumerable.Range(0, shared.Count).Sum(shared.Units));
    }

    [Fact]
    public void A_group_keeps_its_best_units_and_every_mask_keeps_one()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var scores = Enumerable.Range(0, graph.TotalChannels).Select(i => (float)(i % 7)).ToArray();
        var (groups, _) = Build(graph, ResidualMode.Union, 0.5, scores);
        var keep = Enumerable.Range(0, groups.Count).Select(g => g == 0 ? 5 : 0).ToArray();
        var masks = new ChannelBudget(graph, 0.5, ResidualMode.Union).Split(groups.Mask(keep));
        // The stem (mask 0) scores 0…6, 0…6, 0, 1: its 5 best are 6, 6, 5, 5 at channels 6, 13, 5, 12 and the
        // first of the two 4s (channels 4 and 11; ties go to the lower channel).
        Assert.Equal([4, 5, 6, 12, 13], Enumerable.Range(0, 16).Where(c => masks[0][c] == 1f));
        Assert.All(masks.Skip(1), m => Assert.Equal(1, m.Count(v => v == 1f)));
    }

    [Theory]
    [InlineData(ResidualMode.Shared, 0.5)]
    [InlineData(ResidualMode.Shared, 0.7)]
    [InlineData(ResidualMode.Union, 0.3)]
    public void A_sparsity_budget_is_met_exactly_whatever_the_candidate(ResidualMode mode, double sparsity)
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var (groups, budget) = Build(graph, mode, sparsity);
        var rng = new System.Random(11);
        for (int trial = 0; trial < 5; trial++)
        {
            var levels = Enumerable.Range(0, groups.Count).Select(_ => rng.Next(1, 11)).ToArray();
            var keep = groups.Project(levels, 10, m => groups.KeptUnits(m) <= budget.Target);
            Assert.Equal(budget.Target, groups.KeptUnits(groups.Mask(keep)));
        }
    }

    [Fact]
    public void The_projection_keeps_the_candidates_shape()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var (groups, budget) = Build(graph, ResidualMode.Shared, 0.5);
        var wide = Enumerable.Repeat(2, groups.Count).ToArray();
        wide[1] = 10;
        var keep = groups.Project(wide, 10, m => groups.KeptUnits(m) <= budget.Target);
        var shares = keep.Select((k, g) => (double)k / groups.Units(g)).ToArray();
        Assert.Equal(1.0, shares[1]);
        Assert.All(shares.Where((_, g) => g != 1), s => Assert.InRange(s, 0.3, 0.65));
    }

    [Fact]
    public void A_flops_budget_lands_at_or_just_under_its_target()
    {
        using var model = ResNet20();
        var graph = ChannelGraph.Of(model);
        var input = new Shape(1, 3, Side, Side);
        long dense = ModelCost.Measure(model, input).Macs;
        var macsOf = ExtractedCost.MacsOf(model, input, ResidualMode.Shared);
        var budget = ChannelBudget.ForFlops(graph, ResidualMode.Shared, macsOf, dense / 2);
        var groups = new WidthGroups(graph, budget.Coupling, Random(graph.TotalChannels, 5, 0f, 1f));
        var levels = Enumerable.Range(0, groups.Count).Select(g => 1 + g % 10).ToArray();
        long macs = macsOf(budget.Split(groups.Mask(groups.Project(levels, 10, m => macsOf(budget.Split(m)) <= budget.TargetMacs))));
        Assert.InRange(macs, (long)(0.97 * budget.TargetMacs), budget.TargetMacs);
    }
}
