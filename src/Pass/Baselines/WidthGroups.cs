using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;

namespace SparseCore.Pass.Baselines;

/// <summary>
/// The per-layer widths ABCPruner searches over, made to fit the channel graph's coupling: one width
/// per group of masks that share coupled units (<see cref="ChannelCoupling"/>) — in union mode every
/// distinct mask, in shared mode every residual stream's masks together (with a zero-padding
/// shortcut, the streams it ties) — counted in units. A group keeping k units keeps its k best by
/// score (the mean of the units' channels' scores, ties to the lower unit), and a mask left with no
/// channel then keeps its best unit, so every mask keeps at least one, as extraction requires.
/// </summary>
internal sealed class WidthGroups
{
    private readonly ChannelCoupling coupling;
    private readonly int total;
    private readonly int[] maskOf;
    private readonly int[][] ranked;
    private readonly int[] groupOfUnit;

    /// <param name="scores">Per channel of the masks' concatenation; higher keeps.</param>
    public WidthGroups(ChannelGraph graph, ChannelCoupling coupling, ReadOnlySpan<float> scores)
    {
        ArgumentNullException.ThrowIfNull(graph);
        this.coupling = coupling ?? throw new ArgumentNullException(nameof(coupling));
        total = graph.TotalChannels;
        if (scores.Length != total) throw new ArgumentException($"width groups: expected {total} scores, got {scores.Length}");
        maskOf = graph.Masks.SelectMany(m => Enumerable.Repeat(m.Id, m.Channels)).ToArray();
        MaskCount = graph.Masks.Count;
        var parent = Enumerable.Range(0, graph.Masks.Count).ToArray();
        int Find(int x) => parent[x] == x ? x : parent[x] = Find(parent[x]);
        for (int u = 0; u < coupling.UnitCount; u++)
            foreach (int p in coupling.Members(u)) parent[Find(maskOf[p])] = Find(maskOf[coupling.Members(u)[0]]);
        var roots = Enumerable.Range(0, graph.Masks.Count).Select(Find).Distinct().ToList();
        var unitScores = new float[coupling.UnitCount];
        for (int u = 0; u < unitScores.Length; u++)
        {
            double sum = 0;
            foreach (int p in coupling.Members(u)) sum += scores[p];
            unitScores[u] = (float)(sum / coupling.Members(u).Count);
        }
        groupOfUnit = Enumerable.Range(0, coupling.UnitCount).Select(u => roots.IndexOf(Find(maskOf[coupling.Members(u)[0]]))).ToArray();
        ranked = roots.Select((_, g) =>
        {
            var units = Enumerable.Range(0, coupling.UnitCount).Where(u => groupOfUnit[u] == g).ToArray();
            Array.Sort(units, (a, b) => ChannelBudget.Before(unitScores, a, b));
            return units;
        }).ToArray();
    }

    /// <summary>Width groups: the search's dimensions.</summary>
    public int Count => ranked.Length;

    public int MaskCount { get; }

    /// <summary>Units in group <paramref name="g"/>: its full width.</summary>
    public int Units(int g) => ranked[g].Length;

    /// <summary>The 0/1 masks, concatenated, keeping the best <paramref name="keep"/>[g] units of every group (then one per empty mask).</summary>
    public float[] Mask(IReadOnlyList<int> keep)
    {
        var mask = new float[total];
        var covered = new bool[MaskCount];
        for (int g = 0; g < ranked.Length; g++)
            for (int r = 0; r < Math.Min(keep[g], ranked[g].Length); r++) Keep(mask, covered, ranked[g][r]);
        foreach (var units in ranked)
            foreach (int u in units)
                if (coupling.Members(u).Any(p => !covered[maskOf[p]])) Keep(mask, covered, u);
        return mask;
    }

    /// <summary>Units kept by a mask from <see cref="Mask"/> (a unit is kept whole).</summary>
    public int KeptUnits(float[] mask) => Enumerable.Range(0, coupling.UnitCount).Count(u => mask[coupling.Members(u)[0]] != 0f);

    /// <summary>
    /// A candidate's widths projected onto the budget: group g asks for the share
    /// levels[g]/<paramref name="levelCount"/> of its units, all shares are scaled by the largest common
    /// factor t whose masks still <paramref name="fits"/> (bisection; kept counts round(t·share·units),
    /// between 1 and all), and then single units are added, the group furthest below its scaled share
    /// first, while the masks still fit. So every candidate spends the budget (up to one unit), and the
    /// search compares shapes, not sizes. When even one unit per group does not fit, that floor is returned.
    /// </summary>
    public int[] Project(IReadOnlyList<int> levels, int levelCount, Func<float[], bool> fits)
    {
        if (levels.Count != Count) throw new ArgumentException($"width groups: expected {Count} levels, got {levels.Count}");
        var share = levels.Select(l => (double)l / levelCount).ToArray();
        int[] At(double t) => share.Select((f, g) => Math.Clamp((int)Math.Round(t * f * Units(g), MidpointRounding.AwayFromZero), 1, Units(g))).ToArray();
        double lo = 0, hi = 1 / share.Min();
        if (fits(Mask(At(hi)))) return At(hi);
        if (!fits(Mask(At(lo)))) return At(lo);
        for (int i = 0; i < 40; i++)
        {
            double mid = (lo + hi) / 2;
            if (fits(Mask(At(mid)))) lo = mid;
            else hi = mid;
        }
        var keep = At(lo);
        var deficit = share.Select((f, g) => lo * f * Units(g) - keep[g]).ToArray();
        bool grown = true;
        while (grown)
        {
            grown = false;
            foreach (int g in Enumerable.Range(0, Count).Where(g => keep[g] < Units(g)).OrderByDescending(g => deficit[g]).ThenBy(g => g))
            {
                keep[g]++;
                if (fits(Mask(keep)))
                {
                    deficit[g]--;
                    grown = true;
                    break;
                }
                keep[g]--;
            }
        }
        return keep;
    }

    private void Keep(float[] mask, bool[] covered, int unit)
    {
        foreach (int p in coupling.Members(unit))
        {
            mask[p] = 1f;
            covered[maskOf[p]] = true;
        }
    }
}
