using System.Globalization;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Pruning;

/// <summary>How the pruning reports spell numbers: one spelling for report.md, comparison.md and
/// the console, invariant culture, and a dash for a figure that was not measured (NaN).</summary>
internal static class ReportFormat
{
    private static readonly CultureInfo C = CultureInfo.InvariantCulture;

    public const string Missing = "—";

    /// <summary>The method as the papers name it; an unknown name is shown as given.</summary>
    public static string Method(string method) => method switch
    {
        "pass" => "PASS",
        "pass-noprompt" => "PASS (no prompt)",
        "l1" => "L1 (filters)",
        "group-l1" => "Group-L1",
        "slim" => "BN-scale (Slim)",
        "group-l2" => "Group-L2",
        "depgraph" => "DepGraph",
        "growreg" => "GrowReg",
        "abc" => "ABCPruner",
        "uniform" => "uniform (L1 per layer)",
        "vpns" => "VPNs",
        "hydra" => "HYDRA",
        "omp" => "OMP",
        "imp" => "IMP",
        "snip" => "SNIP",
        "synflow" => "SynFlow",
        "random-weights" => "Random (weights)",
        _ => method,
    };

    /// <summary>"sparsity 0.5", or for a FLOPs target the fraction asked for and the sparsity that met it.</summary>
    public static string Budget(PruneSummary s) => (s.FlopsTarget, s.Sparsity) switch
    {
        ({ } r, { } sp) => $"FLOPs target {Number(r)} (sparsity {sp.ToString("0.###", C)})",
        ({ } r, null) => $"FLOPs target {Number(r)}",
        (null, { } sp) => $"sparsity {Number(sp)}",
        _ => Missing,
    };

    /// <summary>The budget in a table cell: "s=0.5" or "flops=0.4".</summary>
    public static string BudgetShort(PruneSummary s) =>
        s.FlopsTarget is { } r ? $"flops={Number(r)}" : s.Sparsity is { } sp ? $"s={Number(sp)}" : Missing;

    /// <summary>An accuracy fraction as a percentage with two decimals.</summary>
    public static string Accuracy(double fraction) => double.IsNaN(fraction) ? Missing : (100 * fraction).ToString("F2", C);

    /// <summary>The change in accuracy, in percentage points, signed.</summary>
    public static string Points(double dense, double pruned) =>
        double.IsNaN(dense) || double.IsNaN(pruned) ? Missing : (100 * (pruned - dense)).ToString("+0.00;−0.00;0.00", C);

    public static string MegaMacs(long macs) => (macs / 1e6).ToString("F2", C);

    public static string MegaParameters(long parameters) => (parameters / 1e6).ToString("F3", C);

    public static string Milliseconds(double ms) => double.IsNaN(ms) ? Missing : ms.ToString("F2", C);

    /// <summary>part / whole as a percentage with one decimal.</summary>
    public static string Share(long part, long whole) => (100.0 * part / whole).ToString("F1", C) + " %";

    /// <summary>How many times faster the pruned network ran; a dash unless both were measured.</summary>
    public static string Speedup(double denseMs, double prunedMs) =>
        denseMs > 0 && prunedMs > 0 ? (denseMs / prunedMs).ToString("F2", C) + "×" : Missing;

    public static string Seconds(double seconds) => double.IsNaN(seconds) ? Missing : seconds.ToString("F1", C);

    public static string Number(double v) => v.ToString("G4", C);

    public static string Count(long v) => v.ToString("N0", C);
}
