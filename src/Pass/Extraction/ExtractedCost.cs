using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Prompts;
using SparseCore.Tensors;

namespace SparseCore.Pass.Extraction;

/// <summary>
/// The MACs the extracted network would have, without building it: the channel plan's kept widths
/// (the union of each residual stream in union mode, also given to zero-padding shortcuts, whose
/// extracted output is the whole stream) walked through the dense model's shape trace.
/// Each call builds a channel plan and walks the shape trace once, and a FLOPs budget calls it often:
/// about log₂(units) times for its bisection, then — whenever the best whole prefix overshoots the
/// target, which is the usual case — once for every unit outside that prefix in its top-up, so up
/// to the whole unit count per selection, i.e. per stage-1 step.
/// </summary>
public static class ExtractedCost
{
    /// <summary>A function from masks (one 0/1 vector per distinct mask) to the extracted network's MACs for <paramref name="input"/>.</summary>
    public static Func<IReadOnlyList<float[]>, long> MacsOf(Module dense, Shape input, ResidualMode mode)
    {
        ArgumentNullException.ThrowIfNull(dense);
        if (dense is PromptedModel prompted) dense = prompted.Backbone;
        var graph = ChannelGraph.Of(dense);
        var convs = graph.Layers.Where(l => l.Kind == LayerKind.Conv).Select(l => l.Name).ToArray();
        return masks =>
        {
            var plan = ChannelPlan.Build(graph, masks, mode);
            var widths = convs.ToDictionary(name => name, name => plan.Outputs(name).Count);
            foreach (var group in graph.Groups)
                if (group.PaddingShortcut is string shortcut) widths[shortcut] = plan.Outputs(group.Writers[0]).Count;
            return ModelCost.Measure(dense, input, widths).Macs;
        };
    }
}
