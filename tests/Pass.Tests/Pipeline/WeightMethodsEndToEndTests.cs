using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Training;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Pipeline;
using SparseCore.Pass.Prompts;
using SparseCore.Pass.Unstructured;

namespace SparseCore.Pass.Tests.Pipeline;

/// <summary>
/// Every unstructured method prunes a tiny ResNet-20 end to end: the density is exact, the pruned
/// weights are exactly 0 after stage 2 and in the checkpoint, and the checkpoint rebuilt from its
/// own description (prompt, test-time forward, label mapping) reproduces the summary's accuracy.
/// </summary>
public sealed class WeightMethodsEndToEndTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-weights-").FullName;
    private readonly CpuBackend cpu = new();

    public void Dispose()
    {
        cpu.Dispose();
        Directory.Delete(root, recursive: true);
    }

    private PruneJob Job(string method, double sparsity, PruneOptions? options = null) => new()
    {
        Options = (options ?? Options(method, sparsity)),
        Train = SyntheticDataset.Create(600, 1, 28, 28, 10, seed: 1),
        Test = SyntheticDataset.Create(100, 1, 28, 28, 10, seed: 2),
        Backend = cpu,
        Output = root,
        Command = "WeightMethodsEndToEndTests",
    };

    private static PruneOptions Options(string method, double sparsity) => new()
    {
        Method = method, Model = "resnet20", Data = "synthetic", Budget = new PruneBudget(BudgetKind.Sparsity, sparsity), Seed = 1,
        DenseEpochs = 1, TrainSubset = 96, SearchSubset = 64, SearchEpochs = 1, Validation = 64, FinetuneEpochs = 1, BatchSize = 32, LatencyBatch = 2,
    };

    [Theory]
    [InlineData("vpns", 0.9)]
    [InlineData("hydra", 0.5)]
    [InlineData("imp", 0.5)]
    [InlineData("omp", 0.9)]
    [InlineData("snip", 0.5)]
    [InlineData("synflow", 0.9)]
    [InlineData("random-weights", 0.5)]
    public void A_weight_method_prunes_exactly_its_budget_and_its_checkpoint_reproduces_the_accuracy(string method, double sparsity)
    {
        var outcome = PruneRun.Run(Job(method, sparsity));
        var summary = outcome.Summary;
        Assert.Equal(PruneSummary.WeightMode, summary.Mode);

        long total = summary.Layers.Sum(l => (long)l.Channels), kept = summary.Layers.Sum(l => (long)l.Kept);
        Assert.Equal(total - GlobalSelection.RemovedCount(sparsity, total), kept);
        Assert.Equal(summary.Pruned.Parameters - (total - kept), summary.NonzeroParameters);

        string pruned = Path.Combine(outcome.RunFolder, PruneRun.PrunedFileName);
        var (masks, _) = WeightMasks.Read(pruned);
        var info = Checkpoint.ReadInfo(pruned);
        using var net = PromptSpec.Build(info.Model!, ModuleInit.Undrawn(cpu));
        Checkpoint.Load(pruned, net);
        var values = net.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());
        long zeros = 0;
        foreach (var (weight, mask) in masks)
            for (int i = 0; i < mask.Length; i++)
                if (mask[i] == 0f) { Assert.Equal(0f, values[weight][i]); zeros++; }
        Assert.Equal(total - kept, zeros);

        using var test = new DataLoader(SyntheticDataset.Create(100, 1, 28, 28, 10, seed: 2), 32, shuffle: false);
        Assert.Equal(summary.Pruned.TestAccuracy, Trainer.Evaluate(net, test).Accuracy);
    }

    [Fact]
    public void Vpns_tests_without_its_prompt_by_default_reports_both_forwards_and_records_its_label_map()
    {
        var summary = PruneRun.Run(Job("vpns", 0.5, Options("vpns", 0.5) with { LabelMapping = "flm" })).Summary;
        Assert.False(summary.PromptAtTest);
        var ablation = Assert.IsType<PromptAblation>(summary.PromptAblation);
        Assert.Equal(summary.Pruned.TestAccuracy, ablation.WithoutPrompt);
        Assert.Equal(10, summary.LabelMap!.Count);
        Assert.Equal(10, summary.LabelMap.Distinct().Count());

        var withPrompt = PruneRun.Run(Job("vpns", 0.5, Options("vpns", 0.5) with { TestPrompt = true })).Summary;
        Assert.True(withPrompt.PromptAtTest);
        Assert.Null(withPrompt.LabelMap);
        Assert.Equal(withPrompt.Pruned.TestAccuracy, withPrompt.PromptAblation!.WithPrompt);
    }

    [Fact]
    public void A_vpns_checkpoint_records_its_test_time_forward_and_label_map()
    {
        var outcome = PruneRun.Run(Job("vpns", 0.5, Options("vpns", 0.5) with { LabelMapping = "flm" }));
        var model = Checkpoint.ReadInfo(Path.Combine(outcome.RunFolder, PruneRun.PrunedFileName)).Model!;
        Assert.False(model.PromptAtTest);
        Assert.NotNull(model.Prompt);
        Assert.Equal(string.Join(",", outcome.Summary.LabelMap!), model.LabelMap);
        Assert.Equal(10, model.TargetClasses);
    }

    [Fact]
    public void A_resumed_vpns_run_after_stage_1_gives_the_uninterrupted_runs_checkpoint()
    {
        var flm = Options("vpns", 0.5) with { LabelMapping = "flm" };
        var whole = PruneRun.Run(Job("vpns", 0.5, flm));
        // Keep stage 1's products, drop everything after them, and resume.
        string folder = whole.RunFolder;
        foreach (string f in new[] { PruneRun.PrunedFileName, PruneSummaryFile.FileName }) File.Delete(Path.Combine(folder, f));
        Directory.Delete(Path.Combine(folder, StageTwo.FolderName), recursive: true);
        var resumed = PruneRun.Run(Job("vpns", 0.5, flm) with { Resume = folder });
        Assert.Equal(whole.Summary.Pruned.TestAccuracy, resumed.Summary.Pruned.TestAccuracy);
        Assert.Equal(whole.Summary.Pruned.ValidationAccuracy, resumed.Summary.Pruned.ValidationAccuracy);
        Assert.Equal(whole.Summary.LabelMap, resumed.Summary.LabelMap);
    }
}
