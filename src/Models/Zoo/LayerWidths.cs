using System.Globalization;
using SparseCore.Models.Modules;

namespace SparseCore.Models.Zoo;

/// <summary>
/// Per-layer widths of a backbone: layer name ("layer1.0.conv1", "features.3", "fc") → output
/// channels of that conv or output features of that linear. A backbone built with widths takes
/// each layer's width from here (its default when absent), so a pruned network can be rebuilt from
/// <see cref="Of"/> of it; widths that other layers dictate (a residual stream, the class count)
/// may be listed but must agree. Every entry must name a layer of the backbone.
/// </summary>
public sealed class LayerWidths
{
    private readonly List<KeyValuePair<string, int>> entries;

    public LayerWidths(IEnumerable<KeyValuePair<string, int>> entries)
    {
        this.entries = entries.ToList();
        var duplicate = this.entries.GroupBy(e => e.Key).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new ArgumentException($"layer widths: '{duplicate.Key}' is listed twice");
        foreach (var (name, width) in this.entries)
            if (width <= 0) throw new ArgumentException($"layer widths: '{name}' must be positive, got {width}");
    }

    public static LayerWidths None { get; } = new([]);

    public IReadOnlyList<KeyValuePair<string, int>> Entries => entries;

    public IReadOnlyDictionary<string, int> ToDictionary() => entries.ToDictionary(e => e.Key, e => e.Value);

    /// <summary>The widths of a built model: every Conv2d's output channels and every Linear's output features.</summary>
    public static LayerWidths Of(Module model) =>
        new(model.NamedModules().SelectMany(m => m.Module switch
        {
            Conv2d conv => [KeyValuePair.Create(m.Name, conv.OutChannels)],
            Linear linear => [KeyValuePair.Create(m.Name, linear.OutFeatures)],
            _ => Array.Empty<KeyValuePair<string, int>>(),
        }));

    /// <summary>"conv1=16,layer1.0.conv1=12,…" — the form checkpoints keep in their metadata.</summary>
    public override string ToString() =>
        string.Join(",", entries.Select(e => string.Create(CultureInfo.InvariantCulture, $"{e.Key}={e.Value}")));

    public static LayerWidths Parse(string text)
    {
        if (string.IsNullOrWhiteSpace(text)) return None;
        return new(text.Split(',').Select(item =>
        {
            int eq = item.LastIndexOf('=');
            if (eq <= 0 || !int.TryParse(item.AsSpan(eq + 1), NumberStyles.None, CultureInfo.InvariantCulture, out int width))
                throw new FormatException($"layer widths: '{item}' is not name=width");
            return KeyValuePair.Create(item[..eq].Trim(), width);
        }));
    }

    /// <summary>A reader for one build: remembers which entries the backbone asked for.</summary>
    internal Reader Read(string model) => new(this, model);

    internal sealed class Reader(LayerWidths widths, string model)
    {
        private readonly IReadOnlyDictionary<string, int> map = widths.ToDictionary();
        private readonly HashSet<string> used = new();

        /// <summary>The width of a free layer: its entry, or <paramref name="defaultWidth"/>.</summary>
        public int Width(string layer, int defaultWidth)
        {
            used.Add(layer);
            return map.TryGetValue(layer, out int w) ? w : defaultWidth;
        }

        /// <summary>A width other layers dictate: an entry for it must agree.</summary>
        public int Fixed(string layer, int width, string because)
        {
            used.Add(layer);
            if (map.TryGetValue(layer, out int w) && w != width)
                throw new ArgumentException($"{model}: '{layer}' must have width {width} ({because}), got {w}");
            return width;
        }

        /// <summary>Fails on entries no layer asked for (a typo or another architecture's widths).</summary>
        public void Finish()
        {
            var unknown = map.Keys.Where(k => !used.Contains(k)).ToList();
            if (unknown.Count > 0)
                throw new ArgumentException($"{model}: layer widths name layers it does not have: {string.Join(", ", unknown)}");
        }
    }
}
