using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Methods;
using SparseCore.Pass.Pipeline;
using SparseCore.Pass.Prompts;

namespace SparseCore.Pass.Tests.Pipeline;

/// <summary>
/// Pruning from a program of one's own, through the SparseCore.Pass API alone (no command line): a
/// channel method end to end, and a weight method written here as one class, registered and run
/// end to end — its masks held through stage 2 and carried into the checkpoint.
/// </summary>
public sealed class PruneRunApiTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-api-").FullName;
    private readonly CpuBackend cpu = new();

    public void Dispose()
    {
        cpu.Dispose();
        Directory.Delete(root, recursive: true);
    }

    private PruneJob Job(string method, double sparsity) => new()
    {
        Options = new PruneOptions
        {
            Method = method, Model = "resnet20", Data = "synthetic", Budget = new PruneBudget(BudgetKind.Sparsity, sparsity), Seed = 1,
            DenseEpochs = 1, TrainSubset = 96, Validation = 64, FinetuneEpochs = 1, BatchSize = 32, LatencyBatch = 2,
        },
        Train = SyntheticDataset.Create(600, 1, 28, 28, 10, seed: 1),
        Test = SyntheticDataset.Create(100, 1, 28, 28, 10, seed: 2),
        Backend = cpu,
        Output = root,
        Command = "PruneRunApiTests",
    };

    [Fact]
    public void A_channel_method_runs_end_to_end_through_the_library()
    {
        var lines = new List<string>();
        var outcome = PruneRun.Run(Job("l1", 0.5) with { Log = lines.Add });

        Assert.Equal(root, Path.GetDirectoryName(outcome.RunFolder));
        Assert.True(File.Exists(Path.Combine(outcome.RunFolder, PruneRun.MasksFileName)));
        var read = PruneSummaryFile.Read(Path.Combine(outcome.RunFolder, PruneSummaryFile.FileName));
        Assert.Equal(outcome.Summary with { Layers = [], Compute = null }, read with { Layers = [], Compute = null });
        Assert.Equal(outcome.Summary.Layers, read.Layers);
        Assert.Equal(outcome.Summary.Compute!.Layers, read.Compute!.Layers);
        Assert.Equal(outcome.Summary.Compute with { Layers = [] }, read.Compute with { Layers = [] });
        Assert.True(outcome.Summary.Pruned.Macs < outcome.Summary.Dense.Macs);
        Assert.Equal("shared", outcome.Summary.Mode);
        Assert.Contains(lines, l => l.StartsWith("extracted (shared)", StringComparison.Ordinal));

        // The pruned checkpoint rebuilds from its own description and loads.
        var info = Checkpoint.ReadInfo(Path.Combine(outcome.RunFolder, PruneRun.PrunedFileName));
        using var net = PromptSpec.Build(info.Model!, ModuleInit.Undrawn(cpu));
        Checkpoint.Load(Path.Combine(outcome.RunFolder, PruneRun.PrunedFileName), net);
    }

    /// <summary>A toy unstructured method: the globally smallest |w| of every conv and linear weight go.</summary>
    private sealed class WeightMagnitude : PruningMethod
    {
        public override SelectionKind Kind => SelectionKind.Weights;

        public override Selection Select(MethodContext context)
        {
            var weights = context.Dense.NamedParameters().Where(p => p.Name.EndsWith(".weight", StringComparison.Ordinal) && p.Parameter.Value.Rank >= 2)
                .ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());
            var order = weights.SelectMany(w => w.Value.Select((v, i) => (Name: w.Key, Index: i, Magnitude: Math.Abs(v))))
                .OrderBy(e => e.Magnitude).ThenBy(e => e.Name, StringComparer.Ordinal).ThenBy(e => e.Index).ToList();
            int pruned = (int)Math.Round(context.Options.Budget.Value * order.Count);
            var masks = weights.ToDictionary(w => w.Key, w => Enumerable.Repeat(1f, w.Value.Length).ToArray());
            foreach (var e in order.Take(pruned)) masks[e.Name][e.Index] = 0f;
            return new WeightSelection(masks, null, new StageOneCost(0, 0));
        }
    }

    [Fact]
    public void A_weight_method_registered_as_one_class_keeps_its_masks_through_stage_2_and_into_the_checkpoint()
    {
        const string name = "test-weight-magnitude";
        if (!PruningMethods.Names.Contains(name)) PruningMethods.Register(name, () => new WeightMagnitude());

        var outcome = PruneRun.Run(Job(name, 0.7));
        var summary = outcome.Summary;
        Assert.Equal(PruneSummary.WeightMode, summary.Mode);
        Assert.Equal(summary.Dense.Macs, summary.Pruned.Macs); // a dense kernel still runs every MAC
        // 30 % of the weights stay; per layer the share differs, so the MAC-weighted share is near it, not on it.
        Assert.InRange((double)summary.MaskedMacs / summary.Dense.Macs, 0.25, 0.5);
        long total = summary.Layers.Sum(l => (long)l.Channels), kept = summary.Layers.Sum(l => (long)l.Kept);
        Assert.Equal(Math.Round(0.3 * total), kept);

        // The masks are saved as the run's resume point and in the pruned checkpoint, and the weights they drop are exactly 0 after fine-tuning.
        string pruned = Path.Combine(outcome.RunFolder, PruneRun.PrunedFileName);
        var (masks, _) = WeightMasks.Read(pruned);
        Assert.Equal(WeightMasks.Read(Path.Combine(outcome.RunFolder, WeightMasks.FileName)).Masks, masks);
        var info = Checkpoint.ReadInfo(pruned);
        using var net = PromptSpec.Build(info.Model!, ModuleInit.Undrawn(cpu));
        Checkpoint.Load(pruned, net); // a plain model loads the masked weights and leaves the masks aside
        var parameters = net.NamedParameters().ToDictionary(p => p.Name, p => p.Parameter.Value.ToArray());
        int checkedWeights = 0;
        foreach (var (weight, mask) in masks)
        {
            var values = parameters[weight]; // the prompted view keeps the backbone's names
            for (int i = 0; i < mask.Length; i++)
                if (mask[i] == 0f) { Assert.Equal(0f, values[i]); checkedWeights++; }
        }
        Assert.Equal(total - kept, checkedWeights);
        Assert.Contains(parameters.Values.SelectMany(v => v), v => v != 0f);
    }
}
