using System.Globalization;

namespace SparseCore.Bench.Network;

/// <summary>
/// The results as CSV, one row per case: each contender's median samples/s, the engine's ratios to
/// the peers, the timed steps per block and every block's samples/s (';'-separated, in block
/// order), so the spread behind a median can be read back. (bench/ReportCsv.cs reads
/// BenchmarkDotNet's exports; this harness writes its own.)
/// </summary>
internal static class NetworkCsv
{
    /// <summary>Where a run without --out writes: beside BenchmarkDotNet's reports, not named *-report.csv so the plot modes do not take it for theirs.</summary>
    public static string DefaultPath() =>
        Path.Combine(ReportCsv.ResultsDirectory, $"network-{DateTime.UtcNow.ToString("yyyyMMdd-HHmmss", CultureInfo.InvariantCulture)}.csv");

    public static void Write(string path, IReadOnlyList<CaseResult> results, IReadOnlyList<string> names)
    {
        string[] peers = names.Where(n => n != EngineRunner.Title).ToArray();
        string Key(string name) => name.ToLowerInvariant();
        var header = new List<string> { "model", "mode", "batch", "blocks" };
        header.AddRange(names.Select(n => $"{Key(n)}_samples_per_s"));
        header.AddRange(peers.Select(p => $"engine_over_{Key(p)}"));
        header.AddRange(names.Select(n => $"{Key(n)}_steps_per_block"));
        header.AddRange(names.Select(n => $"{Key(n)}_blocks"));

        var lines = new List<string> { string.Join(",", header) };
        foreach (var r in results)
        {
            double engine = r.Of(EngineRunner.Title)!.Median;
            var row = new List<string> { r.Case.Model, r.Case.ModeName, Str(r.Case.Batch), Str(r.Of(EngineRunner.Title)!.SamplesPerSecond.Length) };
            row.AddRange(names.Select(n => r.Of(n) is { } b ? Str(b.Median) : ""));
            row.AddRange(peers.Select(p => r.Of(p) is { } b ? Str(engine / b.Median) : ""));
            row.AddRange(names.Select(n => r.Of(n) is { } b ? Str(b.Steps) : ""));
            row.AddRange(names.Select(n => r.Of(n) is { } b ? string.Join(";", b.SamplesPerSecond.Select(Str)) : ""));
            lines.Add(string.Join(",", row));
        }
        string? folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null) Directory.CreateDirectory(folder);
        File.WriteAllLines(path, lines);
    }

    private static string Str(int value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Str(double value) => value.ToString("0.####", CultureInfo.InvariantCulture);
}
