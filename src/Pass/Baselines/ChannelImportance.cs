using SparseCore.Kernels.Random;
using SparseCore.Models.Modules;
using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Baselines;

/// <summary>
/// The classic baselines' channel scores, in the hypernetwork's layout: one score per channel of
/// every distinct mask of the <see cref="ChannelGraph"/>, concatenated in mask order
/// ([<see cref="ChannelGraph.TotalChannels"/>]); higher means keep. A mask covers its owner conv
/// and the convs sharing it (a downsample conv), so a channel's score takes all of them in (summed,
/// or averaged for BN-scale): they are removed together. The scores feed the same selection as PASS (the global
/// <see cref="Masks.ChannelBudget"/>, or <see cref="UniformSelection"/> per mask).
/// </summary>
public static class ChannelImportance
{
    /// <summary>
    /// Li et al. 2017's filter norm, filter-only L1 (`--method l1`): per channel Σ|W[c, :, :, :]|
    /// summed over the mask's layers, then divided by the mean over that mask's channels. Nothing
    /// else coupled to the channel counts (see <see cref="GroupL1"/> for that). The paper ranks
    /// filters within a layer; a global ranking of raw norms would prune by layer scale instead (a
    /// wide late layer has far smaller filters than the stem), so each mask is rescaled to mean 1
    /// and layers compete on relative norm.
    /// </summary>
    public static float[] L1(Module backbone, ChannelGraph graph)
    {
        var layers = new BackboneLayers(backbone, graph, "L1 importance");
        return Concatenate(graph, mask =>
        {
            var sums = new double[mask.Channels];
            foreach (var layer in Covered(graph, mask))
                AddRows(sums, layers.Weight(layer), v => Math.Abs(v));
            return MeanOne(sums);
        }, layers.Method);
    }

    /// <summary>
    /// Network slimming (Liu et al. 2017): |γ| of the batch-norm after each of the mask's layers,
    /// averaged over them. Raw, not rescaled: slimming trains with an L1 penalty on every γ
    /// (<see cref="SlimPenalty"/>) and then cuts all layers at one global threshold on |γ|. The
    /// mean, not the sum, keeps that threshold on one scale: a mask shared by a block's last conv
    /// and its downsample conv covers two batch-norms, and summing would score it about twice a
    /// single-BN mask's |γ|, so the global cut would spare shared masks for their count alone.
    /// A graph layer without batch-norm (VGG-16 without BN) is an ArgumentException naming it.
    /// </summary>
    public static float[] BnScale(Module backbone, ChannelGraph graph)
    {
        var layers = new BackboneLayers(backbone, graph, "BN-scale importance");
        return Concatenate(graph, mask =>
        {
            var sums = new double[mask.Channels];
            foreach (var layer in Covered(graph, mask))
            {
                var gamma = layers.RequiredGamma(layer);
                for (int c = 0; c < sums.Length; c++) sums[c] += Math.Abs(gamma[c]);
            }
            return sums.Select(v => v / mask.Layers.Count).ToArray();
        }, layers.Method);
    }

    /// <summary>
    /// Torch-Pruning's group criterion with p = 1 (GroupMagnitudeImportance / GroupNormImportance
    /// with p=1, bias=True, group_reduction="mean", normalizer="mean"): per channel the L1 norm of
    /// every parameter removed with it — see <see cref="GroupSum"/> — then divided by the mask's
    /// mean. Torch-Pruning sums the per-layer terms and divides by their count before normalising by
    /// the group's mean; that count is the same for every channel of a mask, so the normalisation
    /// cancels it and the sum is ranked directly. Biases and β count (Torch-Pruning's bias=True;
    /// its default leaves them out) so that the group is every coupled parameter, as in
    /// <see cref="GroupL2"/>.
    /// </summary>
    public static float[] GroupL1(Module backbone, ChannelGraph graph)
    {
        var layers = new BackboneLayers(backbone, graph, "group-L1 importance");
        return Concatenate(graph, mask => MeanOne(GroupSum(layers, mask, v => Math.Abs(v))), layers.Method);
    }

