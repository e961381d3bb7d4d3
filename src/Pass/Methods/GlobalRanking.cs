namespace SparseCore.Pass.Methods;

/// <summary>
/// A channel method that scores every channel and lets the budget cut them globally (higher keeps):
/// the score is all it has to say. The scores are in the hypernetwork's layout, one per channel of
/// every distinct mask, concatenated in graph order.
/// </summary>
public abstract class GlobalRanking : PruningMethod
{
    public sealed override SelectionKind Kind => SelectionKind.Channels;

    /// <summary>One score per channel of every distinct mask.</summary>
    protected abstract float[] Scores(MethodContext context);

    /// <summary>What scoring cost besides the ranking (slimming's sparsity training).</summary>
    protected virtual StageOneCost Cost(MethodContext context) => new(0, 0);

    public sealed override Selection Select(MethodContext context)
    {
        var scores = Scores(context);
        var budget = context.Budget;
        return new ChannelSelection(budget.Split(budget.Select(scores).Mask), null, Cost(context));
    }
}
