using System.Globalization;
using System.Text;
using SparseCore.Pass.Results;
using SparseCore.Cli.Pruning;
using SparseCore.Models.IO;
using static SparseCore.Cli.Pruning.ReportFormat;

namespace SparseCore.Cli.Sweeps;

/// <summary>
/// A store's report.md and accuracy-vs-macs.png, rewritten after every cell and by
/// `sparsecore report STORE`: per method and budget the mean ± standard deviation over seeds, the
/// reference method's paired difference to each other method with its 95 % t-interval, in words
/// which differences are resolved, the plot with error bars, and every cell with the commit that
/// made it (cells from different commits are flagged).
/// </summary>
public static class SweepReport
{
    public const string FileName = "report.md";
    public const string PlotFileName = "accuracy-vs-macs.png";

    /// <summary>Writes both files into the store; returns their paths.</summary>
    public static IReadOnlyList<string> Write(SweepStore store, string? output = null)
    {
        var grid = store.Grid();
        var cells = store.All();
        string folder = output ?? store.Folder;
        Directory.CreateDirectory(folder);
        string report = Path.Combine(folder, FileName), plot = Path.Combine(folder, PlotFileName);
        var groups = Groups(grid, cells);
        SweepPlot.Write(plot, $"{grid.Model} on {grid.Data}: test accuracy vs MACs (mean ± sd over seeds)", groups, Dense(cells));
        AtomicFile.WriteAllText(report, Markdown(grid, cells, groups));
        return [report, plot];
    }

    /// <summary>Cells of one method at one budget, over seeds.</summary>
    public sealed record MethodGroup(string Budget, string Method, IReadOnlyList<CellRecord> Cells)
    {
        public Summary Test => Summary.Of(Cells.Select(c => 100 * c.TestAccuracy).ToList());
        public Summary Validation => Summary.Of(Cells.Select(c => 100 * c.ValidationAccuracy).ToList());
        public Summary MacsKept => Summary.Of(Cells.Select(c => 100.0 * c.Macs / c.DenseMacs).ToList());
        public Summary MegaMacs => Summary.Of(Cells.Select(c => c.Macs / 1e6).ToList());
    }

    public sealed record Summary(int N, double Mean, double StandardDeviation)
    {
        public static Summary Of(IReadOnlyList<double> v) => new(v.Count, v.Count == 0 ? double.NaN : v.Average(), PairedInterval.StandardDeviationOf(v));

        public override string ToString() => N == 0 ? Missing : N == 1
            ? Mean.ToString("F2", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{Mean:F2} ± {StandardDeviation:F2}");
    }

    /// <summary>The reference's paired differences (reference − method, in accuracy points) to one method at one budget.</summary>
    public sealed record Paired(string Budget, string Method, IReadOnlyList<double> Differences, PairedInterval? Interval);

    /// <summary>By budget, then in the grid's planned order (the reference first where the grid puts it first).</summary>
    public static IReadOnlyList<MethodGroup> Groups(Grid grid, IReadOnlyList<CellRecord> cells)
    {
        var order = CellPlan.Cells(grid).Select(c => c.Name).ToList();
        return cells.GroupBy(c => (c.Budget, c.Method)).OrderBy(g => g.Key.Budget, StringComparer.Ordinal).ThenBy(g => g.Min(c => Position(order, c.Cell)))
                    .Select(g => new MethodGroup(g.Key.Budget, g.Key.Method, g.OrderBy(c => c.Seed).ToList())).ToList();
    }

    /// <summary>A cell's place in the plan; a stored cell the grid no longer plans goes last.</summary>
    private static int Position(List<string> order, string cell) => order.IndexOf(cell) is >= 0 and var i ? i : int.MaxValue;

