namespace SparseCore.Pass.Masks;

/// <summary>
/// What the channel budget ranks when kept counts are rounded to a multiple of K
/// (<c>prune --round-channels K</c>, Torch-Pruning's <c>round_to</c>): blocks of K coupled units.
/// <para>
/// A <em>rounding group</em> is the set of units whose channels lie in exactly the same distinct
/// masks, so keeping whole blocks of a group moves every one of those masks' widths by a multiple
/// of K: in union mode one group per mask; in shared mode one per residual stream, cut where a
/// zero-padding shortcut widens it (ResNet-20's 64-channel stream: its first 16, next 16 and last
/// 32 channels). Within a group the units are ranked by score (descending, then position) and cut
/// into consecutive blocks of K, the last one holding the rest when K does not divide the group's
/// width; a block scores the mean of its units' scores, as a coupled unit scores the mean of its
/// channels'. A block's units rank no lower than the next block's, so blocks of a group come in
/// order in the global ranking, and a selection that keeps a block keeps its predecessors: each
/// group keeps its highest-scoring units, a multiple of K of them (or all).
/// </para>
/// With K = 1 every unit is its own block, numbered as the unit, scored as the unit.
/// </summary>
internal sealed class ChannelBlocks
{
    private ChannelBlocks(int[][] units, float[] scores, int[] order, int[] previous, int[] blockOf)
    {
        Units = units;
        Scores = scores;
        Order = order;
        Previous = previous;
        BlockOf = blockOf;
    }

    /// <summary>Each block's units, numbered by their lowest unit (ties in score resolve by position, as for units).</summary>
    public int[][] Units { get; }

    /// <summary>The mean score of each block's units.</summary>
    public float[] Scores { get; }

    /// <summary>Blocks in global order: score descending, then position.</summary>
    public int[] Order { get; }

    /// <summary>The block before each one in its group, or −1 for a group's first.</summary>
    public int[] Previous { get; }

    /// <summary>The block of each unit.</summary>
    public int[] BlockOf { get; }

    /// <summary>Single-unit blocks: the budget without rounding.</summary>
    public static ChannelBlocks Single(float[] unitScores, int[] unitOrder)
    {
        var units = Enumerable.Range(0, unitScores.Length).Select(u => new[] { u }).ToArray();
        var previous = new int[unitScores.Length];
        Array.Fill(previous, -1);
        return new ChannelBlocks(units, unitScores, unitOrder, previous, Enumerable.Range(0, unitScores.Length).ToArray());
    }

    /// <param name="groups">Each rounding group's units (<see cref="Groups"/>).</param>
    /// <param name="unitOrder">Every unit, in the global order.</param>
    public static ChannelBlocks Of(float[] unitScores, int[] unitOrder, int[][] groups, int[] groupOf, int size)
    {
        var ranked = groups.Select(g => new List<int>(g.Length)).ToArray();
        foreach (int u in unitOrder) ranked[groupOf[u]].Add(u);
        var chunks = ranked.SelectMany((g, group) => g.Chunk(size).Select((units, index) => (Units: units, Group: group, Index: index))).ToList();
        // Numbered by lowest unit, so the tie-break "lower index first" is the units' position order.
        chunks.Sort((a, b) => a.Units.Min().CompareTo(b.Units.Min()));
        var units = chunks.Select(c => c.Units).ToArray();
        var scores = units.Select(b => (float)(b.Sum(u => (double)unitScores[u]) / b.Length)).ToArray();
        var blockOf = new int[unitScores.Length];
        for (int b = 0; b < units.Length; b++)
            foreach (int u in units[b]) blockOf[u] = b;
        var numbered = chunks.Select((c, b) => (c.Group, c.Index, Block: b)).ToDictionary(c => (c.Group, c.Index), c => c.Block);
        var previous = chunks.Select(c => c.Index == 0 ? -1 : numbered[(c.Group, c.Index - 1)]).ToArray();
        var order = Enumerable.Range(0, units.Length).ToArray();
        Array.Sort(order, (a, b) => ChannelBudget.Before(scores, a, b));
        return new ChannelBlocks(units, scores, order, previous, blockOf);
    }

    /// <summary>
    /// The rounding groups of <paramref name="coupling"/> over masks of the given widths (concatenated
    /// in graph order): each unit's group index, and each group's units ascending.
    /// </summary>
    public static (int[][] Groups, int[] GroupOf) Groups(ChannelCoupling coupling, IReadOnlyList<int> widths)
    {
        var maskOf = widths.SelectMany((w, m) => Enumerable.Repeat(m, w)).ToArray();
        var groupOf = new int[coupling.UnitCount];
        var bySignature = new Dictionary<string, int>();
        var groups = new List<List<int>>();
        for (int u = 0; u < coupling.UnitCount; u++)
        {
            string signature = string.Join(',', coupling.Members(u).Select(p => maskOf[p]).Distinct().Order());
            if (!bySignature.TryGetValue(signature, out int g))
            {
                bySignature[signature] = g = groups.Count;
                groups.Add([]);
            }
            groupOf[u] = g;
            groups[g].Add(u);
        }
        return (groups.Select(g => g.ToArray()).ToArray(), groupOf);
    }
}
