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
/// Shared mode's coupled units (one per residual-stream channel, carried channels of a zero-padding
/// shortcut tied to their source) and the FLOPs budget, checked on the networks extraction builds.
/// </summary>
public class CoupledBudgetTests
{
    private const int Side = 28, Classes = 10;

    private static Module Dense(string name) => ModelZoo.Create(name, ModuleInit.Undrawn(Cpu), 1, Side, Side, Classes);

    private static float[] Scores(int n, int seed)
    {
        var rng = new System.Random(seed);
        return Enumerable.Range(0, n).Select(_ => (float)rng.NextDouble()).ToArray();
    }

    [Fact]
    public void Union_units_are_the_channels_and_shared_units_follow_the_streams()
    {
        using var resnet20 = Dense("resnet20");
        var graph = ChannelGraph.Of(resnet20);
        Assert.Equal(688, ChannelCoupling.Of(graph, ResidualMode.Union).UnitCount);
        // 9 first convs (3·16 + 3·32 + 3·64 = 336) and one stream of 64 whose first 16 and 32
        // channels are carried from the narrower streams by the zero-padding shortcuts.
        Assert.Equal(336 + 64, ChannelCoupling.Of(graph, ResidualMode.Shared).UnitCount);

        using var resnet18 = Dense("resnet18");
        var g18 = ChannelGraph.Of(resnet18);
        int ungrouped = g18.Masks.Where(m => m.Group is null).Sum(m => m.Channels);
        Assert.Equal(ungrouped + g18.Groups.Sum(g => g.Channels), ChannelCoupling.Of(g18, ResidualMode.Shared).UnitCount);
    }

    [Theory]
    [InlineData("resnet20", 0.5)]
    [InlineData("resnet18", 0.3)]
    public void Shared_selection_ties_each_residual_group_and_extracts_to_the_masked_MACs(string model, double sparsity)
    {
        using var dense = Dense(model);
        var graph = ChannelGraph.Of(dense);
        var budget = new ChannelBudget(graph, sparsity, ResidualMode.Shared);
        var selection = budget.Select(Scores(graph.TotalChannels, 7));
        Assert.Equal(budget.Target, selection.Kept);
        var masks = budget.Split(selection.Mask);
        foreach (var group in graph.Groups)
            foreach (int m in group.Masks) Assert.Equal(masks[group.Masks[0]], masks[m]);
        Assert.All(masks, m => Assert.Contains(1f, m));
        var extracted = Extractor.Extract(dense, new ModelDescription(model, 1, Side, Side, Classes), masks, ResidualMode.Shared);
        using (extracted.Model)
        {
            Assert.Equal(extracted.MaskedMacs, extracted.ExtractedMacs);
            Assert.Equal(extracted.ExtractedMacs, ExtractedCost.MacsOf(dense, new Shape(1, 1, Side, Side), ResidualMode.Shared)(masks));
        }
    }

    [Theory]
    [InlineData("resnet20", ResidualMode.Union)]
    [InlineData("resnet20", ResidualMode.Shared)]
    [InlineData("resnet18", ResidualMode.Union)]
    [InlineData("vgg16_bn", ResidualMode.Union)]
    public void Extracted_cost_equals_the_extracted_network(string model, ResidualMode mode)
    {
        using var dense = Dense(model);
        var graph = ChannelGraph.Of(dense);
        var masks = RandomMasks(graph, 11, mode == ResidualMode.Shared);
        var extracted = Extractor.Extract(dense, new ModelDescription(model, 1, Side, Side, Classes), masks, mode);
        using (extracted.Model)
            Assert.Equal(extracted.ExtractedMacs, ExtractedCost.MacsOf(dense, new Shape(1, 1, Side, Side), mode)(masks));
    }

    [Theory]
    [InlineData("resnet20", ResidualMode.Union, 0.5)]
    [InlineData("resnet20", ResidualMode.Shared, 0.5)]
    [InlineData("resnet20", ResidualMode.Union, 0.3)]
    [InlineData("resnet18", ResidualMode.Shared, 0.6)]
    public void Flops_budget_lands_within_one_percent_of_its_target(string model, ResidualMode mode, double ratio)
    {
        using var dense = Dense(model);
        var graph = ChannelGraph.Of(dense);
        var input = new Shape(1, 1, Side, Side);
        var macsOf = ExtractedCost.MacsOf(dense, input, mode);
        long denseMacs = SparseCore.Models.Flops.ModelCost.Measure(dense, input).Macs;
        long target = (long)Math.Round(ratio * denseMacs);
        var budget = ChannelBudget.ForFlops(graph, mode, macsOf, target);
        var selection = budget.Select(Scores(graph.TotalChannels, 3));
        var extracted = Extractor.Extract(dense, new ModelDescription(model, 1, Side, Side, Classes), budget.Split(selection.Mask), mode);
        using (extracted.Model)
        {
            double achieved = (double)extracted.ExtractedMacs / denseMacs;
            Assert.True(Math.Abs(achieved - ratio) <= 0.01 * ratio, $"{model} {mode}: asked {ratio:F3} of the dense MACs, extracted network has {achieved:F4}");
        }
        Assert.Equal(1 - (double)selection.Kept / budget.Coupling.UnitCount, selection.Sparsity, 12);
    }

    [Fact]
    public void Closing_per_layer_masks_over_the_coupling_gives_masks_shared_extraction_accepts()
    {
        using var dense = Dense("resnet20");
        var graph = ChannelGraph.Of(dense);
        var coupling = ChannelCoupling.Of(graph, ResidualMode.Shared);
        var open = RandomMasks(graph, 5, shared: false).SelectMany(m => m).ToArray();
        var closed = coupling.Close(open);
        Assert.All(open.Zip(closed), pair => Assert.True(pair.Second >= pair.First));
        var budget = new ChannelBudget(graph, 0.5, ResidualMode.Shared);
        var extracted = Extractor.Extract(dense, new ModelDescription("resnet20", 1, Side, Side, Classes), budget.Split(closed), ResidualMode.Shared);
        using (extracted.Model) Assert.Equal(extracted.MaskedMacs, extracted.ExtractedMacs);
        Assert.Equal(open, ChannelCoupling.Of(graph, ResidualMode.Union).Close(open));
    }
}
