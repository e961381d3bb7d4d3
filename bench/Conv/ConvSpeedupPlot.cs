using System.Globalization;
using ScottPlot;

namespace SparseCore.Bench.Conv;

/// <summary>
/// Draws measured against ideal speedup over kept ratio from the conv-forms suite's CSV export
/// (by default the newest BenchmarkDotNet.Artifacts/results/*-report.csv: the suite's own, or the
/// joined one when several suites ran together; rows without a Speedup are skipped):
/// one panel for output-only pruning (ideal 1/r), one for input and output (ideal 1/r²); a colour
/// per layer, a marker per form, the ideal dashed; log speedup axis.
/// Run as `dotnet run -c Release --project bench -- plot-conv [csv] [png]`.
/// </summary>
public static class ConvSpeedupPlot
{
    public const string Command = "plot-conv";
    public const string DefaultPng = "docs/conv-speedup.png";

    public static int Run(string[] args)
    {
        string csv = args.Length > 0 ? args[0] : ReportCsv.Newest("ConvForms"), png = args.Length > 1 ? args[1] : DefaultPng;
        var rows = Read(csv);
        var multiplot = new Multiplot();
        multiplot.AddPlots(2);
        multiplot.Layout = new ScottPlot.MultiplotLayouts.Columns();
        Draw(multiplot.GetPlot(0), rows, "out", "Output channels pruned (ideal 1/r)", r => 1 / r);
        Draw(multiplot.GetPlot(1), rows, "both", "Input and output channels pruned (ideal 1/r²)", r => 1 / (r * r));
        multiplot.SavePng(png, 1600, 700);
        Console.WriteLine($"wrote {png} from {rows.Count} rows of {csv}");
        return 0;
    }

    private sealed record Row(string Shape, ConvVariant Variant, double Speedup);

    private static void Draw(Plot plot, List<Row> rows, string scope, string title, Func<double, double> ideal)
    {
        var palette = new ScottPlot.Palettes.Category10();
        string[] shapes = ["C64-32x32", "C128-16x16", "C256-8x8"];
        for (int s = 0; s < shapes.Length; s++)
            foreach (var (form, marker) in new[] { ("gather", MarkerShape.FilledCircle), ("compact", MarkerShape.FilledTriangleUp) })
            {
                var points = rows.Where(r => r.Shape == shapes[s] && r.Variant.Form == form && (r.Variant.Scope == scope || r.Variant.Scope == "all"))
                                 .OrderBy(r => r.Variant.Percent).ToList();
                if (points.Count == 0) continue;
                var line = plot.Add.Scatter(points.Select(p => (double)p.Variant.Percent).ToArray(), points.Select(p => Math.Log10(p.Speedup)).ToArray());
                line.Color = palette.GetColor(s);
                line.MarkerShape = marker;
                line.MarkerSize = 9;
                line.LineWidth = 2;
                var v = points[0].Variant;
                line.LegendText = $"{form} {v.Channels}→{v.Channels} @{v.Size}×{v.Size}";
            }
        double[] xs = Enumerable.Range(10, 91).Select(p => (double)p).ToArray();
        var idealLine = plot.Add.Scatter(xs, xs.Select(p => Math.Log10(ideal(p / 100))).ToArray());
        idealLine.Color = Colors.Black;
        idealLine.LinePattern = LinePattern.Dashed;
        idealLine.LineWidth = 2;
        idealLine.MarkerSize = 0;
        idealLine.LegendText = "ideal";

        plot.Title(title);
        plot.XLabel("kept channels (%)");
        plot.YLabel("speedup over the dense conv (log scale)");
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic
        {
            MinorTickGenerator = new ScottPlot.TickGenerators.LogMinorTickGenerator(),
            IntegerTicksOnly = true,
            LabelFormatter = y => Math.Pow(10, y).ToString("0.##", CultureInfo.InvariantCulture),
        };
        plot.Axes.SetLimitsY(Math.Log10(0.3), Math.Log10(ideal(0.1) * 1.5));
        plot.Axes.SetLimitsX(5, 105);
        plot.ShowLegend(Alignment.UpperRight);
    }

    private static List<Row> Read(string path)
    {
        var (c, lines) = ReportCsv.Read(path, "Shape", "Variant", "Speedup");
        var rows = new List<Row>();
        foreach (var cells in lines)
        {
            if (!double.TryParse(cells[c[2]], NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) continue;
            rows.Add(new Row(cells[c[0]], ConvVariant.Parse(cells[c[0]], cells[c[1]]), value));
        }
        return rows;
    }
}
