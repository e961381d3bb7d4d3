using SparseCore.Pass.Baselines;

namespace SparseCore.Pass.Methods;

/// <summary>`group-l1`: Torch-Pruning's group L1 over every parameter coupled to a channel (<see cref="ChannelImportance.GroupL1"/>).</summary>
public sealed class GroupL1Method : GlobalRanking
{
    protected override float[] Scores(MethodContext context) => ChannelImportance.GroupL1(context.Dense, context.Graph);
}
