using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// weight-density.png: one bar per masked weight tensor, the share of its weights kept, with the
/// global density as a line — where an unstructured method spends its budget (a global cut keeps
/// small layers, the stem and the classifier denser) is seen at once.
/// </summary>
internal static class WeightDensityPlot
{
    public const string FileName = "weight-density.png";

    public static void Write(string path, string title, IReadOnlyList<LayerKeep> layers)
    {
        var plot = new ScottPlot.Plot();
        double[] positions = LayerAxis.Apply(plot, layers.Select(l => l.Name.EndsWith(".weight", StringComparison.Ordinal) ? l.Name[..^7] : l.Name).ToArray());
        var bars = plot.Add.Bars(positions, layers.Select(l => 100.0 * l.Kept / l.Channels).ToArray());
        bars.Color = ScottPlot.Colors.SteelBlue;
        bars.LegendText = "kept weights per layer";
        double global = 100.0 * layers.Sum(l => (long)l.Kept) / layers.Sum(l => (long)l.Channels);
        var line = plot.Add.HorizontalLine(global);
        line.LegendText = $"global density {global:F1} %";
        line.Color = ScottPlot.Colors.OrangeRed;
        line.LinePattern = ScottPlot.LinePattern.Dashed;
        plot.Axes.SetLimitsY(0, 105);
        plot.Title(title);
        plot.YLabel("weights kept (%)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        LayerAxis.Save(plot, path, layers.Count);
    }

    /// <summary>
    /// The same picture for several weight-mask runs of one network at one budget: a bar per run in
    /// each layer's group, so where each method spends the same budget is compared layer by layer.
    /// </summary>
    public static void WriteComparison(string path, string title, IReadOnlyList<(string Label, IReadOnlyList<LayerKeep> Layers)> runs)
    {
        var plot = new ScottPlot.Plot();
        var names = runs[0].Layers.Select(l => l.Name.EndsWith(".weight", StringComparison.Ordinal) ? l.Name[..^7] : l.Name).ToArray();
        double[] positions = LayerAxis.Apply(plot, names);
        var palette = new ScottPlot.Palettes.Category10();
        double width = 0.8 / runs.Count;
        for (int r = 0; r < runs.Count; r++)
        {
            var bars = plot.Add.Bars(positions.Select(x => x - 0.4 + width * (r + 0.5)).ToArray(),
                                     runs[r].Layers.Select(l => 100.0 * l.Kept / l.Channels).ToArray());
            bars.Color = palette.GetColor(r);
            bars.LegendText = runs[r].Label;
            foreach (var bar in bars.Bars) bar.Size = width;
        }
        plot.Axes.SetLimitsY(0, 105);
        plot.Title(title);
        plot.YLabel("weights kept (%)");
        plot.ShowLegend(ScottPlot.Alignment.UpperRight);
        LayerAxis.Save(plot, path, names.Length * Math.Max(1, runs.Count / 2));
    }
}
