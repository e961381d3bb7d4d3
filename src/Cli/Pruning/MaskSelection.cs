using System.Diagnostics;
using SparseCore.Kernels;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Pass.Baselines;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Hypernetwork;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Prompts;
using SparseCore.Pass.Search;
using SparseCore.Tensors;

namespace SparseCore.Cli.Pruning;

/// <summary>The masks a method chose, the prompt PASS learnt with them (null otherwise), and what finding them cost.</summary>
internal sealed record MaskResult(IReadOnlyList<float[]> Masks, float[]? Prompt, double Seconds, int Epochs, int Images);

/// <summary>
/// Stage 1 of every method, to one set of masks at the run's budget: PASS's search (prompt and
/// hypernetwork on the frozen backbone), or a baseline's channel ranking — filter L1, group-L1,
/// group-L2, random and BN-scale (after slimming's L1-on-γ sparsity training) ranked globally
/// through the same budget; uniform per layer (closed over coupled channels in shared mode).
/// </summary>
internal static class MaskSelection
{
    public const string PromptFileName = "stage1-prompt.safetensors";

    /// <summary>Slimming trains the dense weights in place; a resumed run extracts from these, not dense.safetensors.</summary>
    public const string SlimmedFileName = "slimmed.safetensors";

    public static MaskResult Find(PruneSettings s, PruneData data, Module dense, ChannelGraph graph, Backend backend, string runFolder)
    {
        var input = new Shape(1, data.Train.Channels, data.Train.Height, data.Train.Width);
        var macsOf = ExtractedCost.MacsOf(dense, input, s.Mode);
        long denseMacs = SparseCore.Models.Flops.ModelCost.Measure(dense, input).Macs;
        var budget = s.Sparsity is double sparsity
            ? new ChannelBudget(graph, sparsity, s.Mode)
            : ChannelBudget.ForFlops(graph, s.Mode, macsOf, (long)Math.Round(s.Flops!.Value * denseMacs));
        var clock = Stopwatch.StartNew();
        switch (s.Method)
        {
            case "pass":
                return Search(s, data, dense, graph, budget, backend, runFolder);
            case "slim":
                Slim(s, data, dense, graph, runFolder);
                return Ranked(budget, ChannelImportance.BnScale(dense, graph), clock, s.SlimEpochs, data.SearchIndices.Length);
            case "l1":
                return Ranked(budget, ChannelImportance.L1(dense, graph), clock, 0, 0);
            case "group-l1":
                return Ranked(budget, ChannelImportance.GroupL1(dense, graph), clock, 0, 0);
            case "group-l2":
                return Ranked(budget, ChannelImportance.GroupL2(dense, graph), clock, 0, 0);
            case "random":
                return Ranked(budget, ChannelImportance.Random(graph, (int)s.Seed), clock, 0, 0);
            case "uniform":
                var scores = ChannelImportance.L1(dense, graph);
                var masks = s.Sparsity is double uniformSparsity
                    ? UniformSelection.ForSparsity(graph, budget, scores, uniformSparsity)
                    : UniformSelection.ForFlops(graph, budget, scores, macsOf);
                return new MaskResult(masks, null, clock.Elapsed.TotalSeconds, 0, 0);
            default:
                throw new ArgumentException($"--method: unknown '{s.Method}'");
        }
    }

    /// <summary>The prompt stage 1 saved beside the masks, for a resumed run's stage 2; null when there is none.</summary>
    public static float[]? SavedPrompt(PruneSettings s, Backend backend, string runFolder, int channels, int height, int width)
    {
        string path = Path.Combine(runFolder, PromptFileName);
        if (!File.Exists(path)) return null;
        using var prompt = PromptSpec.Create(s.Prompt, ModuleInit.Undrawn(backend), channels, height, width)!;
        Checkpoint.Load(path, prompt);
        return prompt.Prompt.Value.ToArray();
    }

    private static MaskResult Ranked(ChannelBudget budget, float[] scores, Stopwatch clock, int epochs, int images) =>
        new(budget.Split(budget.Select(scores).Mask), null, clock.Elapsed.TotalSeconds, epochs, images);

