using System.Globalization;

namespace SparseCore.Bench.Network;

/// <summary>
/// The results as a Markdown table (readable in a terminal, pasted as is into docs/benchmarks.md):
/// per case each contender's median block in samples/s and the engine's ratio to each peer's
/// median (above 1: the engine is faster); "—" where a contender did not run the case.
/// </summary>
internal static class NetworkTable
{
    public static void Write(TextWriter output, IReadOnlyList<CaseResult> results, IReadOnlyList<string> peers)
    {
        output.WriteLine($"| model | mode | batch | engine samples/s | {string.Join(" | ", peers.Select(p => $"{p} samples/s"))} | {string.Join(" | ", peers.Select(p => $"engine / {p}"))} |");
        output.WriteLine("|---|---|---:|---:|" + string.Concat(peers.Select(_ => "---:|")) + string.Concat(peers.Select(_ => "---:|")));
        foreach (var r in results)
        {
            double engine = r.Of(EngineRunner.Title)!.Median;
            var medians = peers.Select(p => r.Of(p)?.Median).ToArray();
            output.WriteLine($"| {r.Case.Model} | {r.Case.ModeName} | {r.Case.Batch} | {Rate(engine)} | " +
                             string.Join(" | ", medians.Select(m => m is { } v ? Rate(v) : "—")) + " | " +
                             string.Join(" | ", medians.Select(m => m is { } v ? (engine / v).ToString("F2", CultureInfo.InvariantCulture) : "—")) + " |");
        }
    }

    private static string Rate(double samplesPerSecond) => samplesPerSecond.ToString(samplesPerSecond < 100 ? "N1" : "N0", CultureInfo.InvariantCulture);
}
