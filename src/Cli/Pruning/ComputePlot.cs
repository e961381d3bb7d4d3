using SparseCore.Pass.Compute;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// A compute profile as bars: per conv and linear layer, then the rest of the forward, the dense
/// time (grey) beside the pruned time (blue), and a black diamond where the pruned bar would end if
/// time fell with MACs (dense time × pruned MACs / dense MACs). A pruned bar above its diamond is a
/// layer that runs slower than its MACs promise. A dense network alone gets its grey bars.
/// </summary>
internal static class ComputePlot
{
    public const string FileName = "layer-times.png";

    public static void Write(string path, string title, ComputeProfile p)
    {
        var plot = new ScottPlot.Plot();
        string[] names = [.. p.Layers.Select(l => l.Name), "everything else"];
        double[] positions = LayerAxis.Apply(plot, names);
        double offset = p.HasPruned ? 0.2 : 0, width = p.HasPruned ? 0.4 : 0.8;
        Bars(plot, positions.Select(x => x - offset), [.. p.Layers.Select(l => l.DenseMs), p.DenseRestMs], "dense", ScottPlot.Colors.LightGray, width);
        double top = Math.Max(p.Layers.Max(l => l.DenseMs), p.DenseRestMs);
        if (p.HasPruned)
        {
            double[] pruned = [.. p.Layers.Select(l => l.PrunedMs!.Value), p.PrunedRestMs!.Value];
            var at = positions.Select(x => x + offset).ToArray();
            Bars(plot, at, pruned, "pruned", ScottPlot.Colors.SteelBlue, width);
            var predicted = p.Layers.Select(l => l.DenseMs * l.PrunedMacs!.Value / l.DenseMacs).ToArray();
            var markers = plot.Add.Markers(at[..predicted.Length], predicted, ScottPlot.MarkerShape.FilledDiamond, 9, ScottPlot.Colors.Black);
            markers.LegendText = "MACs prediction (dense time × pruned / dense MACs)";
            top = Math.Max(top, pruned.Max());
        }
        plot.Axes.SetLimitsY(Math.Min(0, Math.Min(p.DenseRestMs, p.PrunedRestMs ?? 0) * 1.1), 1.1 * top);
        plot.Title(title);
        plot.YLabel($"forward time at batch {p.Batch} (ms, median)");
        plot.ShowLegend(ScottPlot.Alignment.UpperLeft);
        LayerAxis.Save(plot, path, names.Length);
    }

    private static void Bars(ScottPlot.Plot plot, IEnumerable<double> positions, double[] values, string label, ScottPlot.Color color, double width)
    {
        var bars = plot.Add.Bars(positions.ToArray(), values);
        bars.Color = color;
        bars.LegendText = label;
        foreach (var bar in bars.Bars) bar.Size = width;
    }
}
