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
/// <para>
/// With <see cref="RoundTo"/> K &gt; 1 (<c>--round-channels</c>) the same cut runs over blocks of K
/// units (<see cref="ChannelBlocks"/>: each rounding group's units ranked and chunked, a block
/// scored by its units' mean), so every group keeps its highest-scoring units, a multiple of K of
/// them or all. Each mask reserves its best block; then whole blocks are taken in global order while
/// the kept units stay within the count, skipping a block that would overshoot (only a group's
/// smaller last block can still fit after that) or whose group's previous block is not kept. The
/// count is never exceeded, except by the reservations alone, and is missed by less than K.
/// </para>
/// </summary>
public sealed class ChannelBudget
{
    private readonly int[] offsets;
    private readonly int[] widths;
    private readonly Func<IReadOnlyList<float[]>, long>? macsOf;
    private readonly int[][]? groups;
    private readonly int[]? groupOf;

    /// <param name="roundTo">K: kept channels per rounding group rounded to a multiple of K (1: no rounding).</param>
    public ChannelBudget(ChannelGraph graph, double sparsity, ResidualMode mode = ResidualMode.Union, int roundTo = 1)
        : this(graph, mode, sparsity, null, 0, roundTo)
    {
    }

    private ChannelBudget(ChannelGraph graph, ResidualMode mode, double sparsity, Func<IReadOnlyList<float[]>, long>? macsOf, long targetMacs, int roundTo)
    {
        ArgumentNullException.ThrowIfNull(graph);
        if (!(sparsity >= 0 && sparsity < 1))
            throw new ArgumentOutOfRangeException(nameof(sparsity), sparsity, "channel sparsity must lie in [0, 1)");
        if (roundTo < 1) throw new ArgumentOutOfRangeException(nameof(roundTo), roundTo, "kept channels are rounded to a multiple of a whole number ≥ 1");
        Sparsity = sparsity;
        widths = graph.Masks.Select(m => m.Channels).ToArray();
        offsets = new int[widths.Length];
        for (int i = 1; i < widths.Length; i++) offsets[i] = offsets[i - 1] + widths[i - 1];
        Total = graph.TotalChannels;
        Coupling = ChannelCoupling.Of(graph, mode);
        Target = (int)Math.Round((1 - sparsity) * Coupling.UnitCount, MidpointRounding.AwayFromZero);
        this.macsOf = macsOf;
        TargetMacs = targetMacs;
        RoundTo = roundTo;
        if (roundTo > 1) (groups, groupOf) = ChannelBlocks.Groups(Coupling, widths);
    }

    /// <summary>
    /// A FLOPs budget: every selection keeps the longest prefix of the global order whose masks' MACs
    /// (<paramref name="macsOf"/>, e.g. the extracted network's) stay within
    /// <paramref name="targetMacs"/> (found by bisection: MACs grow with every unit added), then each
    /// later unit that still fits — so the network lands at or just under the target.
    /// </summary>
    public static ChannelBudget ForFlops(ChannelGraph graph, ResidualMode mode, Func<IReadOnlyList<float[]>, long> macsOf, long targetMacs, int roundTo = 1)
    {
        ArgumentNullException.ThrowIfNull(macsOf);
        if (targetMacs <= 0) throw new ArgumentOutOfRangeException(nameof(targetMacs), targetMacs, "the MACs target must be positive");
        return new ChannelBudget(graph, mode, 0, macsOf, targetMacs, roundTo);
    }

    /// <summary>K: each rounding group's kept units are a multiple of K, or all of them (1: no rounding).</summary>
    public int RoundTo { get; }

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

    /// <summary>Whether the ≥ 1-per-mask rule can raise the count above <see cref="Target"/> (rounded, each mask
    /// reserves a block of <see cref="RoundTo"/>, which can raise it at lower sparsities too).</summary>
    public bool FloorBinds => Target < widths.Length;

    public int MaskCount => widths.Length;

    public int Offset(int mask) => offsets[mask];

    public int Width(int mask) => widths[mask];

    public BudgetSelection Select(ReadOnlySpan<float> scores)
    {
        var ranking = Rank(scores);
        if (macsOf is null) return Fill(ranking, Target);
        int lo = ranking.Reserved.Count, hi = ranking.Blocks.Units.Length;
        while (lo < hi)
        {
            int mid = (lo + hi) / 2;
            if (macsOf(Split(Take(ranking, mid).Mask)) >= TargetMacs) hi = mid;
            else lo = mid + 1;
        }
        var result = Take(ranking, lo);
        return lo > ranking.Reserved.Count && macsOf(Split(result.Mask)) > TargetMacs
            ? TopUp(ranking, lo - 1)
            : result;
    }

