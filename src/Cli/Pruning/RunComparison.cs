using System.Globalization;
using System.Text;
using static SparseCore.Cli.Pruning.ReportFormat;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// The table and plot of `sparsecore report`: one row per prune run and one per dense reference,
/// largest network first. Each run's speed-up is against the dense latency measured in that same
/// run (same process, same device state), not against another run's: latencies from different
/// sessions differ by more than the effects compared.
/// </summary>
public sealed class RunComparison
{
    private readonly IReadOnlyList<Row> rows;
    private readonly IReadOnlyList<(string Folder, PruneSummary Summary)> runs;

    private sealed record Row(string Run, string Method, string Budget, string Mode, RunMeasure Measure, long DenseMacs, double DenseLatencyMs, bool Dense);

    public RunComparison(IReadOnlyList<(string Folder, PruneSummary Summary)> runs)
    {
        if (runs.Count == 0) throw new ArgumentException("no runs to compare");
        this.runs = runs;
        var all = runs.Select(r => new Row(Name(r.Folder), Method(r.Summary.Method), BudgetShort(r.Summary), r.Summary.Mode,
                                           Counted(r.Summary), r.Summary.Dense.Macs, r.Summary.Dense.LatencyMs, Dense: false)).ToList();
        all.AddRange(DenseReferences());
        rows = all.OrderByDescending(r => r.Measure.Macs).ThenByDescending(r => r.Dense)
                  .ThenBy(r => r.Run, StringComparer.Ordinal).ToList();
    }

    /// <summary>A weight-mask run counts its nonzero MACs and parameters (the work its kept weights do); a channel run, its extracted network's.</summary>
    private static RunMeasure Counted(PruneSummary s) => s.Mode == PruneSummary.WeightMode
        ? s.Pruned with { Macs = s.MaskedMacs, Parameters = s.NonzeroParameters ?? s.Pruned.Parameters }
        : s.Pruned;

    /// <summary>One dense row per distinct dense network (model, data, MACs, accuracy): runs pruned
    /// from one checkpoint share it. Its latency is the median of those runs' dense measurements.</summary>
    private IEnumerable<Row> DenseReferences() =>
        runs.GroupBy(r => (r.Summary.Model, r.Summary.Data, r.Summary.Dense.Macs, r.Summary.Dense.TestAccuracy))
            .Select(g =>
            {
                var first = g.First().Summary;
                double latency = Median.Of(g.Select(r => r.Summary.Dense.LatencyMs).Where(ms => !double.IsNaN(ms)));
                string label = runs.Select(r => r.Summary.Model).Distinct().Count() > 1 ? $"dense {first.Model}" : "dense";
                return new Row($"dense of {g.Count()} run{(g.Count() == 1 ? "" : "s")}", label, Missing, Missing,
                               first.Dense with { LatencyMs = latency }, first.Dense.Macs, latency, Dense: true);
            });

    /// <summary>The comparison as a markdown table, rows in order of MACs (largest first).</summary>
    public string Table()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine("| run | method | budget | mode | val acc % | test acc % | MACs (M) | MACs kept | params (M) | latency (ms) | speed-up |");
        md.AppendLine("|---|---|---|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in rows)
        {
            var m = r.Measure;
            md.AppendLine(c, $"| {r.Run} | {r.Method} | {r.Budget} | {r.Mode} | {Accuracy(m.ValidationAccuracy)} | {Accuracy(m.TestAccuracy)} | " +
                             $"{MegaMacs(m.Macs)} | {Share(m.Macs, r.DenseMacs)} | {MegaParameters(m.Parameters)} | {Milliseconds(m.LatencyMs)} | " +
                             $"{(r.Mode == PruneSummary.WeightMode ? "1× by construction" : Speedup(r.DenseLatencyMs, m.LatencyMs))} |");
        }
        return md.ToString();
    }

