using SparseCore.Cli.Pruning;
using SparseCore.Pass.Pipeline;

namespace SparseCore.Cli.Tests.Pruning;

public sealed class PruneReportTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("sparsecore-prune-report-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void Writes_report_md_with_the_numbers_and_both_plots()
    {
        PruneReport.Write(folder, SampleSummaries.Make(mode: "union"));

        string md = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.StartsWith("# PASS on resnet20 / fashion-mnist: sparsity 0.5, union mode", md);
        Assert.Contains("| dense | 92.33 | 91.87 | 40.55 | 0.272 | 3.75 |", md);
        Assert.Contains("| pruned (extracted) | 90.11 | 89.17 | 19.88 | 0.071 | 1.50 |", md);
        Assert.Contains("−2.70 pts", md);             // test accuracy change
        Assert.Contains("49.0 %", md);                // MACs kept
        Assert.Contains("2.50× speed-up", md);
        Assert.Contains("19,876,543", md);            // extracted MACs
        Assert.Contains("18,641,976", md);            // masked MACs, lower in union mode
        Assert.Contains("batch 1, 2 threads, 3 warm-up forwards", md);
        Assert.Contains("median of 15 timed forwards", md);
        Assert.Contains("| 1: masks (backbone frozen) | 3 | 5,000 | 612.5 | 204.2 |", md);
        Assert.Contains("| layer3.2.conv2 | 64 | 37 | 57.8 % |", md);
        Assert.Contains("| all layers | 96 | 51 | 53.1 % |", md);
        Assert.Contains("sparsecore prune --method pass", md);
        Assert.Contains("](kept-channels.png)", md);
        Assert.Contains("](accuracy-vs-macs.png)", md);
        foreach (string png in new[] { "kept-channels.png", "accuracy-vs-macs.png" })
        {
            var bytes = File.ReadAllBytes(Path.Combine(folder, png));
            Assert.True(bytes.Length > 1000, $"{png} is {bytes.Length} bytes");
            Assert.Equal(new byte[] { 0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A }, bytes[..8]);
        }
        Assert.Empty(Directory.GetFiles(folder, ".*.tmp"));
    }

    [Fact]
    public void A_compute_profile_adds_the_per_layer_time_section_and_its_plot()
    {
        PruneReport.Write(folder, SampleSummaries.Make() with { Compute = SampleSummaries.Compute(), PromptAtTest = true });

        string md = File.ReadAllText(Path.Combine(folder, "report.md"));
        Assert.Contains("## Where the time goes, layer by layer", md);
        Assert.Contains("The MACs promise a **3.96×** speed-up; the forward ran **2.66×** faster", md);
        Assert.Contains("| conv1 | conv | 1×28×28 | 0.1129 | 0.0282 | 0.500 | 0.250 | 14.5 | 7.2 | 4.00× | 2.00× |", md);
        Assert.Contains("| everything else (batch-norm, activations, adds, pooling, bookkeeping) |  |  |  |  | 1.500 | 0.500 |  |  |  | 3.00× |", md);
        Assert.Contains("| end to end |  |  | 0.1142 | 0.0289 | 2.020 | 0.760 |", md);
        Assert.Contains("](layer-times.png)", md);
        Assert.Contains("the prompt's time is in the pruned \"everything else\"", md);
        Assert.True(File.Exists(Path.Combine(folder, "layer-times.png")));
    }

    [Fact]
    public void Shared_mode_says_the_masked_and_extracted_counts_agree_and_flags_them_when_not()
    {
        PruneReport.Write(folder, SampleSummaries.Make(mode: "shared"));
        Assert.Contains("so the counts agree", File.ReadAllText(Path.Combine(folder, "report.md")));

        PruneReport.Write(folder, SampleSummaries.Make(mode: "shared") with { MaskedMacs = 123 });
        Assert.Contains("check the run", File.ReadAllText(Path.Combine(folder, "report.md")));
    }

    [Fact]
    public void A_flops_target_titles_the_report_with_the_sparsity_that_met_it()
    {
        PruneReport.Write(folder, SampleSummaries.Make() with { FlopsTarget = 0.4, Sparsity = 0.4731 });
        Assert.StartsWith("# PASS on resnet20 / fashion-mnist: FLOPs target 0.4 (sparsity 0.473), shared mode",
                          File.ReadAllText(Path.Combine(folder, "report.md")));
    }
}
