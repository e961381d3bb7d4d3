using SparseCore.Pass.Baselines;

namespace SparseCore.Pass.Methods;

/// <summary>`l1`: Li et al. 2017's filter-only L1 norm, mean-normalised per mask, cut globally (<see cref="ChannelImportance.L1"/>).</summary>
public sealed class L1Method : GlobalRanking
{
    protected override float[] Scores(MethodContext context) => ChannelImportance.L1(context.Dense, context.Graph);
}