    /// <summary>comparison.md: the table, how its columns were measured, and the plot.</summary>
    public string Markdown()
    {
        var c = CultureInfo.InvariantCulture;
        var md = new StringBuilder();
        md.AppendLine(c, $"# Comparison of {runs.Count} prune run{(runs.Count == 1 ? "" : "s")}");
        md.AppendLine();
        md.Append(Table());
        md.AppendLine();
        md.AppendLine("MACs are per image (conv and linear layers) of the extracted network; \"MACs kept\" is against the run's dense network. " +
                      "Each speed-up is against the dense latency measured in the same run; a dense row's latency is the median of its runs' dense measurements.");
        if (runs.Any(r => r.Summary.Mode == PruneSummary.WeightMode))
            md.AppendLine().AppendLine("Runs in mode \"weights\" keep weight masks: their MACs and parameters are the nonzero ones, but a dense kernel still " +
                                       "runs every dense MAC, so their latency is the dense network's up to noise (their speed-up is 1 by construction; `eval --sparse` runs them on sparse-weight kernels).");
        var ablations = runs.Where(r => r.Summary.PromptAblation is not null).OrderBy(r => Name(r.Folder), StringComparer.Ordinal).ToList();
        if (ablations.Count > 0)
        {
            md.AppendLine().AppendLine("Test accuracy with and without the stage-2 prompt (the table shows the forward each checkpoint records):").AppendLine();
            foreach (var (folder, s) in ablations)
                md.AppendLine(c, $"- {Name(folder)}: with the prompt {Accuracy(s.PromptAblation!.WithPrompt)} %, without {Accuracy(s.PromptAblation.WithoutPrompt)} % (tested {(s.PromptAtTest == true ? "with" : "without")})");
        }
        md.AppendLine();
        md.AppendLine("Latency conditions:");
        md.AppendLine();
        foreach (var (folder, s) in runs.OrderBy(r => Name(r.Folder), StringComparer.Ordinal))
            md.AppendLine(c, $"- {Name(folder)}: {s.Device}, batch {s.Latency.Batch}, {s.Latency.Threads} threads, " +
                             $"{s.Latency.Warmup} warm-up, median of {s.Latency.Repetitions}");
        md.AppendLine();
        md.AppendLine(c, $"![test accuracy vs MACs]({AccuracyMacsPlot.FileName})");
        foreach (var group in WeightGroups())
        {
            md.AppendLine();
            md.AppendLine(c, $"## Weight masks at sparsity {Number(group.Key.Sparsity ?? double.NaN)}: where they agree");
            md.AppendLine();
            md.AppendLine("The share of each row's kept weights that the column's mask keeps too (random masks agree on about the density).");
            md.AppendLine();
            md.Append(MaskOverlap.Table(group.ToList()));
            md.AppendLine();
            md.AppendLine(c, $"![weights kept per layer]({WeightDensityFile(group.Key.Sparsity)})");
        }
        return md.ToString();
    }

    /// <summary>accuracy-vs-macs.png with every run and every dense reference.</summary>
    public void WritePlot(string path)
    {
        var labels = rows.Where(r => !r.Dense).Select(r => $"{r.Method} {r.Budget}").ToList();
        // Runs with the same method and budget (seeds, modes) are told apart by their folder.
        var points = rows.Select(r => new AccuracyMacsPlot.Point(
            r.Dense ? r.Method : labels.Count(l => l == $"{r.Method} {r.Budget}") > 1 ? $"{r.Method} {r.Budget} ({r.Run})" : $"{r.Method} {r.Budget}",
            r.Measure.Macs, r.Measure.TestAccuracy, r.Dense)).ToList();
        string data = string.Join(", ", runs.Select(r => $"{r.Summary.Model} on {r.Summary.Data}").Distinct());
        AccuracyMacsPlot.Write(path, $"{data}: test accuracy vs MACs", points);
    }

    /// <summary>Weight-mask runs of one model at one budget, two or more: compared layer by layer and mask by mask.</summary>
    public IEnumerable<IGrouping<(string Model, double? Sparsity), (string Folder, PruneSummary Summary)>> WeightGroups() =>
        runs.Where(r => r.Summary.Mode == PruneSummary.WeightMode).GroupBy(r => (r.Summary.Model, r.Summary.Sparsity)).Where(g => g.Count() > 1);

    public static string WeightDensityFile(double? sparsity) => string.Create(CultureInfo.InvariantCulture, $"weight-density-s{sparsity}.png");

    private static string Name(string folder) => Path.GetFileName(Path.TrimEndingDirectorySeparator(Path.GetFullPath(folder)));
}
