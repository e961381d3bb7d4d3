using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Masks;

/// <summary>A hard selection: 0/1 per channel (masks concatenated in graph order) and the global cut score.</summary>
/// <param name="Threshold">The score of the <see cref="ChannelBudget.Kept"/>-th channel in the global order: what the next step's recurrence thresholds at.</param>
public sealed record BudgetSelection(float[] Mask, float Threshold);

/// <summary>
/// PASS's channel budget: hard global top-k over the scores of every distinct mask, keeping
/// <see cref="Target"/> = round((1 − s)·TotalChannels) (midpoints away from zero), with at least one
/// channel per mask taking precedence. Each mask first reserves its best channel; the rest of the
/// budget is filled in global order. Order everywhere is score descending, then mask index, then
/// channel index (i.e. position in the concatenation), so ties resolve deterministically. When the
/// plain top-k already gives every mask a channel this is exactly the plain top-k; the count is
/// always exactly <see cref="Kept"/>, which exceeds <see cref="Target"/> only when the target is
/// below the number of masks (<see cref="FloorBinds"/>: every mask then keeps exactly one channel).
/// </summary>
public sealed class ChannelBudget
{
    private readonly int[] offsets;
    private readonly int[] widths;

    public ChannelBudget(ChannelGraph graph, double sparsity)
    {
        if (!(sparsity >= 0 && sparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "channel sparsity must lie in [0, 1)");
        Sparsity = sparsity;
        widths = graph.Masks.Select(m => m.Channels).ToArray();
        offsets = new int[widths.Length];
        for (int i = 1; i < widths.Length; i++) offsets[i] = offsets[i - 1] + widths[i - 1];
        Total = graph.TotalChannels;
        Target = (int)Math.Round((1 - sparsity) * Total, MidpointRounding.AwayFromZero);
        Kept = Math.Max(Target, widths.Length);
    }

    public double Sparsity { get; }

    /// <summary>Σ channels over the distinct masks.</summary>
    public int Total { get; }

    /// <summary>round((1 − s)·Total): the stated count.</summary>
    public int Target { get; }

    /// <summary>The count every selection keeps: <see cref="Target"/>, or the number of masks when that is larger.</summary>
    public int Kept { get; }

    public bool FloorBinds => Kept > Target;

    public int MaskCount => widths.Length;

    public int Offset(int mask) => offsets[mask];

    public int Width(int mask) => widths[mask];

    public BudgetSelection Select(ReadOnlySpan<float> scores)
    {
        if (scores.Length != Total)
            throw new ArgumentException($"channel budget: expected {Total} scores (every distinct mask's channels), got {scores.Length}");
        for (int i = 0; i < scores.Length; i++)
            if (!float.IsFinite(scores[i]))
                throw new ArgumentException($"channel budget: score {i} is {scores[i]}; the hypernetwork diverged");
        var s = scores.ToArray();
        var order = Enumerable.Range(0, Total).ToArray();
        Array.Sort(order, (a, b) => Before(s, a, b));
        var mask = new float[Total];
        for (int m = 0; m < widths.Length; m++)
        {
            int best = offsets[m];
            for (int j = offsets[m] + 1; j < offsets[m] + widths[m]; j++)
                if (s[j] > s[best]) best = j;
            mask[best] = 1f;
        }
        int count = widths.Length;
        for (int r = 0; r < Total && count < Kept; r++)
        {
            if (mask[order[r]] != 0f) continue;
            mask[order[r]] = 1f;
            count++;
        }
        return new BudgetSelection(mask, s[order[Kept - 1]]);
    }

    /// <summary>Score descending, then position ascending.</summary>
    internal static int Before(float[] s, int a, int b)
    {
        int c = s[b].CompareTo(s[a]);
        return c != 0 ? c : a.CompareTo(b);
    }
}
