using System.Globalization;
using ScottPlot;

namespace SparseCore.Bench.Sparse;

/// <summary>
/// From the weight-sparsity suite's CSV export: one picture of speed-up over the dense conv against
/// the share of the MACs kept — weight sparsity (the sparse-weight conv, circles; a VPNs run's
/// density, stars) and channel sparsity (the compact conv, triangles), a colour per layer, the
/// ideal 1/share dashed, log axes — and the crossover density per layer: the kept share below which
/// the sparse-weight conv beats the dense one (interpolated in log density between the two measured
/// densities around speed-up 1).
/// Run as `dotnet run -c Release --project bench -- plot-sparse [csv] [png]`.
/// </summary>
public static class SparseSpeedupPlot
{
    public const string Command = "plot-sparse";
    public const string DefaultPng = "docs/sparse-speedup.png";

    private sealed record Row(string Shape, SparseVariant Variant, double Speedup);

    public static int Run(string[] args)
    {
        string csv = args.Length > 0 ? args[0] : ReportCsv.Newest("SparseResNet*"), png = args.Length > 1 ? args[1] : DefaultPng;
        var rows = Read(csv);
        var plot = new Plot();
        var palette = new ScottPlot.Palettes.Category10();
        for (int s = 0; s < SparseVariant.Shapes.Length; s++)
        {
            string shape = SparseVariant.Shapes[s];
            var v0 = SparseVariant.Parse(shape, "dense");
            string layer = $"{v0.Channels}→{v0.Channels} @{v0.Size}×{v0.Size}";
            foreach (var (form, marker, vpns) in new[] { ("sparse", MarkerShape.FilledCircle, false), ("compact", MarkerShape.FilledTriangleUp, false), ("sparse", MarkerShape.FilledDiamond, true) })
            {
                var points = rows.Where(r => r.Shape == shape && r.Variant.Form == form && r.Variant.FromVpns == vpns).OrderBy(r => r.Variant.KeptShare).ToList();
                if (points.Count == 0) continue;
                var line = plot.Add.Scatter(points.Select(p => Math.Log10(100 * p.Variant.KeptShare)).ToArray(), points.Select(p => Math.Log10(p.Speedup)).ToArray());
                line.Color = palette.GetColor(s);
                line.MarkerShape = marker;
                line.MarkerSize = vpns ? 13 : 8;
                line.LineWidth = vpns ? 0 : 2;
                line.LinePattern = form == "compact" ? LinePattern.Dotted : LinePattern.Solid;
                line.LegendText = vpns ? $"VPNs density, {layer}" : $"{(form == "sparse" ? "weight sparsity (sparse conv)" : "channel sparsity (compact conv)")}, {layer}";
            }
        }
        double[] xs = Enumerable.Range(0, 41).Select(i => i * 0.05).ToArray(); // log10 of 1 … 100 %
        var ideal = plot.Add.Scatter(xs, xs.Select(x => Math.Log10(100 / Math.Pow(10, x))).ToArray());
        ideal.Color = Colors.Black;
        ideal.LinePattern = LinePattern.Dashed;
        ideal.MarkerSize = 0;
        ideal.LegendText = "ideal (1 / kept share)";
        var even = plot.Add.HorizontalLine(0);
        even.Color = Colors.Gray;
        even.LegendText = "as fast as dense";
        static string Pow(double v) => Math.Pow(10, v).ToString("0.##", CultureInfo.InvariantCulture);
        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true, LabelFormatter = Pow };
        plot.Axes.Left.TickGenerator = new ScottPlot.TickGenerators.NumericAutomatic { IntegerTicksOnly = true, LabelFormatter = Pow };
        plot.Title("What sparsity buys: speed-up over the dense conv against the MACs kept (CpuBackend, batch 64, 3×3)");
        plot.XLabel("MACs kept (%, log scale)");
        plot.YLabel("speed-up over the dense conv (log scale)");
        plot.ShowLegend(Alignment.UpperRight);
        plot.SavePng(png, 1400, 900);
        Console.WriteLine($"wrote {png} from {rows.Count} rows of {csv}");
        Console.WriteLine("crossover (the share of weights kept below which the sparse-weight conv beats the dense one):");
        foreach (string shape in SparseVariant.Shapes)
            Console.WriteLine($"  {shape}: {Crossover(rows.Where(r => r.Shape == shape && r.Variant.Form == "sparse" && !r.Variant.FromVpns).ToList())}");
        return 0;
    }

    /// <summary>Where the sparse conv's speed-up crosses 1, going from dense to sparse; interpolated in log density.</summary>
    private static string Crossover(List<Row> points)
    {
        if (points.Count == 0) return "not measured";
        var ordered = points.OrderByDescending(p => p.Variant.Density).ToList();
        if (ordered[0].Speedup >= 1) return $"≥ {ordered[0].Variant.Density:P0} (it wins at every density measured)";
        for (int i = 1; i < ordered.Count; i++)
        {
            var (a, b) = (ordered[i - 1], ordered[i]);
            if (b.Speedup < 1) continue;
            double t = Math.Log(a.Speedup) / (Math.Log(a.Speedup) - Math.Log(b.Speedup));
            double density = Math.Exp(Math.Log(a.Variant.Density) + t * (Math.Log(b.Variant.Density) - Math.Log(a.Variant.Density)));
            return density.ToString("P1", CultureInfo.InvariantCulture);
        }
        return $"< {ordered[^1].Variant.Density:P0} (dense wins at every density measured)";
    }

    private static List<Row> Read(string path)
    {
        var (c, lines) = ReportCsv.Read(path, "Shape", "Variant", "Speedup");
        // A joined report (several suites in one run) names each row's suite in its Type column.
        int type = ReportCsv.ReadOptional(path, "Type").Columns[0];
        var rows = new List<Row>();
        foreach (var cells in lines)
        {
            if (type >= 0 && !cells[type].StartsWith("SparseResNet", StringComparison.Ordinal)) continue;
            if (!SparseVariant.Shapes.Contains(cells[c[0]])) continue;
            if (!double.TryParse(cells[c[2]], NumberStyles.Float, CultureInfo.InvariantCulture, out double value)) continue;
            rows.Add(new Row(cells[c[0]], SparseVariant.Parse(cells[c[0]], cells[c[1]], VpnsDensities.Of), value));
        }
        return rows;
    }
}
