using System.Globalization;

namespace SparseCore.Pass.Graph;

/// <summary>
/// The one check of a caller's masks against a graph — writing masks.json and planning an
/// extraction take the same masks, so they reject the same mistakes with the same words.
/// </summary>
internal static class KeptChannels
{
    /// <summary>
    /// The kept channels of each mask, after checking there is one 0/1 vector per distinct mask of
    /// <paramref name="graph"/>, each as wide as its mask and keeping at least one channel;
    /// <paramref name="context"/> starts every error message ("masks.json", "extraction").
    /// </summary>
    public static int[][] Of(ChannelGraph graph, IReadOnlyList<float[]> masks, string context)
    {
        ArgumentNullException.ThrowIfNull(masks);
        if (masks.Count != graph.Masks.Count)
            throw new ArgumentException($"{context}: {graph.Model} has {graph.Masks.Count} distinct masks, got {masks.Count}");
        var kept = new int[masks.Count][];
        foreach (var spec in graph.Masks)
        {
            string name = $"{context}: mask {spec.Id} ('{spec.Owner}')";
            var mask = masks[spec.Id] ?? throw new ArgumentException($"{name} is null");
            if (mask.Length != spec.Channels)
                throw new ArgumentException($"{name} has {mask.Length} entries, but '{spec.Owner}' has {spec.Channels} channels");
            for (int c = 0; c < mask.Length; c++)
                if (mask[c] is not (0f or 1f))
                    throw new ArgumentException($"{name} entry {c} is {mask[c].ToString(CultureInfo.InvariantCulture)}, not 0 or 1");
            kept[spec.Id] = Enumerable.Range(0, mask.Length).Where(c => mask[c] == 1f).ToArray();
            if (kept[spec.Id].Length == 0)
                throw new ArgumentException($"{name} keeps no channel; every mask keeps at least one");
        }
        return kept;
    }
}