    /// <summary>
    /// Below the target after the last whole prefix of the order, one coupled unit can cost several
    /// percent of the MACs (a residual stream's channel in every block). Walking on down the order
    /// and adding each block that still fits lands just under the target instead.
    /// </summary>
    private BudgetSelection TopUp(Ranking ranking, int prefix)
    {
        var keep = Prefix(ranking, prefix);
        var below = Selection(ranking, keep);
        var mask = (float[])below.Mask.Clone();
        int kept = below.Kept;
        foreach (int b in ranking.Blocks.Order)
        {
            if (keep[b] || !Follows(ranking, keep, b)) continue;
            SetUnits(ranking, b, mask, 1f);
            if (macsOf!(Split(mask)) <= TargetMacs)
            {
                keep[b] = true;
                kept += ranking.Blocks.Units[b].Length;
                continue;
            }
            SetUnits(ranking, b, mask, 0f);
        }
        return Selection(mask, below.Threshold, kept);
    }

    /// <summary>The concatenated 0/1 selection cut into one vector per distinct mask.</summary>
    public IReadOnlyList<float[]> Split(float[] mask)
    {
        if (mask.Length != Total) throw new ArgumentException($"channel budget: expected {Total} mask values, got {mask.Length}");
        return widths.Select((w, m) => mask.AsSpan(offsets[m], w).ToArray()).ToArray();
    }

    /// <param name="UnitOrder">Every unit in global order (score descending, then position).</param>
    /// <param name="Blocks">What is kept or dropped whole: single units, or blocks of <see cref="RoundTo"/>.</param>
    /// <param name="Reserved">Each mask's best block (of its groups' first blocks).</param>
    private sealed record Ranking(float[] UnitScores, int[] UnitOrder, ChannelBlocks Blocks, HashSet<int> Reserved);

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
        var blocks = RoundTo == 1 ? ChannelBlocks.Single(unitScores, order) : ChannelBlocks.Of(unitScores, order, groups!, groupOf!, RoundTo);
        var reserved = new HashSet<int>();
        for (int m = 0; m < widths.Length; m++)
        {
            // A group's first block is its best; the others are never reserved ahead of it.
            int best = -1;
            for (int j = offsets[m]; j < offsets[m] + widths[m]; j++)
            {
                int block = blocks.BlockOf[Coupling.UnitOf(j)];
                if (blocks.Previous[block] < 0 && (best < 0 || Before(blocks.Scores, block, best) < 0)) best = block;
            }
            reserved.Add(best);
        }
        return new Ranking(unitScores, order, blocks, reserved);
    }

    /// <summary>The reserved blocks and then the first non-reserved ones in global order, <paramref name="count"/> blocks in all.</summary>
    private static bool[] Prefix(Ranking ranking, int count)
    {
        var keep = new bool[ranking.Blocks.Units.Length];
        foreach (int b in ranking.Reserved) keep[b] = true;
        int taken = ranking.Reserved.Count;
        for (int r = 0; r < ranking.Blocks.Order.Length && taken < count; r++)
        {
            int b = ranking.Blocks.Order[r];
            if (keep[b]) continue;
            keep[b] = true;
            taken++;
        }
        return keep;
    }

    private BudgetSelection Take(Ranking ranking, int count) => Selection(ranking, Prefix(ranking, count));

    /// <summary>
    /// The reserved blocks, then every block in global order that keeps the kept units within
    /// <paramref name="units"/> and follows its group's kept blocks (single units: the plain prefix).
    /// </summary>
    private BudgetSelection Fill(Ranking ranking, int units)
    {
        var keep = Prefix(ranking, ranking.Reserved.Count);
        int kept = ranking.Reserved.Sum(b => ranking.Blocks.Units[b].Length);
        foreach (int b in ranking.Blocks.Order)
        {
            int size = ranking.Blocks.Units[b].Length;
            if (keep[b] || kept + size > units || !Follows(ranking, keep, b)) continue;
            keep[b] = true;
            kept += size;
        }
        return Selection(ranking, keep);
    }

    /// <summary>Whether block <paramref name="b"/> may be kept: it is its group's first, or the one before it is kept.</summary>
    private static bool Follows(Ranking ranking, bool[] keep, int b) => ranking.Blocks.Previous[b] is var p && (p < 0 || keep[p]);

    private void SetUnits(Ranking ranking, int block, float[] mask, float value)
    {
        foreach (int u in ranking.Blocks.Units[block])
            foreach (int p in Coupling.Members(u)) mask[p] = value;
    }

    private BudgetSelection Selection(Ranking ranking, bool[] keep)
    {
        var mask = new float[Total];
        int kept = 0;
        for (int b = 0; b < keep.Length; b++)
        {
            if (!keep[b]) continue;
            SetUnits(ranking, b, mask, 1f);
            kept += ranking.Blocks.Units[b].Length;
        }
        // The cut is the kept-th score in global order, reserved units or not: a reservation below
        // it must not lower the recurrence's threshold for every other layer. Rounded, it is where a
        // plain top-k of the same count would cut.
        return Selection(mask, ranking.UnitScores[ranking.UnitOrder[kept - 1]], kept);
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
