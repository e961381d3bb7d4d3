using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;

namespace SparseCore.Pass.Baselines;

/// <summary>
/// The uniform per-layer baseline: every distinct mask keeps the same fraction of its own channels,
/// its top <see cref="KeepCount"/> by score, instead of PASS's global top-k. Ties go to the lower
/// channel index, the order <see cref="ChannelBudget"/> uses, so both selections agree on equal scores.
/// </summary>
public static class UniformSelection
{
    /// <summary>round((1 − s)·C), midpoints away from zero as in <see cref="ChannelBudget"/>, and at least 1.</summary>
    public static int KeepCount(int channels, double sparsity)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(channels);
        if (!(sparsity >= 0 && sparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "channel sparsity must lie in [0, 1)");
        return Math.Max(1, (int)Math.Round((1 - sparsity) * channels, MidpointRounding.AwayFromZero));
    }

    /// <summary>
    /// One 0/1 mask per distinct mask of <paramref name="graph"/>, in mask order, from
    /// <paramref name="scores"/> concatenated the same way ([TotalChannels]).
    /// </summary>
    public static float[][] Select(ChannelGraph graph, ReadOnlySpan<float> scores, double sparsity)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (scores.Length != graph.TotalChannels)
            throw new ArgumentException($"uniform selection: expected {graph.TotalChannels} scores (every distinct mask's channels of {graph.Model}), got {scores.Length}");
        for (int i = 0; i < scores.Length; i++)
            if (!float.IsFinite(scores[i]))
                throw new ArgumentException($"uniform selection: score {i} is {scores[i]}; scores must be finite to be ranked");
        var masks = new float[graph.Masks.Count][];
        int offset = 0;
        foreach (var mask in graph.Masks)
        {
            masks[mask.Id] = Top(scores.Slice(offset, mask.Channels).ToArray(), KeepCount(mask.Channels, sparsity));
            offset += mask.Channels;
        }
        return masks;
    }

    /// <summary>1 on the <paramref name="keep"/> best of <paramref name="scores"/> (score descending, then index).</summary>
    internal static float[] Top(float[] scores, int keep)
    {
        var order = Enumerable.Range(0, scores.Length).ToArray();
        Array.Sort(order, (a, b) => ChannelBudget.Before(scores, a, b));
        var mask = new float[scores.Length];
        for (int r = 0; r < keep; r++) mask[order[r]] = 1f;
        return mask;
    }
}
