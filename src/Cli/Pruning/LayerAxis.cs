using SparseCore.Models.IO;

namespace SparseCore.Cli.Pruning;

/// <summary>The per-layer bar charts' shared frame: one tick per layer, names rotated, and a width that grows with the layer count.</summary>
internal static class LayerAxis
{
    /// <summary>Ticks at 0, 1, … named <paramref name="names"/>; returns the positions for the bars.</summary>
    public static double[] Apply(ScottPlot.Plot plot, IReadOnlyList<string> names)
    {
        double[] positions = Enumerable.Range(0, names.Count).Select(i => (double)i).ToArray();
        plot.Axes.Bottom.SetTicks(positions, names.ToArray());
        plot.Axes.Bottom.TickLabelStyle.Rotation = 90;
        plot.Axes.Bottom.TickLabelStyle.Alignment = ScottPlot.Alignment.MiddleLeft;
        // Rotated names need vertical room: about 7 px per character at the default tick font.
        plot.Axes.Bottom.MinimumSize = 20 + 7 * names.Max(n => n.Length);
        return positions;
    }

    /// <summary>Writes the chart as a PNG, atomically, wide enough for <paramref name="layers"/> bars.</summary>
    public static void Save(ScottPlot.Plot plot, string path, int layers)
    {
        byte[] png = plot.GetImageBytes(Math.Max(900, 160 + 28 * layers), 600, ScottPlot.ImageFormat.Png);
        AtomicFile.Write(path, s => s.Write(png));
    }
}
