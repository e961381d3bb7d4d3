using SparseCore.Models.IO;
using SparseCore.Models.Training;

namespace SparseCore.Cli;

/// <summary>
/// training.png: loss (left axis) and accuracy (right axis) per epoch, train solid and evaluation
/// dashed, so over-fitting shows as the two curves parting.
/// </summary>
public static class TrainingPlot
{
    public static void Write(string path, IReadOnlyList<EpochMetrics> history, string title)
    {
        if (history.Count == 0) return;
        var plot = new ScottPlot.Plot();
        double[] epochs = history.Select(m => (double)m.Epoch).ToArray();
        Line(plot, epochs, history.Select(m => m.TrainLoss), "train loss", ScottPlot.Colors.Blue, dashed: false, right: false);
        Line(plot, epochs, history.Select(m => m.TrainAccuracy * 100), "train accuracy %", ScottPlot.Colors.Orange, dashed: false, right: true);
        if (history.All(m => m.EvalLoss is not null))
        {
            Line(plot, epochs, history.Select(m => m.EvalLoss!.Value), "validation loss", ScottPlot.Colors.Blue, dashed: true, right: false);
            Line(plot, epochs, history.Select(m => m.EvalAccuracy!.Value * 100), "validation accuracy %", ScottPlot.Colors.Orange, dashed: true, right: true);
        }
        plot.Title(title);
        plot.Axes.Bottom.Label.Text = "epoch";
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericFixedInterval(Math.Max(1, history.Count / 10));
        plot.Axes.Left.Label.Text = "cross-entropy loss";
        plot.Axes.Right.Label.Text = "accuracy (%)";
        plot.ShowLegend(ScottPlot.Alignment.MiddleRight);
        byte[] png = plot.GetImageBytes(900, 500, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(png));
    }

    private static void Line(ScottPlot.Plot plot, double[] xs, IEnumerable<double> ys, string label, ScottPlot.Color color, bool dashed, bool right)
    {
        var line = plot.Add.Scatter(xs, ys.ToArray(), color);
        line.LegendText = label;
        line.LineWidth = 2;
        if (dashed) line.LinePattern = ScottPlot.LinePattern.Dashed;
        if (right) line.Axes.YAxis = plot.Axes.Right;
    }
}
