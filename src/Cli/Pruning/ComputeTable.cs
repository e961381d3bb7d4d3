using System.Globalization;
using System.Text;
using SparseCore.Pass.Compute;
using static SparseCore.Cli.Pruning.ReportFormat;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// A compute profile as a table, for the console and for markdown: one row per conv and linear
/// layer (MACs, time, achieved GFLOP/s, and against a pruned network the speed-up its MACs predict
/// and the one measured), a row for everything else the forward does, and the end-to-end forward.
/// </summary>
internal static class ComputeTable
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public const string RestName = "everything else (batch-norm, activations, adds, pooling, bookkeeping)";

    public static string Text(ComputeProfile p)
    {
        var (header, rows) = Cells(p);
        return TextTable.Format(header, rows);
    }

    /// <summary>The table in markdown, numbers right-aligned.</summary>
    public static void Markdown(StringBuilder md, ComputeProfile p)
    {
        var (header, rows) = Cells(p);
        md.AppendLine("| " + string.Join(" | ", header) + " |");
        md.AppendLine("|" + string.Join("|", header.Select((_, i) => i < 3 ? "---" : "---:")) + "|");
        foreach (var row in rows) md.AppendLine("| " + string.Join(" | ", row) + " |");
    }

    /// <summary>How the numbers were taken, in one sentence.</summary>
    public static string Method(ComputeProfile p, string device) =>
        string.Create(C, $"Batch {p.Batch} on {device}, {p.Threads} threads: each conv and linear layer's forward timed alone on a seeded input of the shape it meets in its network, ") +
        string.Create(C, $"{p.Warmup} warm-up forwards, then the median of {p.Repetitions}, each finished on the device; the end-to-end forward the same way (evaluation mode, no gradient, the output read back). ") +
        "\"Everything else\" is the end-to-end time less the layers' sum, so the rows add up to it; a layer timed alone can run faster or slower than inside the network " +
        "(caches, thread start-up), which that row absorbs, as it holds a ResNet's batch-norm fold and conv epilogue (its inference path fuses them into the conv; a layer row is the conv alone). " +
        "GFLOP/s counts 2 FLOPs per MAC.";

    private static (string[] Header, List<string[]> Rows) Cells(ComputeProfile p)
    {
        if (!p.HasPruned)
        {
            var dense = p.Layers.Select(l => new[] { l.Name, l.Kind, l.Input, Mega(l.DenseMacs), Ms(l.DenseMs), Gflops(l.DenseMacs, p.Batch, l.DenseMs), Percent(l.DenseMs, p.DenseForwardMs) }).ToList();
            dense.Add([RestName, "", "", "", Ms(p.DenseRestMs), "", Percent(p.DenseRestMs, p.DenseForwardMs)]);
            dense.Add(["end to end", "", "", Mega(p.DenseMacs), Ms(p.DenseForwardMs), Gflops(p.DenseMacs, p.Batch, p.DenseForwardMs), "100.0 %"]);
            return (["layer", "kind", "input (per image)", "MMACs / image", "ms", "GFLOP/s", "share"], dense);
        }
        var rows = p.Layers.Select(l => new[]
        {
            l.Name, l.Kind, l.Input, Mega(l.DenseMacs), Mega(l.PrunedMacs!.Value), Ms(l.DenseMs), Ms(l.PrunedMs!.Value),
            Gflops(l.DenseMacs, p.Batch, l.DenseMs), Gflops(l.PrunedMacs.Value, p.Batch, l.PrunedMs.Value), Times(l.PredictedSpeedup), Times(l.MeasuredSpeedup),
        }).ToList();
        double prunedRest = p.PrunedRestMs!.Value;
        rows.Add([RestName, "", "", "", "", Ms(p.DenseRestMs), Ms(prunedRest), "", "", "", p.DenseRestMs > 0 && prunedRest > 0 ? Times(p.DenseRestMs / prunedRest) : Missing]);
        rows.Add(["end to end", "", "", Mega(p.DenseMacs), Mega(p.PrunedMacs!.Value), Ms(p.DenseForwardMs), Ms(p.PrunedForwardMs!.Value),
                  Gflops(p.DenseMacs, p.Batch, p.DenseForwardMs), Gflops(p.PrunedMacs.Value, p.Batch, p.PrunedForwardMs.Value), Times(p.PredictedSpeedup), Times(p.MeasuredSpeedup)]);
        return (["layer", "kind", "input (pruned, per image)", "dense MMACs", "pruned MMACs", "dense ms", "pruned ms", "dense GFLOP/s", "pruned GFLOP/s", "predicted ×", "measured ×"], rows);
    }

    /// <summary>Millions, with room for a small linear layer's thousands.</summary>
    private static string Mega(long macs) => (macs / 1e6).ToString("0.00##", C);

    private static string Ms(double ms) => ms.ToString("F3", C);

    private static string Gflops(long macs, int batch, double ms) => ms > 0 ? ComputeProfile.Gflops(macs, batch, ms).ToString("F1", C) : Missing;

    /// <summary>A speed-up as "2.41×", a dash when there is none.</summary>
    public static string Times(double? ratio) => ratio is double r ? r.ToString("F2", C) + "×" : Missing;

    private static string Percent(double part, double whole) => (100 * part / whole).ToString("F1", C) + " %";
}
