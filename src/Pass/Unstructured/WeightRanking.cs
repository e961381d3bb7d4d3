using SparseCore.Pass.Methods;

namespace SparseCore.Pass.Unstructured;

/// <summary>
/// A one-shot weight method: one score per prunable weight (higher keeps), then one global cut at
/// the run's --sparsity (<see cref="GlobalSelection"/>) — the weight-level counterpart of
/// <see cref="GlobalRanking"/>. The score is all such a method has to say.
/// </summary>
public abstract class WeightRanking : PruningMethod
{
    public sealed override SelectionKind Kind => SelectionKind.Weights;

    /// <summary>One score array per prunable weight, in <paramref name="weights"/>' order, each of that weight's size.</summary>
    protected abstract float[][] Scores(MethodContext context, IReadOnlyList<PrunableWeight> weights);

    /// <summary>What scoring cost (the images SNIP reads).</summary>
    protected virtual StageOneCost Cost(MethodContext context) => new(0, 0);

    public sealed override Selection Select(MethodContext context)
    {
        var weights = PrunableWeights.Of(context.Dense);
        var masks = GlobalSelection.Masks(Scores(context, weights), WeightBudget(context));
        return new WeightSelection(PrunableWeights.ByName(weights, masks), null, Cost(context));
    }

    /// <summary>The share of prunable weights to remove (PruneOptions refuses a FLOPs budget for a weight method before a run starts).</summary>
    internal static double WeightBudget(MethodContext context) =>
        context.Options.Sparsity ?? throw new ArgumentException($"--flops: {context.Options.Method} prunes weights, whose budget is --sparsity");
}
