using SparseCore.Kernels.Cpu;
using SparseCore.Models.Data;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Hypernetwork;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Prompts;
using SparseCore.Pass.Search;
using SparseCore.Tensors;

namespace SparseCore.Pass.Tests.Search;

/// <summary>
/// Stage 1 on ResNet-20 at 12 px: the backbone and its batch-norm statistics stay untouched, the
/// prompt and the hypernetwork move (a random patch trains, and so moves, while the backbone
/// evaluates), the budget holds at every step, the same seed gives the same
/// masks, and a search resumed from its epoch checkpoint ends bit-identical to an uninterrupted one.
/// </summary>
public sealed class PassSearchTests : IDisposable
{
    private const int Side = 12;
    private readonly CpuBackend cpu = new();
    private readonly string folder = Directory.CreateTempSubdirectory("pass-search-").FullName;

    public void Dispose()
    {
        Directory.Delete(folder, recursive: true);
        cpu.Dispose();
    }

    private sealed class Setup : IDisposable
    {
        public Setup(CpuBackend cpu, SearchOptions options, ResidualMode mode = ResidualMode.Union, VisualPrompt? prompt = null)
        {
            var backbone = ModelZoo.Create("resnet20", new ModuleInit(cpu, 4), 1, Side, Side, 10);
            Model = new PromptedModel(prompt ?? new PadPrompt(new ModuleInit(cpu, 5), 1, Side, Side), backbone);
            var graph = ChannelGraph.Of(Model);
            Hypernetwork = new ChannelHypernetwork(new ModuleInit(cpu, 6), Model, graph, 1);
            Search = new PassSearch(Model, Hypernetwork, new ChannelBudget(graph, 0.5, mode), options);
        }

        public PromptedModel Model { get; }
        public ChannelHypernetwork Hypernetwork { get; }
        public PassSearch Search { get; }

        public float[] State() => Model.Prompt.Prompt.Value.ToArray()
            .Concat(Hypernetwork.Parameters().SelectMany(p => p.Value.ToArray())).ToArray();

        public void Dispose()
        {
            Search.Dispose();
            Hypernetwork.Dispose();
            Model.Dispose();
        }
    }

    private static DataLoader Loader() => new(SyntheticDataset.Create(48, 1, Side, Side, 10, seed: 2), 16, shuffle: true, seed: 3);

    private static DataLoader Validation() => new(SyntheticDataset.Create(21, 1, Side, Side, 10, seed: 9), 8, shuffle: false, seed: 0);

    private static float[] Flat(IReadOnlyList<float[]> masks) => masks.SelectMany(m => m).ToArray();

    [Fact]
    public void A_diverging_search_stops_naming_stage_epoch_and_step_and_writes_no_checkpoint()
    {
        // Rates near float's limit overflow the prompt and hypernetwork in the first update; a later step's loss is NaN.
        using var s = new Setup(cpu, new SearchOptions { Epochs = 2, PromptLearningRate = 3e38f, HypernetworkLearningRate = 3e38f, RunFolder = folder });
        using var loader = Loader();
        var e = Assert.Throws<SparseCore.Models.Training.TrainingDivergedException>(() => s.Search.Fit(loader, null));
        Assert.Matches(@"^stage 1 \(search\) diverged: (the loss is NaN|the channel score \d+ is NaN) at epoch 1, step [23] of 3", e.Message);
        Assert.False(File.Exists(Path.Combine(folder, PassSearch.CheckpointFileName)));
    }

