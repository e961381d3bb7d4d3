using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;

namespace SparseCore.Pass.Baselines;

/// <summary>
/// DepGraph's group-level criterion and sparsity training (Fang et al., CVPR 2023; Torch-Pruning's
/// GroupMagnitudeImportance and GroupNormPruner). A group is every parameter removed with one coupled
/// channel unit (<see cref="ChannelCoupling"/>): in shared mode channel c of every mask of a residual
/// stream (and of the narrower stream a zero-padding shortcut carries into it), in union mode one
/// mask's channel; each member channel brings its <see cref="CoupledParameters"/> (filters and biases
/// of every conv sharing its mask, their batch-norms' γ and β, the readers' input columns). A group's
/// importance I is the L2 norm of all of it.
/// </summary>
public static class GroupSparsity
{
    /// <summary>
    /// 5·10⁻⁴: Torch-Pruning's group-sparsity recipe on CIFAR (its reproduce script's --reg for group_sl).
    /// </summary>
    public const float TorchPruningLambda = 5e-4f;

    /// <summary>The largest per-group scale: Torch-Pruning's regularize(alpha=2**4).</summary>
    public const double MaxScale = 16;

    /// <summary>
    /// Per channel of the masks' concatenation, I² of its coupled unit divided by the largest I² over
    /// its mask's channels (higher keeps): the criterion DepGraph ranks globally, as Torch-Pruning's
    /// CIFAR recipe computes it (GroupMagnitudeImportance with p = 2 and normalizer "max": Σ w² per
    /// group, over the group's maximum). In shared mode the members of a unit score alike when their
    /// masks have equal maxima (a residual stream without padding), and the budget ranks a unit by
    /// its members' mean. A mask whose channels are all zero scores zero.
    /// </summary>
    public static float[] Scores(Module backbone, ChannelGraph graph, ResidualMode mode)
    {
        using var coupled = new CoupledParameters(backbone, graph, "DepGraph importance");
        var norms = UnitNorms(coupled.SumSquares(), ChannelCoupling.Of(graph, mode));
        var scores = new float[norms.Length];
        int offset = 0;
        foreach (var mask in graph.Masks)
        {
            double max = 0;
            for (int c = 0; c < mask.Channels; c++) max = Math.Max(max, norms[offset + c] * norms[offset + c]);
            for (int c = 0; c < mask.Channels; c++)
            {
                double squared = norms[offset + c] * norms[offset + c];
                scores[offset + c] = (float)(max > 0 ? squared / max : 0);
                if (!double.IsFinite(squared))
                    throw new ArgumentException($"DepGraph importance: channel {c} of mask {mask.Id} ('{mask.Owner}') has a squared norm of {squared}, beyond range; the weights are too large to rank");
            }
            offset += mask.Channels;
        }
        return scores;
    }

    /// <summary>
    /// The sparsity-training step that adds λ·γ_k·w to the gradient of every parameter of every group k,
    /// γ_k = 16^((I_max − I_k) / (I_max − I_min)) over the groups of the same mask (1 when all are
    /// equal): the gradient of Σ_k γ_k·I_k² / 2, Torch-Pruning's GroupNormPruner.regularize (its
    /// `reg · w · gamma`, with bias = True: biases and β are part of the group here as in the
    /// criterion). The weakest groups are pushed hardest, so the criterion separates them after
    /// training. Importances are recomputed from the weights at every step, as Torch-Pruning does,
    /// on the device (<see cref="GroupPenalty"/>). Hand its Apply to TrainerOptions.AfterBackward and
    /// dispose it after training.
    /// </summary>
    public static GroupPenalty Gradient(Module backbone, ChannelGraph graph, ResidualMode mode, float lambda)
    {
        if (!(float.IsFinite(lambda) && lambda >= 0))
            throw new ArgumentOutOfRangeException(nameof(lambda), lambda, "DepGraph's sparsity λ must be finite and non-negative");
        return new GroupPenalty(backbone, graph, ChannelCoupling.Of(graph, mode), lambda);
    }

    /// <summary>Per channel, the L2 norm of its whole unit: √ of Σ over the unit's member channels of their groups' Σ w².</summary>
    public static double[] UnitNorms(double[] squares, ChannelCoupling coupling)
    {
        var norms = new double[squares.Length];
        for (int u = 0; u < coupling.UnitCount; u++)
        {
            double sum = 0;
            foreach (int p in coupling.Members(u)) sum += squares[p];
            foreach (int p in coupling.Members(u)) norms[p] = Math.Sqrt(sum);
        }
        return norms;
    }
}
