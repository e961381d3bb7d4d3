using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Pass.Methods;
using SparseCore.Tensors;

namespace SparseCore.Pass.Unstructured;

/// <summary>
/// `snip`: SNIP, single-shot network pruning by connection sensitivity (Lee et al., ICLR 2019).
/// Each prunable weight scores |∂L/∂m| at m = 1 for the mask m of W ⊙ m, which is |∂L/∂w ⊙ w|,
/// with L the cross-entropy and ∂L/∂w summed over <see cref="Batches"/> mini-batches of --batch-size
/// from the --search-subset images, like every stage 1 (the first batches of the first epoch of a loader seeded by --seed, no
/// augmentation) at the dense network; one global cut at --sparsity. The paper normalises the
/// scores by their sum, which does not change the ranking, and scores one batch; summing over
/// several, as Tanaka et al.'s SNIP does (their code sums the mask gradients over its prune
/// loader), steadies the estimate. Batch-norm normalises with each batch's statistics while
/// scoring, as the network trains; every other layer runs as in evaluation (no dropout, so the
/// scores are a function of the seed). The running statistics, modes and weights are put back afterwards.
/// </summary>
public sealed class SnipMethod : WeightRanking
{
    /// <summary>Mini-batches the gradient is summed over (fewer when the training split has fewer).</summary>
    public const int Batches = 10;

    protected override float[][] Scores(MethodContext context, IReadOnlyList<PrunableWeight> weights)
    {
        var data = context.Data;
        using var loader = data.Loader(data.SearchIndices, context.Options.BatchSize, (long)context.Options.Seed);
        return Scores(context.Dense, weights, loader.Epoch(1).Take(Batches));
    }

    protected override StageOneCost Cost(MethodContext context) =>
        new(0, Math.Min(Batches * context.Options.BatchSize, context.Data.SearchIndices.Length));

    /// <summary>|w ⊙ Σ_b ∂L_b/∂w| for each of <paramref name="weights"/> (of <paramref name="model"/>), L_b the mean cross-entropy of batch b.</summary>
    internal static float[][] Scores(Module model, IReadOnlyList<PrunableWeight> weights, IEnumerable<Batch> batches)
    {
        var snapshot = new ModuleSnapshot(model);
        var backend = weights[0].Parameter.Value.Backend;
        try
        {
            model.Eval();
            foreach (var (_, m) in model.NamedModules())
                if (m is BatchNorm2d) m.Train();
            model.ZeroGrad();
            int seen = 0;
            foreach (var batch in batches)
            {
                using var scope = new TensorScope();
                var x = Tensor.FromArray(backend, batch.Pixels, new Shape(batch.Count, batch.Channels, batch.Height, batch.Width));
                var logits = model.Forward(x);
                F.CrossEntropy(logits, IntTensor.Labels(backend, batch.Labels, logits.Shape[1])).Backward();
                seen++;
            }
            if (seen == 0) throw new ArgumentException("SNIP: the training split is empty; there is no batch to score the weights on");
            var scores = new float[weights.Count][];
            for (int l = 0; l < weights.Count; l++)
            {
                var w = weights[l].Parameter.Value.ToArray();
                // A weight the loss does not reach has no gradient: it scores 0.
                var g = weights[l].Parameter.Grad?.ToArray() ?? new float[w.Length];
                var s = scores[l] = new float[w.Length];
                for (int i = 0; i < s.Length; i++) s[i] = MathF.Abs(g[i] * w[i]);
            }
            return scores;
        }
        finally
        {
            model.ZeroGrad();
            snapshot.Restore();
        }
    }
}
