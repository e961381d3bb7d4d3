using SparseCore.Pass.Baselines;

namespace SparseCore.Pass.Methods;

/// <summary>
/// `depgraph`: DepGraph (Fang et al., CVPR 2023) with its group-sparsity training, as Torch-Pruning's
/// CIFAR recipe runs it — the dense weights trained over the --search-subset images for
/// --depgraph-epochs with the group regulariser (<see cref="GroupSparsity.Gradient"/>, λ =
/// --depgraph-lambda), then every coupled channel unit ranked globally by the squared L2 norm of all
/// its coupled parameters over its mask's largest (<see cref="GroupSparsity.Scores"/>). With
/// --depgraph-epochs 0 it is that criterion alone on the dense weights, which differs from `group-l2`
/// (a mask's mean-normalised norm per channel) in normalisation and, in shared mode, in taking a
/// unit's norm over all its streams' parameters. The trained weights are kept in the run folder for
/// a resumed run.
/// </summary>
public sealed class DepGraphMethod : GlobalRanking
{
    /// <summary>The weights after sparsity training; a resumed run extracts from these, not dense.safetensors.</summary>
    public const string TrainedFileName = "depgraph.safetensors";

    protected override float[] Scores(MethodContext context)
    {
        var s = context.Options;
        if (s.DepGraphEpochs > 0)
        {
            context.Log($"depgraph: {s.DepGraphEpochs} epochs of group-sparsity training (λ = {s.DepGraphLambda}, group scales 1…{GroupSparsity.MaxScale}) on {context.Data.SearchIndices.Length} images");
            using var penalty = GroupSparsity.Gradient(context.Dense, context.Graph, s.Mode, s.DepGraphLambda);
            PenalisedTraining.Run(context, s.DepGraphEpochs, penalty.Apply, "DepGraph (group-sparsity training)", TrainedFileName);
        }
        return GroupSparsity.Scores(context.Dense, context.Graph, s.Mode);
    }

    protected override StageOneCost Cost(MethodContext context) => new(context.Options.DepGraphEpochs, context.Data.SearchIndices.Length);

    public override void Restore(MethodContext context)
    {
        if (context.Options.DepGraphEpochs > 0) PenalisedTraining.Restore(context, TrainedFileName, "DepGraph");
    }
}
