using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Masks;

/// <summary>A hard selection: 0/1 per channel (masks concatenated in graph order), the global cut score and the units kept.</summary>
/// <param name="Threshold">The score of the last kept unit in the global order: what the next step's recurrence thresholds at.</param>
/// <param name="Kept">Coupled units kept (channels, in union mode).</param>
/// <param name="Sparsity">The unit sparsity achieved, 1 − kept/units (for a FLOPs budget, the s it landed on).</param>
public sealed record BudgetSelection(float[] Mask, float Threshold, int Kept, double Sparsity);

/// <summary>
/// PASS's channel budget: hard global top-k over the scores of every distinct mask. The count is
/// over <see cref="ChannelCoupling"/> units — every channel in union mode (the paper's count), one
/// per coupled channel in shared mode, scored by the mean of its channels' scores — and is either
/// <see cref="Target"/> = round((1 − s)·units) (midpoints away from zero) or, for a FLOPs budget,
/// the count whose network's MACs come closest to the target (<see cref="ForFlops"/>). At least one
/// channel per mask takes precedence: each mask first reserves its best unit, the rest of the count
/// is filled in global order (score descending, then position, so ties resolve deterministically).
/// When the plain top-k already gives every mask a channel this is exactly the plain top-k, and the
/// count is exact unless the reservations alone exceed it (<see cref="FloorBinds"/>).
/// </summary>
public sealed class ChannelBudget
{
    private readonly int[] offsets;
    private readonly int[] widths;
    private readonly Func<IReadOnlyList<float[]>, long>? macsOf;

    public ChannelBudget(ChannelGraph graph, double sparsity, ResidualMode mode = ResidualMode.Union)
        : this(graph, mode, sparsity, null, 0)
    {
    }

