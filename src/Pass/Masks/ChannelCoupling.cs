using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Masks;

/// <summary>
/// Which mask channels must be kept or dropped together: the budget's counting units. In union
/// mode every channel of every distinct mask is its own unit (the paper's per-conv masks). In
/// shared mode the channels a residual stream couples are one unit: channel c of every mask in a
/// residual group, and — behind a zero-padding shortcut, which carries the previous stream's
/// channel c into channel c of the wider one — channel c of the group it is padded from. Tying
/// the carried channels (rather than only requiring the wider stream to keep them) keeps the rule
/// a plain equivalence, so one global top-k over units stays exact.
/// </summary>
public sealed class ChannelCoupling
{
    private readonly int[] unitOf;
    private readonly int[][] members;

    private ChannelCoupling(ResidualMode mode, int[] unitOf, int[][] members)
    {
        Mode = mode;
        this.unitOf = unitOf;
        this.members = members;
    }

    public ResidualMode Mode { get; }

    /// <summary>Coupled channel units: what the budget counts.</summary>
    public int UnitCount => members.Length;

    /// <summary>The unit of a channel, by its position in the masks' concatenation.</summary>
    public int UnitOf(int position) => unitOf[position];

    /// <summary>The concatenation positions of a unit's channels, ascending.</summary>
    public IReadOnlyList<int> Members(int unit) => members[unit];

    /// <summary>
    /// Masks (concatenated in graph order) closed over the coupling: a channel kept by any mask of
    /// its unit is kept by all of them — how a per-layer rule (uniform) is made to fit shared mode.
    /// </summary>
    public float[] Close(ReadOnlySpan<float> masks)
    {
        if (masks.Length != unitOf.Length)
            throw new ArgumentException($"channel coupling: expected {unitOf.Length} mask values, got {masks.Length}");
        var closed = new float[masks.Length];
        foreach (var unit in members)
        {
            bool kept = false;
            foreach (int p in unit) kept |= masks[p] != 0f;
            if (kept)
                foreach (int p in unit) closed[p] = 1f;
        }
        return closed;
    }

    public static ChannelCoupling Of(ChannelGraph graph, ResidualMode mode)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var offsets = new int[graph.Masks.Count];
        for (int i = 1; i < offsets.Length; i++) offsets[i] = offsets[i - 1] + graph.Masks[i - 1].Channels;
        var parent = Enumerable.Range(0, graph.TotalChannels).ToArray();
        if (mode == ResidualMode.Shared)
        {
            foreach (var group in graph.Groups)
            {
                for (int k = 1; k < group.Masks.Count; k++)
                    for (int c = 0; c < group.Channels; c++)
                        Join(parent, offsets[group.Masks[0]] + c, offsets[group.Masks[k]] + c);
                if (group.PaddedFrom is int from && group.Masks.Count > 0 && graph.Groups[from].Masks.Count > 0)
                    for (int c = 0; c < graph.Groups[from].Channels; c++)
                        Join(parent, offsets[graph.Groups[from].Masks[0]] + c, offsets[group.Masks[0]] + c);
            }
        }
        var unitOfRoot = new Dictionary<int, int>();
        var unitOf = new int[parent.Length];
        var lists = new List<List<int>>();
        for (int p = 0; p < parent.Length; p++)
        {
            int root = Find(parent, p);
            if (!unitOfRoot.TryGetValue(root, out int unit))
            {
                unit = lists.Count;
                unitOfRoot[root] = unit;
                lists.Add(new List<int>());
            }
            unitOf[p] = unit;
            lists[unit].Add(p);
        }
        return new ChannelCoupling(mode, unitOf, lists.Select(l => l.ToArray()).ToArray());
    }

    private static int Find(int[] parent, int x)
    {
        while (parent[x] != x)
        {
            parent[x] = parent[parent[x]];
            x = parent[x];
        }
        return x;
    }

    private static void Join(int[] parent, int a, int b)
    {
        int ra = Find(parent, a), rb = Find(parent, b);
        if (ra != rb) parent[Math.Max(ra, rb)] = Math.Min(ra, rb);
    }
}
