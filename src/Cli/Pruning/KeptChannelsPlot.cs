using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// kept-channels.png: one bar per prunable layer, the dense width in grey with the kept channels
/// drawn inside it, so where a method prunes (early, late, inside residual groups) is seen at once.
/// </summary>
internal static class KeptChannelsPlot
{
    public const string FileName = "kept-channels.png";

    public static void Write(string path, string title, IReadOnlyList<LayerKeep> layers)
    {
        var plot = new ScottPlot.Plot();
        double[] positions = LayerAxis.Apply(plot, layers.Select(l => l.Name).ToArray());
        Bars(plot, positions, layers.Select(l => (double)l.Channels), "dense channels", ScottPlot.Colors.LightGray, width: 0.8);
        Bars(plot, positions, layers.Select(l => (double)l.Kept), "kept channels", ScottPlot.Colors.SteelBlue, width: 0.5);
        plot.Axes.SetLimitsY(0, 1.1 * layers.Max(l => l.Channels));
        plot.Title(title);
        plot.YLabel("output channels");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        LayerAxis.Save(plot, path, layers.Count);
    }

    private static void Bars(ScottPlot.Plot plot, double[] positions, IEnumerable<double> values, string label, ScottPlot.Color color, double width)
    {
        var bars = plot.Add.Bars(positions, values);
        bars.Color = color;
        bars.LegendText = label;
        foreach (var bar in bars.Bars) bar.Size = width;
    }
}
