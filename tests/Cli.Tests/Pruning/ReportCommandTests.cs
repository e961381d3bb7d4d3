using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Tests.Pruning;

/// <summary>`sparsecore report` over synthetic run folders.</summary>
public sealed class ReportCommandTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-report-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void Compares_runs_in_one_table_sorted_by_macs_and_writes_the_files()
    {
        string small = SampleSummaries.WriteFolder(root, "run-l1", SampleSummaries.Make("l1", prunedMacs: 11_111_111, prunedTest: 0.8533));
        string large = SampleSummaries.WriteFolder(root, "run-pass", SampleSummaries.Make("pass", prunedMacs: 23_456_789, prunedTest: 0.9001));
        string output = Path.Combine(root, "out");

        var (exit, stdout, error) = CliRunner.Run("report", small, large, "--output", output);

        Assert.True(exit == 0, error);
        var rows = stdout.Split('\n').Where(l => l.StartsWith("| ", StringComparison.Ordinal)).Skip(1).ToList(); // after the header
        Assert.Equal(3, rows.Count);
        Assert.StartsWith("| dense of 2 runs | dense |", rows[0]);    // 40.55 M
        Assert.StartsWith("| run-pass | PASS | s=0.5 | shared | 90.11 | 90.01 | 23.46 | 57.8 % |", rows[1]);
        Assert.StartsWith("| run-l1 | L1 (filters) | s=0.5 | shared | 90.11 | 85.33 | 11.11 | 27.4 % |", rows[2]);
        Assert.EndsWith("| 2.50× |", rows[2]);
        Assert.Contains("| 1.00× |", rows[0]);
        string md = File.ReadAllText(Path.Combine(output, "comparison.md"));
        Assert.Contains(rows[1], md);
        Assert.Contains("](accuracy-vs-macs.png)", md);
        Assert.Contains("run-l1: cpu (managed SIMD on 2 cores), batch 1, 2 threads, 3 warm-up, median of 15", md);
        var png = File.ReadAllBytes(Path.Combine(output, "accuracy-vs-macs.png"));
        Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G' }, png[..4]);
    }

    [Fact]
    public void A_folder_without_summary_json_is_named_with_exit_code_2()
    {
        string run = SampleSummaries.WriteFolder(root, "run-pass", SampleSummaries.Make());
        string dense = Directory.CreateDirectory(Path.Combine(root, "dense-train-run")).FullName;

        var (exit, _, error) = CliRunner.Run("report", run, dense, "--output", Path.Combine(root, "out"));

        Assert.Equal(2, exit);
        Assert.Contains(dense, error);
        Assert.Contains("summary.json", error);
        Assert.DoesNotContain("   at ", error);
        Assert.False(Directory.Exists(Path.Combine(root, "out")));
    }

    [Fact]
    public void A_damaged_summary_names_the_file_and_field_with_exit_code_2()
    {
        string run = SampleSummaries.WriteFolder(root, "run-pass", SampleSummaries.Make());
        string summary = Path.Combine(run, "summary.json");
        File.WriteAllText(summary, File.ReadAllText(summary).Replace("\"shared\"", "\"both\"", StringComparison.Ordinal));

        var (exit, _, error) = CliRunner.Run("report", run);

        Assert.Equal(2, exit);
        Assert.Contains($"{summary}: mode:", error);
    }
}
