using SparseCore.Pass.Graph;

namespace SparseCore.Pass.Extraction;

/// <summary>
/// Which original channels every layer of a backbone keeps, in the extracted network's order: its
/// output channels (<see cref="Outputs"/>), the input channels it reads (<see cref="Inputs"/>) and,
/// in union mode, the output channels it keeps but must hold at zero (<see cref="Zeroed"/>).
/// <para>
/// A residual stream keeps the union of its writers' masks (one mask in shared mode). Behind a
/// zero-padding shortcut the stream also carries the previous stream's kept channels, which the
/// masked network adds in unmasked; the extracted shortcut copies its input channels into the first
/// positions of its output, so such a stream lists the carried channels first, in the previous
/// stream's order, and its other channels after them ascending. Every conv writing or reading the
/// stream uses that order, so the permutation is invisible at the output.
/// </para>
/// </summary>
public sealed class ChannelPlan
{
    private readonly Dictionary<string, int[]> outputs = new();
    private readonly Dictionary<string, int[]> inputs = new();
    private readonly Dictionary<string, int[]> zeroed = new();

    private ChannelPlan(ChannelGraph graph, ResidualMode mode)
    {
        Graph = graph;
        Mode = mode;
    }

    public ChannelGraph Graph { get; }
    public ResidualMode Mode { get; }

    /// <summary>Original output channels the layer keeps, in extracted order (all of them for a linear).</summary>
    public IReadOnlyList<int> Outputs(string layer) => outputs[layer];

    /// <summary>Original input channels the layer reads, in extracted order (features are channel · positions + p).</summary>
    public IReadOnlyList<int> Inputs(string layer) => inputs[layer];

    /// <summary>Original output channels the layer keeps but holds at zero (union mode, residual writers only).</summary>
    public IReadOnlyList<int> Zeroed(string layer) => zeroed.TryGetValue(layer, out var z) ? z : [];

    /// <summary>Σ over layers of the kept-but-zeroed channels: what union mode pays over the masked network.</summary>
    public int ZeroedChannels => zeroed.Values.Sum(z => z.Length);

    /// <summary>Kept output channels of every prunable layer under its own mask: the masked network's widths, as the MACs counter takes them.</summary>
    public IReadOnlyDictionary<string, int> MaskedWidths { get; private set; } = new Dictionary<string, int>();

    /// <summary>
    /// The plan for <paramref name="masks"/>, one 0/1 vector per distinct mask of
    /// <paramref name="graph"/> in mask order, each keeping at least one channel.
    /// </summary>
    public static ChannelPlan Build(ChannelGraph graph, IReadOnlyList<float[]> masks, ResidualMode mode)
    {
        ArgumentNullException.ThrowIfNull(graph);
        var kept = KeptChannels.Of(graph, masks, "extraction");
        if (mode == ResidualMode.Shared) CheckShared(graph, kept);

        var plan = new ChannelPlan(graph, mode);
        var streams = new int[graph.Groups.Count][];
        foreach (var group in graph.Groups)
        {
            var union = new SortedSet<int>(group.Masks.SelectMany(m => kept[m]));
            var carried = group.PaddedFrom is int from ? streams[from] : [];
            if (mode == ResidualMode.Shared && carried.Any(c => !union.Contains(c)))
                throw new ArgumentException(
                    $"extraction (shared mode): residual group {group.Id} (after {group.PaddingShortcut}) receives, through the zero-padding shortcut, " +
                    $"channels of group {group.PaddedFrom} that its mask '{graph.Masks[group.Masks[0]].Owner}' drops ({string.Join(", ", carried.Where(c => !union.Contains(c)).Take(8))}); " +
                    "the shortcut writes them unmasked, so the stream must keep them: use union mode, or keep them in the mask");
            var carriedSet = carried.ToHashSet();
            streams[group.Id] = carried.Concat(union.Where(c => !carriedSet.Contains(c))).ToArray();
        }

        int[] Produced(int mask) =>
            graph.Masks[mask].Group is int g ? streams[g] : kept[mask];

        foreach (var layer in graph.Layers)
        {
            int[] output = layer.Group is int group ? streams[group]
                         : layer.Mask is int mask ? kept[mask]
                         : Enumerable.Range(0, layer.OutChannels).ToArray();
            plan.outputs[layer.Name] = output;
            if (layer.Group is not null && layer.Mask is int own)
            {
                var mine = kept[own].ToHashSet();
                var off = output.Where(c => !mine.Contains(c)).ToArray();
                if (off.Length > 0) plan.zeroed[layer.Name] = off;
            }
            int[] channels = layer.InputMask is int input ? Produced(input) : Enumerable.Range(0, layer.InChannels).ToArray();
            int p = layer.InputPositions;
            plan.inputs[layer.Name] = p == 1 ? channels : channels.SelectMany(c => Enumerable.Range(c * p, p)).ToArray();
        }
        plan.MaskedWidths = graph.Layers.Where(l => l.Mask is not null).ToDictionary(l => l.Name, l => kept[l.Mask!.Value].Length);
        return plan;
    }

    private static void CheckShared(ChannelGraph graph, int[][] kept)
    {
        foreach (var group in graph.Groups)
        {
            int first = group.Masks[0];
            foreach (int other in group.Masks.Skip(1))
                if (!kept[other].SequenceEqual(kept[first]))
                    throw new ArgumentException(
                        $"extraction (shared mode): residual group {group.Id} needs one mask, but mask {other} ('{graph.Masks[other].Owner}') " +
                        $"differs from mask {first} ('{graph.Masks[first].Owner}'); tie the group's masks, or use union mode");
        }
    }
}
