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

    /// <summary>The uniform masks at channel sparsity s, closed over the budget's coupled channels (shared mode).</summary>
    public static IReadOnlyList<float[]> ForSparsity(ChannelGraph graph, ChannelBudget budget, float[] scores, double sparsity) =>
        budget.Split(budget.Coupling.Close(Select(graph, scores, sparsity).SelectMany(m => m).ToArray()));

    /// <summary>
    /// Uniform masks for a FLOPs budget: the smallest per-layer sparsity whose network fits
    /// <see cref="ChannelBudget.TargetMacs"/> (bisection), then — since one step of s moves every layer
    /// at once — single channels added to the currently most-pruned layer that still fits, so the
    /// layers stay as even as the target allows and the MACs land just under it.
    /// </summary>
    public static IReadOnlyList<float[]> ForFlops(ChannelGraph graph, ChannelBudget budget, float[] scores, Func<IReadOnlyList<float[]>, long> macsOf)
    {
        ArgumentNullException.ThrowIfNull(macsOf);
        if (!budget.IsFlopsBudget) throw new ArgumentException("uniform selection: ForFlops needs a FLOPs budget (ChannelBudget.ForFlops)");
        float[] At(double sparsity) => budget.Coupling.Close(Select(graph, scores, sparsity).SelectMany(m => m).ToArray());
        double lo = 0, hi = 0.999;
        for (int i = 0; i < 40; i++)
        {
            double mid = (lo + hi) / 2;
            if (macsOf(budget.Split(At(mid))) > budget.TargetMacs) lo = mid;
            else hi = mid;
        }
        var mask = At(hi);
        var full = new HashSet<int>();
        while (full.Count < budget.MaskCount)
        {
            int thinnest = Enumerable.Range(0, budget.MaskCount).Where(m => !full.Contains(m))
                .MinBy(m => (double)Kept(budget, mask, m) / budget.Width(m));
            int best = -1;
            for (int j = budget.Offset(thinnest); j < budget.Offset(thinnest) + budget.Width(thinnest); j++)
                if (mask[j] == 0f && (best < 0 || scores[j] > scores[best])) best = j;
            if (best < 0) { full.Add(thinnest); continue; }
            var grown = (float[])mask.Clone();
            grown[best] = 1f;
            grown = budget.Coupling.Close(grown);
            if (macsOf(budget.Split(grown)) <= budget.TargetMacs) mask = grown;
            else full.Add(thinnest);
        }
        return budget.Split(mask);
    }

    private static int Kept(ChannelBudget budget, float[] mask, int m)
    {
        int kept = 0;
        for (int j = budget.Offset(m); j < budget.Offset(m) + budget.Width(m); j++) kept += mask[j] != 0f ? 1 : 0;
        return kept;
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