    /// <summary>For every method at every budget the reference also ran at: differences on the seeds both have.</summary>
    public static IReadOnlyList<Paired> PairedDifferences(Grid grid, IReadOnlyList<CellRecord> cells)
    {
        string reference = grid.Reference;
        var anchors = cells.Where(c => c.Method == reference && c.Match is null).ToDictionary(c => (c.Budget, c.Seed));
        return Groups(grid, cells).Where(g => g.Method != reference)
            .Select(g =>
            {
                var d = g.Cells.Where(c => anchors.ContainsKey((c.Budget, c.Seed)))
                               .Select(c => 100 * (anchors[(c.Budget, c.Seed)].TestAccuracy - c.TestAccuracy)).ToList();
                return new Paired(g.Budget, g.Method, d, PairedInterval.Of(d));
            })
            .Where(p => p.Differences.Count > 0).ToList();
    }

    private static Summary Dense(IReadOnlyList<CellRecord> cells) =>
        Summary.Of(cells.GroupBy(c => c.Seed).Select(g => 100 * g.First().DenseTestAccuracy).ToList());

    private static string Markdown(Grid grid, IReadOnlyList<CellRecord> cells, IReadOnlyList<MethodGroup> groups)
    {
        var c = CultureInfo.InvariantCulture;
        var planned = CellPlan.Cells(grid);
        var stored = cells.Select(r => r.Cell).ToHashSet();
        var md = new StringBuilder();
        md.AppendLine(c, $"# {grid.Name}: {grid.Model} on {grid.Data}");
        md.AppendLine();
        int left = planned.Count(p => !stored.Contains(p.Name));
        md.AppendLine(c, $"{cells.Count} of {planned.Count} planned cells are stored{(left > 0 ? $"; {left} remain (running `sparsecore sweep` on this grid again continues them)" : "")}. " +
                         $"The plan, fixed before the first cell: [{SweepStore.PlanFileName}]({SweepStore.PlanFileName}). " +
                         $"Metric: test accuracy after the last stage-2 epoch; validation accuracy chooses nothing.");
        var commits = cells.GroupBy(r => r.Commit).ToList();
        if (commits.Count > 1 || commits.Any(g => g.Key.EndsWith("+modified", StringComparison.Ordinal)))
        {
            md.AppendLine();
            md.AppendLine(c, $"**Cells made by {commits.Count} different commit{(commits.Count == 1 ? "" : "s")}** " +
                             $"({string.Join(", ", commits.Select(g => $"{g.Key}: {g.Count()}"))}): a change between them may move their numbers.");
        }
        md.AppendLine();
        md.AppendLine(c, $"## Per method and budget: mean ± standard deviation over seeds");
        md.AppendLine();
        md.AppendLine(c, $"Dense networks: test {Dense(cells)} % over {Dense(cells).N} seed{(Dense(cells).N == 1 ? "" : "s")}. A budget \"s=…\" of a baseline matched to {grid.Reference} means: at the MACs {grid.Reference}'s cell reached at that sparsity, seed by seed.");
        md.AppendLine();
        md.AppendLine("| budget | method | seeds | test acc % | val acc % | MACs kept % | MACs (M) | speed-up (each against its own dense) |");
        md.AppendLine("|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var g in groups)
        {
            var speedups = Summary.Of(g.Cells.Where(r => r.LatencyMs > 0 && r.DenseLatencyMs > 0).Select(r => r.DenseLatencyMs / r.LatencyMs).ToList());
            md.AppendLine(c, $"| {g.Budget} | {Label(g, grid)} | {g.Cells.Count} | {g.Test} | {g.Validation} | {g.MacsKept} | {g.MegaMacs} | {speedups} |");
        }
        var paired = PairedDifferences(grid, cells);
        md.AppendLine();
        md.AppendLine(c, $"## {Method(grid.Reference)} against each method, paired by seed");
        md.AppendLine();
        if (paired.Count == 0) md.AppendLine(c, $"No method shares a seed and budget with a stored {Method(grid.Reference)} cell yet.");
        else
        {
            md.AppendLine(c, $"Difference = {Method(grid.Reference)} − method, in test-accuracy points, over the seeds both have; 95 % paired t-interval.");
            md.AppendLine();
            md.AppendLine("| budget | method | seeds | mean difference | sd | 95 % interval | resolved |");
            md.AppendLine("|---|---|---:|---:|---:|---|---|");
            foreach (var p in paired)
            {
                var i = p.Interval;
                md.AppendLine(c, $"| {p.Budget} | {Method(p.Method)} | {p.Differences.Count} | {Signed(p.Differences.Average())} | " +
                                 $"{(i is null ? Missing : i.StandardDeviation.ToString("F2", c))} | {(i is null ? "one seed: none" : $"[{Signed(i.Low)}, {Signed(i.High)}]")} | " +
                                 $"{(i is null ? "no" : i.Resolved ? "**yes**" : "no")} |");
            }
            md.AppendLine();
            md.AppendLine("In words:");
            md.AppendLine();
            foreach (var p in paired) md.AppendLine("- " + Sentence(grid.Reference, p));
        }
        md.AppendLine();
        md.AppendLine(c, $"![test accuracy vs MACs]({PlotFileName})");
        md.AppendLine();
        md.AppendLine("## Cells");
        md.AppendLine();
        md.AppendLine("| cell | test acc % | val acc % | MACs kept % | MACs vs reference | cell time (s) | commit | device, threads | finished (UTC) |");
        md.AppendLine("|---|---:|---:|---:|---:|---:|---|---|---|");
        var order = planned.Select(p => p.Name).ToList();
        foreach (var r in cells.OrderBy(r => Position(order, r.Cell)))
            md.AppendLine(c, $"| {r.Cell} | {Accuracy(r.TestAccuracy)} | {Accuracy(r.ValidationAccuracy)} | {100.0 * r.Macs / r.DenseMacs:F2} | " +
                             $"{(r.Match is { } m ? $"{100 * m.Deviation:+0.00;−0.00;0.00} %" : Missing)} | {r.CellSeconds:F0} | {r.Commit} | {r.Device}, {r.Threads} | {r.FinishedUtc:yyyy-MM-dd HH:mm} |");
        var missing = planned.Where(p => !stored.Contains(p.Name)).ToList();
        if (missing.Count > 0)
        {
            md.AppendLine();
            md.AppendLine(c, $"Not yet run ({missing.Count}): {string.Join(", ", missing.Select(p => p.Name))}.");
        }
        return md.ToString();
    }

    private static string Label(MethodGroup g, Grid grid) =>
        g.Cells[0].Match is { } ? $"{Method(g.Method)} (at {Method(grid.Reference)}'s MACs)" : Method(g.Method);

    /// <summary>One resolved-or-not sentence per comparison.</summary>
    internal static string Sentence(string reference, Paired p)
    {
        var c = CultureInfo.InvariantCulture;
        double mean = p.Differences.Average();
        string ahead = $"{Method(reference)} is {Math.Abs(mean).ToString("F2", c)} points {(mean >= 0 ? "ahead of" : "behind")} {Method(p.Method)} at {p.Budget}";
        return p.Interval is not { } i
            ? $"{ahead} on one seed: not resolved (no interval from one seed)."
            : i.NoSpread
                ? $"{ahead} on every one of {i.N} seeds alike: not resolved (no spread between seeds to judge it by)."
                : i.Resolved
                ? $"{ahead} over {i.N} seeds, 95 % interval [{Signed(i.Low)}, {Signed(i.High)}]: **resolved** — {Method(reference)} is {(mean >= 0 ? "better" : "worse")} here."
                : $"{ahead} over {i.N} seeds, 95 % interval [{Signed(i.Low)}, {Signed(i.High)}] includes 0: not resolved — not separable at this seed count.";
    }

    private static string Signed(double v) => v.ToString("+0.00;−0.00;0.00", CultureInfo.InvariantCulture);
}
