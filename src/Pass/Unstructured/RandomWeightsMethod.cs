using SparseCore.Kernels.Random;
using SparseCore.Pass.Methods;

namespace SparseCore.Pass.Unstructured;

/// <summary>
/// `random-weights`: random unstructured pruning, uniform over all prunable weights — the Random
/// baseline of Tanaka et al. (SynFlow, NeurIPS 2020; their code's `Rand` pruner: random scores,
/// one global cut). Each weight scores a uniform draw from the engine's counter-based generator,
/// score of global index i = hash(seed, stream, i), so the masks are a function of --seed alone —
/// the same on every machine, backend and thread count — and the cut removes exactly ⌊s·N⌋, each
/// layer keeping about 1 − s of its weights. The draws have 24 bits, so among millions of weights
/// some tie; at the cut a tie goes by index, which moves at most the few weights sharing that value.
/// </summary>
public sealed class RandomWeightsMethod : WeightRanking
{
    /// <summary>Keeps these draws apart from every other stream of the same seed (the channel baseline's included).</summary>
    private const ulong RandomWeightStream = 0x5C0_3E16;

    /// <summary>Uniform scores in [0, 1), numbered across the weights in their order.</summary>
    protected override float[][] Scores(MethodContext context, IReadOnlyList<PrunableWeight> weights)
    {
        ulong seed = context.Options.Seed;
        var scores = new float[weights.Count][];
        ulong index = 0;
        for (int l = 0; l < weights.Count; l++)
        {
            var s = scores[l] = new float[weights[l].Size];
            for (int i = 0; i < s.Length; i++) s[i] = CounterRng.Uniform01(CounterRng.Hash(seed, RandomWeightStream, index++));
        }
        return scores;
    }
}
