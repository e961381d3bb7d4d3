using SparseCore.Models.IO;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// accuracy-vs-macs.png: test accuracy against MACs per image, one labelled marker per network.
/// The trade-off a pruning method is judged by: up and to the left is better. Dense references are
/// black squares so the eye finds the starting point.
/// </summary>
internal static class AccuracyMacsPlot
{
    public const string FileName = "accuracy-vs-macs.png";

    public sealed record Point(string Label, long Macs, double TestAccuracy, bool Dense);

    /// <summary>Points without a measured accuracy (NaN) are left out; the file is written regardless.</summary>
    public static void Write(string path, string title, IReadOnlyList<Point> points)
    {
        var plot = new ScottPlot.Plot();
        ScottPlot.MarkerShape[] shapes = [ScottPlot.MarkerShape.FilledCircle, ScottPlot.MarkerShape.FilledTriangleUp,
                                          ScottPlot.MarkerShape.FilledDiamond, ScottPlot.MarkerShape.FilledTriangleDown];
        int run = 0;
        foreach (var p in points.Where(p => !double.IsNaN(p.TestAccuracy)))
        {
            double x = p.Macs / 1e6, y = 100 * p.TestAccuracy;
            var (shape, color) = p.Dense
                ? (ScottPlot.MarkerShape.FilledSquare, ScottPlot.Colors.Black)
                : (shapes[run % shapes.Length], plot.Add.Palette.GetColor(run++));
            var marker = plot.Add.Marker(x, y, shape, 11, color);
            marker.LegendText = p.Label;
            var label = plot.Add.Text(p.Label, x, y);
            label.LabelFontSize = 12;
            label.LabelAlignment = ScottPlot.Alignment.LowerLeft;
            label.OffsetX = 7;
            label.OffsetY = -4;
        }
        plot.Title(title);
        plot.XLabel("MACs per image (millions)");
        plot.YLabel("test accuracy (%)");
        // Room on the right and top for the labels of the outermost points.
        plot.Axes.Margins(left: 0.1, right: 0.25, bottom: 0.15, top: 0.2);
        plot.ShowLegend(ScottPlot.Alignment.LowerRight);
        byte[] png = plot.GetImageBytes(900, 600, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(png));
    }
}