    [Fact]
    public void Trains_prompt_and_hypernetwork_only_and_keeps_the_budget()
    {
        using var s = new Setup(cpu, new SearchOptions { Epochs = 2 });
        var backbone = s.Model.Backbone.NamedParameters().Select(p => p.Parameter.Value.ToArray())
            .Concat(s.Model.Backbone.NamedBuffers().Select(b => b.Buffer.ToArray())).ToList();
        var hyperBefore = s.Hypernetwork.Parameters().Select(p => p.Value.ToArray()).ToList();
        using var loader = Loader();
        s.Search.Fit(loader, null);

        var backboneAfter = s.Model.Backbone.NamedParameters().Select(p => p.Parameter.Value.ToArray())
            .Concat(s.Model.Backbone.NamedBuffers().Select(b => b.Buffer.ToArray())).ToList();
        Assert.Equal(backbone, backboneAfter);
        Assert.Contains(s.Model.Prompt.Prompt.Value.ToArray(), v => v != 0f);
        var hyperAfter = s.Hypernetwork.Parameters().Select(p => p.Value.ToArray()).ToList();
        Assert.All(hyperBefore.Zip(hyperAfter), pair => Assert.NotEqual(pair.First, pair.Second));
        Assert.Equal(6, s.Search.GlobalStep);
        var masks = s.Search.FinalMasks();
        Assert.Equal(s.Search.Generator.Budget.Target, Flat(masks).Count(v => v == 1f));
        Assert.All(masks, m => Assert.Contains(1f, m));
    }

    [Fact]
    public void A_random_patch_moves_every_step_while_the_backbone_stays_in_evaluation_mode()
    {
        var patch = new PatchPrompt(new ModuleInit(cpu, 5), 1, Side, Side, 4, PatchPlacement.Random, seed: 7);
        using var s = new Setup(cpu, new SearchOptions { Epochs = 2 }, prompt: patch);
        var statistics = s.Model.Backbone.NamedBuffers().Select(b => b.Buffer.ToArray()).ToList();
        var modes = new List<(bool Prompt, bool AnyBackboneLayer)>();
        using var hook = patch.AddForwardHook((_, y) =>
        {
            modes.Add((patch.Training, s.Model.Backbone.NamedModules().Any(m => m.Module.Training)));
            return y;
        });
        using (var loader = Loader())
        using (var validation = Validation())
            s.Search.Fit(loader, validation); // evaluation between the epochs puts everything in eval mode

        var steps = modes.Where(m => m.Prompt).ToList();
        Assert.Equal(s.Search.GlobalStep, steps.Count);
        Assert.All(steps, m => Assert.False(m.AnyBackboneLayer));
        Assert.Equal((ulong)s.Search.GlobalStep, patch.Steps);
        var positions = Enumerable.Range(0, s.Search.GlobalStep).Select(i => patch.Position((ulong)i)).ToList();
        Assert.Contains(positions, p => p != (0, 0));
        Assert.Equal(statistics, s.Model.Backbone.NamedBuffers().Select(b => b.Buffer.ToArray()).ToList());
    }

    [Fact]
    public void Without_the_prompt_it_stays_zero_and_the_hypernetwork_still_learns()
    {
        using var s = new Setup(cpu, new SearchOptions { Epochs = 1, TrainPrompt = false });
        var before = s.Hypernetwork.Lstm.Parameters().First().Value.ToArray();
        using var loader = Loader();
        s.Search.Fit(loader, null);
        Assert.All(s.Model.Prompt.Prompt.Value.ToArray(), v => Assert.Equal(0f, v));
        Assert.NotEqual(before, s.Hypernetwork.Lstm.Parameters().First().Value.ToArray());
    }

    [Fact]
    public void Shared_mode_ties_every_residual_group_at_every_step()
    {
        using var s = new Setup(cpu, new SearchOptions { Epochs = 1 }, ResidualMode.Shared);
        using var loader = Loader();
        s.Search.Fit(loader, null);
        var graph = ChannelGraph.Of(s.Model);
        var masks = s.Search.LastMasks!;
        foreach (var group in graph.Groups)
            foreach (int m in group.Masks) Assert.Equal(masks[group.Masks[0]], masks[m]);
        Assert.Equal(s.Search.Generator.Budget.Target, s.Search.Generator.Budget.Coupling.UnitCount - (int)Math.Round(s.Search.Generator.LastSparsity * s.Search.Generator.Budget.Coupling.UnitCount));
    }