    private ChannelBudget(ChannelGraph graph, ResidualMode mode, double sparsity, Func<IReadOnlyList<float[]>, long>? macsOf, long targetMacs)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!(sparsity >= 0 && sparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "channel sparsity must lie in [0, 1)");
        Sparsity = sparsity;
        widths = graph.Masks.Select(m => m.Channels).ToArray();
        offsets = new int[widths.Length];
        for (int i = 1; i < widths.Length; i++) offsets[i] = offsets[i - 1] + widths[i - 1];
        Total = graph.TotalChannels;
        Coupling = ChannelCoupling.Of(graph, mode);
        Target = (int)Math.Round((1 - sparsity) * Coupling.UnitCount, MidpointRounding.AwayFromZero);
        this.macsOf = macsOf;
        TargetMacs = targetMacs;
    }

    /// <summary>
    /// A FLOPs budget: every selection keeps the longest prefix of the global order whose masks' MACs
    /// (<paramref name="macsOf"/>, e.g. the extracted network's) stay within
    /// <paramref name="targetMacs"/> (found by bisection: MACs grow with every unit added), then each
    /// later unit that still fits — so the network lands at or just under the target.
    /// </summary>
    public static ChannelBudget ForFlops(ChannelGraph graph, ResidualMode mode, Func<IReadOnlyList<float[]>, long> macsOf, long targetMacs)
    {
        ArgumentNullException.ThrowIfNull(macsOf);
        if (targetMacs <= 0) throw new ArgumentOutOfRangeException(nameof(targetMacs), targetMacs, "the MACs target must be positive");
        return new ChannelBudget(graph, mode, 0, macsOf, targetMacs);
    }

    /// <summary>The channel sparsity asked for; 0 for a FLOPs budget (see <see cref="BudgetSelection.Sparsity"/>).</summary>
    public double Sparsity { get; }

    /// <summary>The MACs a FLOPs budget aims at; 0 for a channel budget.</summary>
    public long TargetMacs { get; }

    public bool IsFlopsBudget => macsOf is not null;

    public ChannelCoupling Coupling { get; }

    /// <summary>Σ channels over the distinct masks.</summary>
    public int Total { get; }

    /// <summary>round((1 − s)·units): the stated count.</summary>
    public int Target { get; }

    /// <summary>Whether the ≥ 1-per-mask rule can raise the count above <see cref="Target"/>.</summary>
    public bool FloorBinds => Target < widths.Length;

    public int MaskCount => widths.Length;

    public int Offset(int mask) => offsets[mask];

    public int Width(int mask) => widths[mask];

    public BudgetSelection Select(ReadOnlySpan<float> scores)
    {
        var ranking = Rank(scores);
        if (macsOf is null) return Fill(ranking, Target);
        int lo = ranking.Reserved.Count, hi = Coupling.UnitCount;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (macsOf(Split(Fill(ranking, mid).Mask)) >= TargetMacs) hi = mid;
            else lo = mid + 1;
        }
        var result = Fill(ranking, lo);
        return lo > ranking.Reserved.Count && macsOf(Split(result.Mask)) > TargetMacs
            ? TopUp(ranking, Fill(ranking, lo - 1))
            : result;
    }

    /// <summary>
    /// Below the target after the last whole prefix of the order, one coupled unit can cost several
    /// percent of the MACs (a residual stream's channel in every block). Walking on down the order
    /// and adding each unit that still fits lands just under the target instead.
    /// </summary>
    private BudgetSelection TopUp(Ranking ranking, BudgetSelection below)
    {
        var mask = (float[])below.Mask.Clone();
        int kept = below.Kept;
        foreach (int u in ranking.Order)
        {
            int first = Coupling.Members(u)[0];
            if (mask[first] != 0f) continue;
            foreach (int p in Coupling.Members(u)) mask[p] = 1f;
            if (macsOf!(Split(mask)) <= TargetMacs)
            {
                kept++;
                continue;
            }
            foreach (int p in Coupling.Members(u)) mask[p] = 0f;
        }
        return Selection(mask, below.Threshold, kept);
    }

    /// <summary>The concatenated 0/1 selection cut into one vector per distinct mask.</summary>
    public IReadOnlyList<float[]> Split(float[] mask)
    {
        if (mask.Length != Total) throw new ArgumentException($"channel budget: expected {Total} mask values, got {mask.Length}");
        return widths.Select((w, m) => mask.AsSpan(offsets[m], w).ToArray()).ToArray();
    }

    private sealed record Ranking(float[] UnitScores, int[] Order, HashSet<int> Reserved);

    private Ranking Rank(ReadOnlySpan<float> scores)
    {
        if (scores.Length != Total)
            throw new ArgumentException($"channel budget: expected {Total} scores (every distinct mask's channels), got {scores.Length}");
        for (int i = 0; i < scores.Length; i++)
            if (!float.IsFinite(scores[i]))
                throw new NonFiniteScoreException(i, scores[i]);
        var unitScores = new float[Coupling.UnitCount];
        for (int u = 0; u < unitScores.Length; u++)
        {
            double sum = 0;
            foreach (int p in Coupling.Members(u)) sum += scores[p];
            unitScores[u] = (float)(sum / Coupling.Members(u).Count);
        }
        var order = Enumerable.Range(0, unitScores.Length).ToArray();
        Array.Sort(order, (a, b) => Before(unitScores, a, b));
        var reserved = new HashSet<int>();
        for (int m = 0; m < widths.Length; m++)
        {
            int best = Coupling.UnitOf(offsets[m]);
            for (int j = offsets[m] + 1; j < offsets[m] + widths[m]; j++)
                if (Before(unitScores, Coupling.UnitOf(j), best) < 0) best = Coupling.UnitOf(j);
            reserved.Add(best);
        }
        return new Ranking(unitScores, order, reserved);
    }

    private BudgetSelection Fill(Ranking ranking, int count)
    {
        var keep = new bool[Coupling.UnitCount];
        foreach (int u in ranking.Reserved) keep[u] = true;
        int kept = ranking.Reserved.Count;
        for (int r = 0; r < ranking.Order.Length && kept < count; r++)
        {
            int u = ranking.Order[r];
            if (keep[u]) continue;
            keep[u] = true;
            kept++;
        }
        var mask = new float[Total];
        for (int u = 0; u < keep.Length; u++)
            if (keep[u])
                foreach (int p in Coupling.Members(u)) mask[p] = 1f;
        // The cut is the kept-th score in global order, reserved units or not: a reservation below
        // it must not lower the recurrence's threshold for every other layer.
        return Selection(mask, ranking.UnitScores[ranking.Order[kept - 1]], kept);
    }

    private BudgetSelection Selection(float[] mask, float threshold, int kept) =>
        new(mask, threshold, kept, 1 - (double)kept / Coupling.UnitCount);

    /// <summary>Score descending, then position ascending.</summary>
    internal static int Before(float[] s, int a, int b)
    {
        int c = s[b].CompareTo(s[a]);
        return c != 0 ? c : a.CompareTo(b);
    }
}
