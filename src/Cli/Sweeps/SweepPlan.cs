using System.Globalization;
using System.Text;
using SparseCore.Pass.Results;

namespace SparseCore.Cli.Sweeps;

/// <summary>
/// PLAN.md: what a grid compares, fixed before its first cell — methods, budgets, seeds, the
/// recipe, the one metric, the statistics and the order — with the grid's fingerprint. A later
/// sweep over the store refuses a grid whose fingerprint differs: a changed plan is a new grid.
/// </summary>
public static class SweepPlan
{
    private const string FingerprintLine = "Grid fingerprint: ";

    public static string Text(Grid grid)
    {
        var c = CultureInfo.InvariantCulture;
        var cells = CellPlan.Cells(grid);
        var md = new StringBuilder();
        md.AppendLine(c, $"# Plan: {grid.Name}");
        md.AppendLine();
        md.AppendLine("Written by `sparsecore sweep` before the first cell ran; not edited afterwards.");
        md.AppendLine();
        md.AppendLine(c, $"- **Network and data**: {grid.Model} on {grid.Data}.");
        md.AppendLine($"- **Seeds**: {string.Join(", ", grid.Seeds)}. Each seed prunes its own dense network ({grid.Dense.Path}; " +
                         $"when missing, `sparsecore train --model {grid.Model} --data {grid.Data} --seed SEED {string.Join(' ', grid.Dense.Train)}`), " +
                         "and validates on that network's own held-out split.");
        md.AppendLine(c, $"- **Recipe** (every cell): `{string.Join(' ', grid.Recipe)}`.");
        if (!string.IsNullOrWhiteSpace(grid.Why)) md.AppendLine(c, $"- **Why this recipe**: {grid.Why}");
        md.AppendLine("- **Metric**: test accuracy of the pruned network after the last stage-2 epoch, read once at the end of the cell. " +
                      "Validation accuracy is reported but chooses nothing.");
        md.AppendLine($"- **Comparison**: per method and budget, mean ± standard deviation over seeds; for every other method, {grid.Reference}'s " +
                         "paired difference (same seed, same dense network) with a 95 % paired t-interval. A difference is resolved when its interval excludes 0.");
        md.AppendLine();
        md.AppendLine("| priority | methods | budgets | extra options |");
        md.AppendLine("|---:|---|---|---|");
        foreach (var g in grid.Cells)
        {
            string budgets = g.MatchMacsOf is { } r
                ? $"at {r}'s MACs for s = {string.Join(", ", g.Sparsity!.Select(v => v.ToString("R", c)))} (--flops set to its measured ratio, ±{100 * MacsMatch.Tolerance:0} %)"
                : g.Sparsity is { Count: > 0 } s ? "s = " + string.Join(", ", s.Select(v => v.ToString("R", c))) : "flops = " + string.Join(", ", g.Flops!.Select(v => v.ToString("R", c)));
            md.AppendLine(c, $"| {g.Priority} | {string.Join(", ", g.Methods)} | {budgets} | {(g.Args.Count == 0 ? "—" : "`" + string.Join(' ', g.Args) + "`")} |");
        }
        md.AppendLine();
        md.AppendLine(c, $"The {cells.Count} cells in the order they run:");
        md.AppendLine();
        for (int i = 0; i < cells.Count; i++) md.AppendLine(c, $"{i + 1}. {cells[i].Name}");
        md.AppendLine();
        md.AppendLine(FingerprintLine + GridFile.Fingerprint(grid));
        return md.ToString();
    }

    /// <summary>The fingerprint a PLAN.md records, or null when it has none.</summary>
    public static string? FingerprintOf(string planText) =>
        planText.Split('\n').FirstOrDefault(l => l.StartsWith(FingerprintLine, StringComparison.Ordinal))?[FingerprintLine.Length..].Trim();
}