    private static MaskResult Search(PruneSettings s, PruneData data, Module dense, ChannelGraph graph, ChannelBudget budget, Backend backend, string runFolder)
    {
        // PruneSettings.Validate refused --prompt none for PASS.
        var prompt = PromptSpec.Create(s.Prompt, new ModuleInit(backend, s.Seed + 1), data.Train.Channels, data.Train.Height, data.Train.Width)!;
        // The prompted view adopts the dense layers; only the prompt is disposed here, the dense network lives on.
        using var _ = prompt;
        var prompted = new PromptedModel(prompt, dense);
        using var hypernetwork = new ChannelHypernetwork(new ModuleInit(backend, s.Seed + 2), prompted, graph, data.Train.Channels);
        var options = new SearchOptions { Epochs = s.SearchEpochs, TrainPrompt = !s.NoPrompt, RunFolder = runFolder };
        using var search = new PassSearch(prompted, hypernetwork, budget, options, ConsoleProgress.ForConsole());
        string checkpoint = Path.Combine(runFolder, PassSearch.CheckpointFileName);
        if (File.Exists(checkpoint))
        {
            search.Resume(checkpoint);
            Console.WriteLine($"stage 1 resumed after epoch {search.CompletedEpochs}");
        }
        using var loader = data.Loader(data.SearchIndices, s.BatchSize, (long)s.Seed);
        Console.WriteLine($"stage 1 (PASS{(s.NoPrompt ? ", no prompt" : "")}): {s.SearchEpochs} epochs on {data.SearchIndices.Length} images, " +
                          $"{graph.Masks.Count} masks over {graph.TotalChannels} channels, {hypernetwork.ParameterCount} hypernetwork parameters");
        search.Fit(loader, data.ValidationLoader);
        double seconds = search.History.Sum(h => h.Seconds); // epochs before a resume included
        var masks = search.FinalMasks();
        float[]? values = null;
        if (!s.NoPrompt)
        {
            values = prompt.Prompt.Value.ToArray();
            Checkpoint.Save(Path.Combine(runFolder, PromptFileName), prompt);
        }
        return new MaskResult(masks, values, seconds, s.SearchEpochs, data.SearchIndices.Length);
    }

    /// <summary>Network slimming's sparsity training: the dense weights trained on with λ·Σ|γ| added, then ranked by |γ|.</summary>
    private static void Slim(PruneSettings s, PruneData data, Module dense, ChannelGraph graph, string runFolder)
    {
        if (s.SlimEpochs == 0) return;
        Console.WriteLine($"slim: {s.SlimEpochs} epochs of sparsity training (λ = {s.SlimLambda}) on {data.SearchIndices.Length} images");
        using var opt = new Sgd(dense.Parameters(), s.FinetuneLr, 0.9f, s.FinetuneWeightDecay);
        using var loader = data.Loader(data.SearchIndices, s.BatchSize, (long)s.Seed);
        var trainer = new Trainer(dense, opt, new CosineSchedule(s.SlimEpochs * loader.BatchCount),
            new TrainerOptions { Epochs = s.SlimEpochs, AfterBackward = SlimPenalty.Gradient(dense, graph, s.SlimLambda), Stage = "slimming (sparsity training)" },
            ConsoleProgress.ForConsole());
        trainer.Fit(loader, null);
        dense.Eval();
        Checkpoint.Save(Path.Combine(runFolder, SlimmedFileName), dense);
    }

    /// <summary>On resume after slimming: the slimmed weights the masks were ranked on, back into the dense network.</summary>
    public static void RestoreSlimmed(PruneSettings s, Module dense, string runFolder)
    {
        if (s.Method != "slim" || s.SlimEpochs == 0) return;
        string path = Path.Combine(runFolder, SlimmedFileName);
        if (!File.Exists(path))
            throw new ArgumentException($"--resume: {runFolder} has masks from slimming but no {SlimmedFileName} with the weights they were ranked on");
        Checkpoint.Load(path, dense);
    }
}
