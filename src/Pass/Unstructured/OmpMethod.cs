using SparseCore.Pass.Methods;

namespace SparseCore.Pass.Unstructured;

/// <summary>
/// `omp`: one-shot global magnitude pruning (OMP): score |w| for every prunable weight of the dense
/// network, one global cut at --sparsity — the magnitude criterion of Han et al. (NIPS 2015) in the
/// one-shot, global form later papers compare against (Han et al. cut per layer, iteratively).
/// </summary>
public sealed class OmpMethod : WeightRanking
{
    protected override float[][] Scores(MethodContext context, IReadOnlyList<PrunableWeight> weights) =>
        weights.Select(w => w.Parameter.Value.ToArray().Select(MathF.Abs).ToArray()).ToArray();
}
