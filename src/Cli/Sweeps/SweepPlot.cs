using SparseCore.Models.IO;

namespace SparseCore.Cli.Sweeps;

/// <summary>
/// A store's accuracy-vs-macs.png: one marker per method and budget at its mean MACs and mean test
/// accuracy over seeds, with ± one standard deviation of the accuracy as error bars, and the dense
/// networks' mean as a black square. Up and to the left is better; overlapping bars say the seeds
/// have not separated the methods. Methods matched to one MACs budget sit on one x; each method's
/// marker is shifted sideways by a fixed 0.4 % of the dense MACs per method so their bars do not
/// hide each other (the caption says so).
/// </summary>
internal static class SweepPlot
{
    /// <summary>The sideways shift per method, as a share of the dense MACs.</summary>
    public const double Shift = 0.004;

    public static void Write(string path, string title, IReadOnlyList<SweepReport.MethodGroup> groups, SweepReport.Summary dense)
    {
        var plot = new ScottPlot.Plot();
        ScottPlot.MarkerShape[] shapes = [ScottPlot.MarkerShape.FilledCircle, ScottPlot.MarkerShape.FilledTriangleUp,
                                          ScottPlot.MarkerShape.FilledDiamond, ScottPlot.MarkerShape.FilledTriangleDown];
        var methods = groups.Select(g => g.Method).Distinct().ToList();
        foreach (var g in groups)
        {
            int k = methods.IndexOf(g.Method);
            var color = plot.Add.Palette.GetColor(k);
            double x = g.MegaMacs.Mean + Shift * (k - (methods.Count - 1) / 2.0) * g.Cells[0].DenseMacs / 1e6, y = g.Test.Mean;
            var bar = plot.Add.ErrorBar([x], [y], [g.Test.StandardDeviation]);
            bar.Color = color;
            var marker = plot.Add.Marker(x, y, shapes[k % shapes.Length], 10, color);
            // One legend entry per method, not per budget.
            if (groups.First(o => o.Method == g.Method) == g) marker.LegendText = Pruning.ReportFormat.Method(g.Method);
        }
        if (dense.N > 0 && groups.Count > 0)
        {
            double denseMacs = groups[0].Cells[0].DenseMacs / 1e6;
            plot.Add.ErrorBar([denseMacs], [dense.Mean], [dense.StandardDeviation]).Color = ScottPlot.Colors.Black;
            plot.Add.Marker(denseMacs, dense.Mean, ScottPlot.MarkerShape.FilledSquare, 11, ScottPlot.Colors.Black).LegendText = "dense";
        }
        plot.Title(title);
        plot.XLabel("MACs per image (millions), mean over seeds; methods shifted apart by 0.4 % of the dense MACs each");
        plot.YLabel("test accuracy (%), mean ± sd");
        plot.Axes.Margins(left: 0.1, right: 0.1, bottom: 0.15, top: 0.15);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        byte[] png = plot.GetImageBytes(1000, 650, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(png));
    }
}
