using SparseCore.Pass.Baselines;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Pass.Methods;

/// <summary>`uniform`: the same share of every layer, its channels chosen by filter L1 (closed over coupled channels in shared mode; <see cref="UniformSelection"/>).</summary>
public sealed class UniformMethod : PruningMethod
{
    public override SelectionKind Kind => SelectionKind.Channels;

    public override void Validate(PruneOptions options)
    {
        if (options.RoundChannels != 1)
            throw new ArgumentException("--round-channels: uniform keeps round((1 − s)·C) of every layer by its own rule, not through the global channel selection that rounds kept counts");
    }

    public override Selection Select(MethodContext context)
    {
        var scores = ChannelImportance.L1(context.Dense, context.Graph);
        var masks = context.Options.Budget.Kind == BudgetKind.Sparsity
            ? UniformSelection.ForSparsity(context.Graph, context.Budget, scores, context.Options.Budget.Value)
            : UniformSelection.ForFlops(context.Graph, context.Budget, scores, context.MacsOf);
        return new ChannelSelection(masks, null, new StageOneCost(0, 0));
    }
}
