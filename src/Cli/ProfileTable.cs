using System.Globalization;
using System.Text;
using SparseCore.Kernels.Diagnostics;
using SparseCore.Models.IO;

namespace SparseCore.Cli;

/// <summary>
/// The table `--profile` prints and writes as profile.md: one row per region and kernel family,
/// most time first, with its share of the wall time and what it achieved (GFLOP/s for the rows
/// that count arithmetic, GB/s for the memory-bound rest), then the profiled sum against the wall.
/// </summary>
internal static class ProfileTable
{
    public static string Format(Profiler profiler, double wallSeconds, string title)
    {
        var c = CultureInfo.InvariantCulture;
        var rows = profiler.Rows();
        double profiled = profiler.ProfiledSeconds;
        var sb = new StringBuilder();
        sb.AppendLine(c, $"## Where the time goes: {title}");
        sb.AppendLine();
        sb.AppendLine("| region · work | calls | seconds | share of wall | achieved |");
        sb.AppendLine("|---|---:|---:|---:|---:|");
        foreach (var r in rows)
            sb.AppendLine(c, $"| {r.Label} | {r.Calls:N0} | {r.Seconds:F3} | {Share(r.Seconds, wallSeconds)} | {Achieved(r)} |");
        sb.AppendLine(c, $"| **Σ profiled** | | **{profiled:F3}** | **{Share(profiled, wallSeconds)}** | |");
        sb.AppendLine(c, $"| outside every region (progress, checks, files) | | {wallSeconds - profiled:F3} | {Share(wallSeconds - profiled, wallSeconds)} | |");
        sb.AppendLine(c, $"| wall | | {wallSeconds:F3} | 100.0 % | |");
        sb.AppendLine();
        sb.AppendLine("Times are exclusive: a region's bookkeeping row is what its kernels do not explain (the autograd tape, " +
                      "buffer rental and release, validation, host work). Throughput counts each operand read or written once.");
        return sb.ToString();
    }

    /// <summary>Prints the table and writes it atomically to <paramref name="path"/>.</summary>
    public static void Write(string path, Profiler profiler, double wallSeconds, string title) =>
        Write(path, [(profiler, wallSeconds, title)]);

    /// <summary>Prints several tables (prune: the dense and the pruned network) and writes them to one file.</summary>
    public static void Write(string path, IReadOnlyList<(Profiler Profiler, double WallSeconds, string Title)> profiles)
    {
        string text = string.Join(Environment.NewLine, profiles.Select(p => Format(p.Profiler, p.WallSeconds, p.Title)));
        Console.Write(text);
        AtomicFile.WriteAllText(path, text);
        Console.WriteLine($"profile written to {path}");
    }

    private static string Share(double seconds, double wall) =>
        wall > 0 ? (seconds / wall).ToString("P1", CultureInfo.InvariantCulture) : "–";

    private static string Achieved(ProfileRow r) => r switch
    {
        { Gflops: { } g } => string.Create(CultureInfo.InvariantCulture, $"{g:F1} GFLOP/s"),
        { GBps: { } b } => string.Create(CultureInfo.InvariantCulture, $"{b:F1} GB/s"),
        _ => "",
    };
}