    /// <summary>
    /// DepGraph-style group magnitude: per channel the L2 norm of every parameter that is removed
    /// with it (<see cref="GroupSum"/> of the squares), then divided by the mask's mean, as in
    /// <see cref="L1"/>, so that a global ranking compares relative magnitudes.
    /// </summary>
    public static float[] GroupL2(Module backbone, ChannelGraph graph)
    {
        var layers = new BackboneLayers(backbone, graph, "group-L2 importance");
        return Concatenate(graph, mask => MeanOne(GroupSum(layers, mask, v => (double)v * v).Select(Math.Sqrt).ToArray()), layers.Method);
    }

    /// <summary>
    /// Per channel of <paramref name="mask"/>, Σ f over every parameter removed with it: the output
    /// rows (and bias) of the mask's layers, their batch-norm γ and β, and the input columns of every
    /// layer reading the mask (<see cref="ChannelLayer.InputMask"/>; a Linear's InputPositions
    /// features per channel).
    /// </summary>
    private static double[] GroupSum(BackboneLayers layers, ChannelMask mask, Func<float, double> f)
    {
        var graph = layers.Graph;
        var sums = new double[mask.Channels];
        foreach (var layer in Covered(graph, mask))
        {
            AddRows(sums, layers.Weight(layer), f);
            if (layers.Bias(layer) is { } bias) AddRows(sums, bias, f);
            if (layers.Gamma(layer) is { } gamma) AddRows(sums, gamma, f);
            if (layers.Beta(layer) is { } beta) AddRows(sums, beta, f);
        }
        foreach (var reader in graph.Layers.Where(l => l.InputMask == mask.Id))
            AddColumns(sums, layers.Weight(reader), reader.OutChannels, f);
        return sums;
    }

    /// <summary>
    /// Uniform scores in [0, 1) from <paramref name="seed"/>: the random baseline, identical for equal
    /// seeds on every machine and .NET version — drawn from the engine's counter-based generator
    /// (score i = hash of (seed, stream, i)), not System.Random, whose seeded sequence .NET does not promise to keep.
    /// </summary>
    public static float[] Random(ChannelGraph graph, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var scores = new float[graph.TotalChannels];
        for (int i = 0; i < scores.Length; i++) scores[i] = CounterRng.Uniform01(CounterRng.Hash(seed, RandomScoreStream, (ulong)i));
        return scores;
    }

    /// <summary>Keeps the random baseline's draws apart from every other stream of the same seed.</summary>
    private const ulong RandomScoreStream = 0x5C0_4E5;

    private static IEnumerable<ChannelLayer> Covered(ChannelGraph graph, ChannelMask mask) => mask.Layers.Select(graph.Layer);

    /// <summary>Adds f over each row of a [channels, …] array to that channel's entry.</summary>
    private static void AddRows(double[] into, float[] values, Func<float, double> f)
    {
        int row = values.Length / into.Length;
        for (int c = 0; c < into.Length; c++)
            for (int k = c * row; k < (c + 1) * row; k++) into[c] += f(values[k]);
    }

    /// <summary>Adds f over input channel c's columns of an [out, channels · inner] weight to entry c.</summary>
    private static void AddColumns(double[] into, float[] weight, int outputs, Func<float, double> f)
    {
        int channels = into.Length, inner = weight.Length / (outputs * channels);
        for (int o = 0; o < outputs; o++)
            for (int c = 0; c < channels; c++)
            {
                int start = (o * channels + c) * inner;
                for (int k = start; k < start + inner; k++) into[c] += f(weight[k]);
            }
    }

    /// <summary>Divides by the mean, so the mask's scores average 1; an all-zero mask stays zero.</summary>
    private static double[] MeanOne(double[] values)
    {
        double mean = values.Average();
        return mean > 0 ? values.Select(v => v / mean).ToArray() : values;
    }

    private static float[] Concatenate(ChannelGraph graph, Func<ChannelMask, double[]> perMask, string method)
    {
        var scores = new float[graph.TotalChannels];
        int offset = 0;
        foreach (var mask in graph.Masks)
        {
            var values = perMask(mask);
            for (int c = 0; c < values.Length; c++)
            {
                scores[offset + c] = (float)values[c];
                if (!float.IsFinite(scores[offset + c]))
                    throw new ArgumentException($"{method}: channel {c} of mask {mask.Id} ('{mask.Owner}') scores {values[c]}, beyond float range; the weights are too large to rank");
            }
            offset += values.Length;
        }
        return scores;
    }
}
