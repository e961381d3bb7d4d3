using SparseCore.Pass.Baselines;

namespace SparseCore.Pass.Methods;

/// <summary>`random`: uniform random scores from the run's seed, cut by the same budget (<see cref="ChannelImportance.Random"/>).</summary>
public sealed class RandomMethod : GlobalRanking
{
    protected override float[] Scores(MethodContext context) => ChannelImportance.Random(context.Graph, context.Options.Seed);
}
