using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.Flops;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Baselines;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Methods;
using SparseCore.Pass.Pipeline;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Pipeline;

/// <summary>
/// GrowReg, DepGraph and ABCPruner end to end on a tiny ResNet-20 (synthetic data): each meets the
/// budget exactly (shared mode, kept units), GrowReg removes exactly the channels it chose on the
/// dense weights, the trained weights of GrowReg and DepGraph are what a resumed run extracts from,
/// and ABCPruner's search hands the dense network back unchanged.
/// </summary>
public sealed class StructuredBaselinesEndToEndTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("sparsecore-structured-").FullName;
    private readonly CpuBackend cpu = new();

    public void Dispose()
    {
        cpu.Dispose();
        Directory.Delete(root, recursive: true);
    }

    private static PruneOptions Options(string method, double sparsity) => new()
    {
        Method = method, Model = "resnet20", Data = "synthetic", Budget = new PruneBudget(BudgetKind.Sparsity, sparsity), Seed = 1,
        DenseEpochs = 1, TrainSubset = 96, SearchSubset = 64, Validation = 64, FinetuneEpochs = 0, BatchSize = 32, LatencyBatch = 2,
        GrowRegEpochs = 1, DepGraphEpochs = 1, AbcSources = 2, AbcCycles = 1, AbcFinetuneSteps = 1,
    };

    private PruneJob Job(PruneOptions options) => new()
    {
        Options = options,
        Train = SyntheticDataset.Create(600, 1, 28, 28, 10, seed: 1),
        Test = SyntheticDataset.Create(100, 1, 28, 28, 10, seed: 2),
        Backend = cpu,
        Output = root,
        Command = "StructuredBaselinesEndToEndTests",
    };

    private Module Network() => ModelZoo.Create("resnet20", ModuleInit.Undrawn(cpu), 1, 28, 28, 10);

    [Theory]
    [InlineData("growreg", GrowRegMethod.TrainedFileName)]
    [InlineData("depgraph", DepGraphMethod.TrainedFileName)]
    [InlineData("abc", null)]
    public void Meets_the_budget_and_a_resumed_run_extracts_the_same_network(string method, string? trained)
    {
        var lines = new List<string>();
        var outcome = PruneRun.Run(Job(Options(method, 0.5)) with { Log = lines.Add });
        Assert.Contains(lines, l => l.StartsWith(method + ":", StringComparison.Ordinal));
        using var net = Network();
        var graph = ChannelGraph.Of(net);
        var coupling = ChannelCoupling.Of(graph, ResidualMode.Shared);
        var masks = MaskFile.Read(Path.Combine(outcome.RunFolder, PruneRun.MasksFileName), graph).Masks.SelectMany(m => m).ToArray();
        int kept = Enumerable.Range(0, coupling.UnitCount).Count(u => masks[coupling.Members(u)[0]] == 1f);
        Assert.Equal((int)Math.Round(0.5 * coupling.UnitCount, MidpointRounding.AwayFromZero), kept);
        Assert.True(outcome.Summary.Pruned.Macs < outcome.Summary.Dense.Macs);
        if (trained is not null) Assert.True(File.Exists(Path.Combine(outcome.RunFolder, trained)));

        // The resumed run restores what stage 1 trained and extracts byte for byte the same network.
        byte[] pruned = File.ReadAllBytes(Path.Combine(outcome.RunFolder, PruneRun.PrunedFileName));
        lines.Clear();
        PruneRun.Run(Job(Options(method, 0.5)) with { Resume = outcome.RunFolder, Log = lines.Add });
        Assert.Contains(lines, l => l.StartsWith("masks from", StringComparison.Ordinal));
        Assert.Equal(pruned, File.ReadAllBytes(Path.Combine(outcome.RunFolder, PruneRun.PrunedFileName)));
        if (trained is null) return;

        // Without the trained weights the resume is refused rather than extracting from the dense ones.
        File.Delete(Path.Combine(outcome.RunFolder, trained));
        var e = Assert.Throws<ArgumentException>(() => PruneRun.Run(Job(Options(method, 0.5)) with { Resume = outcome.RunFolder }));
        Assert.Contains(trained, e.Message);
    }

    [Fact]
    public void Growreg_removes_exactly_the_channels_group_L2_chose_on_the_dense_weights()
    {
        var outcome = PruneRun.Run(Job(Options("growreg", 0.4)));
        using var dense = Network();
        Checkpoint.Load(Path.Combine(outcome.RunFolder, DenseNetwork.FileName), dense);
        var graph = ChannelGraph.Of(dense);
        var chosen = new ChannelBudget(graph, 0.4, ResidualMode.Shared).Select(ChannelImportance.GroupL2(dense, graph)).Mask;
        var masks = MaskFile.Read(Path.Combine(outcome.RunFolder, PruneRun.MasksFileName), graph).Masks.SelectMany(m => m);
        Assert.Equal(chosen, masks);
    }

    /// <summary>A stage-1 context around a freshly drawn ResNet-20 (28×28, 1 channel), its budget made from the graph and the MACs function.</summary>
    private MethodContext Context(PruneOptions options, PruneData data, Module dense, List<string> lines, Func<ChannelGraph, Func<IReadOnlyList<float[]>, long>, long, ChannelBudget> budget)
    {
        var graph = ChannelGraph.Of(dense);
        var input = new Shape(1, 1, 28, 28);
        var macsOf = ExtractedCost.MacsOf(dense, input, ResidualMode.Shared);
        return new MethodContext
        {
            Options = options, Data = data, Dense = dense, Graph = graph, Budget = budget(graph, macsOf, ModelCost.Measure(dense, input).Macs),
            MacsOf = macsOf, Backend = cpu, RunFolder = root, Log = lines.Add, Progress = () => null,
        };
    }

    private static PruneData Data(PruneOptions options) =>
        new(options, SyntheticDataset.Create(600, 1, 28, 28, 10, seed: 1), SyntheticDataset.Create(100, 1, 28, 28, 10, seed: 2));

    [Fact]
    public void Abc_meets_a_flops_budget_and_hands_the_dense_network_back_unchanged()
    {
        var options = Options("abc", 0) with { Budget = new PruneBudget(BudgetKind.Flops, 0.5), AbcFinetuneSteps = 2 };
        using var data = Data(options);
        using var dense = ModelZoo.Create("resnet20", new ModuleInit(cpu, 5), 1, 28, 28, 10);
        dense.Eval();
        var before = dense.Parameters().Select(p => p.Value.ToArray()).Concat(dense.NamedBuffers().Select(b => b.Item2.ToArray())).ToArray();
        var lines = new List<string>();
        var context = Context(options, data, dense, lines, (graph, macsOf, denseMacs) => ChannelBudget.ForFlops(graph, ResidualMode.Shared, macsOf, denseMacs / 2));

        var selection = Assert.IsType<ChannelSelection>(new AbcMethod().Select(context));

        Assert.InRange(context.MacsOf(selection.Masks), (long)(0.97 * context.Budget.TargetMacs), context.Budget.TargetMacs);
        var after = dense.Parameters().Select(p => p.Value.ToArray()).Concat(dense.NamedBuffers().Select(b => b.Item2.ToArray())).ToArray();
        Assert.Equal(before, after);
        Assert.False(dense.Training);
        Assert.Contains(lines, l => l.Contains("at most 7 candidates", StringComparison.Ordinal));
        Assert.True(selection.Cost.Images > 0);
    }

    [Fact]
    public void Abc_finds_a_constructed_optimum_within_the_budget()
    {
        // The fitness is the share kept of layer2.1.conv1's 32 channels and of layer3.0.conv1's 64: at s = 0.5
        // the best the budget allows keeps all 96 of them, the other layers thinner, 200 of the 400 units in all.
        var options = Options("abc", 0.5) with { AbcSources = 6, AbcCycles = 10 };
        using var data = Data(options);
        using var dense = ModelZoo.Create("resnet20", new ModuleInit(cpu, 5), 1, 28, 28, 10);
        var lines = new List<string>();
        var context = Context(options, data, dense, lines, (graph, _, _) => new ChannelBudget(graph, 0.5, ResidualMode.Shared));
        int[] layers = [context.Graph.Layer("layer2.1.conv1").Mask!.Value, context.Graph.Layer("layer3.0.conv1").Mask!.Value];
        int calls = 0;
        var method = new AbcMethod { Fitness = masks => { calls++; return layers.Sum(l => masks[l].Average()); } };

        var selection = Assert.IsType<ChannelSelection>(method.Select(context));

        Assert.All(layers.SelectMany(l => selection.Masks[l]), v => Assert.Equal(1f, v));
        var flat = selection.Masks.SelectMany(m => m).ToArray();
        var coupling = context.Budget.Coupling;
        Assert.Equal(200, Enumerable.Range(0, coupling.UnitCount).Count(u => flat[coupling.Members(u)[0]] == 1f));
        Assert.InRange(calls, 1, new BeeColonyOptions(6, 10, 3, 0).MaxEvaluations);
        Assert.Contains(lines, l => l.Contains("scored by the given fitness", StringComparison.Ordinal));
    }
}
