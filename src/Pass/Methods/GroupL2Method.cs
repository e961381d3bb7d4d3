using SparseCore.Pass.Baselines;

namespace SparseCore.Pass.Methods;

/// <summary>`group-l2`: DepGraph-style group L2 magnitude (<see cref="ChannelImportance.GroupL2"/>).</summary>
public sealed class GroupL2Method : GlobalRanking
{
    protected override float[] Scores(MethodContext context) => ChannelImportance.GroupL2(context.Dense, context.Graph);
}