    [Fact]
    public void Exporting_and_evaluating_leave_the_recurrence_state_alone()
    {
        using var s = new Setup(cpu, new SearchOptions { Epochs = 1 });
        using (var loader = Loader()) s.Search.Fit(loader, null);
        float? threshold = s.Search.Generator.Threshold;
        double sparsity = s.Search.Generator.LastSparsity;
        var first = Flat(s.Search.FinalMasks());
        using (var validation = Validation()) s.Search.Evaluate(validation);
        Assert.Equal(first, Flat(s.Search.FinalMasks()));
        Assert.Equal(threshold, s.Search.Generator.Threshold);
        Assert.Equal(sparsity, s.Search.Generator.LastSparsity);
    }

    [Fact]
    public void A_validation_loader_does_not_change_what_the_search_trains()
    {
        float[] plain;
        float? threshold;
        using (var a = new Setup(cpu, new SearchOptions { Epochs = 2 }))
        using (var loader = Loader())
        {
            a.Search.Fit(loader, null);
            plain = a.State();
            threshold = a.Search.Generator.Threshold;
        }
        using var b = new Setup(cpu, new SearchOptions { Epochs = 2 });
        using (var loader = Loader())
        using (var validation = Validation())
            b.Search.Fit(loader, validation);
        Assert.All(b.Search.History, m => Assert.NotNull(m.EvalAccuracy));
        Assert.Equal(plain, b.State());
        Assert.Equal(threshold, b.Search.Generator.Threshold);
    }

    [Fact]
    public void Same_seed_same_masks_and_resume_is_bit_identical()
    {
        float[] whole, wholeMasks;
        using (var a = new Setup(cpu, new SearchOptions { Epochs = 2 }))
        using (var loader = Loader())
        {
            a.Search.Fit(loader, null);
            whole = a.State();
            wholeMasks = Flat(a.Search.FinalMasks());
        }
        using (var again = new Setup(cpu, new SearchOptions { Epochs = 2 }))
        using (var loader = Loader())
        {
            again.Search.Fit(loader, null);
            Assert.Equal(whole, again.State());
        }

        double sparsity;
        using (var first = new Setup(cpu, new SearchOptions { Epochs = 2, RunFolder = folder }))
        using (var loader = Loader())
        {
            first.Search.Fit(loader, null, stopAfter: 1);
            sparsity = first.Search.Generator.LastSparsity;
        }
        using var resumed = new Setup(cpu, new SearchOptions { Epochs = 2 });
        Assert.Equal(3, resumed.Search.Resume(Path.Combine(folder, PassSearch.CheckpointFileName)));
        Assert.Equal(1, resumed.Search.CompletedEpochs);
        Assert.NotNull(resumed.Search.Generator.Threshold);
        Assert.NotEqual(0.0, sparsity);
        Assert.Equal(sparsity, resumed.Search.Generator.LastSparsity);
        using (var loader = Loader()) resumed.Search.Fit(loader, null);
        Assert.Equal(whole, resumed.State());
        Assert.Equal(wholeMasks, Flat(resumed.Search.FinalMasks()));

        // Another loader seed would visit the data in another order: refused, naming both seeds.
        using var reseeded = new Setup(cpu, new SearchOptions { Epochs = 2 });
        reseeded.Search.Resume(Path.Combine(folder, PassSearch.CheckpointFileName));
        using var otherOrder = new DataLoader(SyntheticDataset.Create(48, 1, Side, Side, 10, seed: 2), 16, shuffle: true, seed: 4);
        var e = Assert.Throws<InvalidOperationException>(() => reseeded.Search.Fit(otherOrder, null));
        Assert.Contains("loader seed 3", e.Message);
    }
}
