using System.Globalization;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Hypernetwork;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Prompts;
using SparseCore.Tensors;

namespace SparseCore.Pass.Search;

/// <summary>
/// PASS stage 1 (arXiv 2407.17412 §3): the backbone frozen in evaluation mode (its batch-norm
/// statistics fixed), the prompt V (in training mode) and the hypernetwork learnt jointly by
/// cross-entropy through the masked network; every step draws fresh masks from the hypernetwork at
/// the budget. The loop is <see cref="Trainer"/>'s, with this search as its <see cref="ITrainingHook"/>:
/// masks before each forward pass, the current masks around validation, and the recurrence
/// threshold, achieved sparsity and the patch prompt's step counter in each epoch's checkpoint
/// (with the prompt, the hypernetwork and both optimizers), from which <see cref="Resume"/>
/// continues identically.
/// </summary>
public sealed class PassSearch : IDisposable, ITrainingHook
{
    public const string CheckpointFileName = "search.safetensors";
    public const string MetricsFileName = "search-metrics.csv";

    /// <summary>The stage's name in errors.</summary>
    private const string Stage = "stage 1 (search)";

    private readonly PromptedModel model;
    private readonly ChannelGraph graph;
    private readonly Sgd? promptOptimizer;
    private readonly AdamW hyperOptimizer;
    private readonly Trainer trainer;

    public PassSearch(PromptedModel model, ChannelHypernetwork hypernetwork, ChannelBudget budget, SearchOptions options, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(hypernetwork);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Epochs < 1) throw new ArgumentException($"stage 1: epochs must be at least 1, got {options.Epochs}");
        this.model = model;
        graph = hypernetwork.Graph;
        Options = options;
        Generator = new MaskGenerator(hypernetwork, budget, options.Recurrence);
        foreach (var p in model.Backbone.Parameters()) p.Frozen = true;
        model.Prompt.Prompt.Frozen = !options.TrainPrompt;
        promptOptimizer = options.TrainPrompt
            ? new Sgd([model.Prompt.Prompt], options.PromptLearningRate, options.PromptMomentum, options.PromptWeightDecay)
            : null;
        hyperOptimizer = new AdamW(hypernetwork.Parameters(), options.HypernetworkLearningRate, weightDecay: options.HypernetworkWeightDecay);
        trainer = new Trainer(model, promptOptimizer is null ? [hyperOptimizer] : [hyperOptimizer, promptOptimizer], null, new TrainerOptions
        {
            Epochs = options.Epochs, RunFolder = options.RunFolder, CheckpointEvery = options.RunFolder is null ? 0 : 1,
            MetricsFileName = MetricsFileName, CheckpointFileName = CheckpointFileName, Stage = Stage, Hook = this,
            // What the search learns; the frozen backbone is the dense checkpoint's.
            Checkpointed = CheckpointState.Of(("prompt", model.Prompt), ("hypernetwork", hypernetwork)),
        }, observer);
    }

    public SearchOptions Options { get; }
    public MaskGenerator Generator { get; }
    public IReadOnlyList<EpochMetrics> History => trainer.History;
    public int GlobalStep => trainer.GlobalStep;
    public int CompletedEpochs => trainer.CompletedEpochs;

    /// <summary>The masks of the latest step, one 0/1 vector per distinct mask.</summary>
    public IReadOnlyList<float[]>? LastMasks { get; private set; }

    /// <summary>
    /// Trains from the epoch after <see cref="CompletedEpochs"/> to <see cref="SearchOptions.Epochs"/>,
    /// or only to <paramref name="stopAfter"/> (the schedule still spans every epoch, as when a run is interrupted).
    /// </summary>
    public void Fit(DataLoader train, DataLoader? validation, int? stopAfter = null)
    {
        trainer.Schedule = new CosineSchedule(Options.Epochs * train.BatchCount);
        trainer.Fit(train, validation, stopAfter);
    }

    /// <summary>
    /// The masks for the current prompt and hypernetwork, drawn without recording a tape and without
    /// moving the recurrence's state (<see cref="MaskGenerator.Peek"/>): what stage 1 exports.
    /// </summary>
    public IReadOnlyList<float[]> FinalMasks() => Generator.Budget.Split(CurrentMask());

    /// <summary>Validation loss and accuracy of the masked, prompted network with the current masks; the search's state is left as it was.</summary>
    public EvalResult Evaluate(DataLoader data) => trainer.EvaluateWithHook(data);

    /// <summary>One step (at the base learning rates outside <see cref="Fit"/>): masks from the hypernetwork, masked forward of the prompted batch, cross-entropy, both updates.</summary>
    public (double LossSum, int Correct) Step(Batch batch) => trainer.Step(batch);

    /// <summary>Restores prompt, hypernetwork, optimizers, threshold, achieved sparsity, step, epoch and history; returns the loader seed the search used.</summary>
    public long Resume(string path) => trainer.Resume(path).Seed ?? 0;

    IDisposable? ITrainingHook.BeginStep(int step)
    {
        // Set every step, as evaluation in between resets the modes: the frozen backbone evaluates
        // (its batch-norm statistics stay fixed) while the prompt trains, so that a random patch
        // draws a new position each step instead of sitting at its evaluation corner.
        model.Eval();
        model.Prompt.Train();
        var masks = Generator.Next(model.Prompt.Prompt.Value);
        LastMasks = Generator.Budget.Split(masks.Values.ToArray());
        return new MaskApplier(model, graph, masks);
    }

    IDisposable? ITrainingHook.BeginEvaluation()
    {
        var mask = Tensor.FromArray(model.Prompt.Prompt.Value.Backend, CurrentMask(), new Shape(graph.TotalChannels)).Persist();
        return new Both(mask, new MaskApplier(model, graph, mask));
    }

    IReadOnlyDictionary<string, string> ITrainingHook.SaveState() => new Dictionary<string, string>
    {
        ["threshold"] = Generator.Threshold?.ToString("R", CultureInfo.InvariantCulture) ?? "",
        ["sparsity"] = Generator.LastSparsity.ToString("R", CultureInfo.InvariantCulture),
        ["prompt_steps"] = (model.Prompt is PatchPrompt patch ? patch.Steps : 0).ToString(CultureInfo.InvariantCulture),
    };

    void ITrainingHook.RestoreState(string path, IReadOnlyDictionary<string, string> settings)
    {
        string threshold = settings.GetValueOrDefault("threshold", "");
        Generator.Threshold = threshold.Length == 0 ? null : Setting<float>(path, settings, "threshold", "");
        Generator.LastSparsity = Setting<double>(path, settings, "sparsity", "0");
        if (model.Prompt is PatchPrompt patch) patch.Steps = Setting<ulong>(path, settings, "prompt_steps", "0");
    }

    /// <summary>The current masks, concatenated in graph order.</summary>
    private float[] CurrentMask()
    {
        using var scope = new TensorScope();
        using var noGrad = Autograd.NoGrad();
        return Generator.Peek(model.Prompt.Prompt.Value).Values.ToArray();
    }

    /// <summary>A number from the checkpoint's settings, or an error naming the file and the field.</summary>
    private static T Setting<T>(string path, IReadOnlyDictionary<string, string> settings, string key, string fallback) where T : IParsable<T>
    {
        string text = settings.GetValueOrDefault(key, fallback);
        return T.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{path}: __metadata__ setting '{key}' = '{text}' is not a {typeof(T).Name}");
    }

    public void Dispose()
    {
        promptOptimizer?.Dispose();
        hyperOptimizer.Dispose();
    }

    /// <summary>Disposes the applier, then the mask it applies.</summary>
    private sealed class Both(Tensor mask, MaskApplier applier) : IDisposable
    {
        public void Dispose()
        {
            applier.Dispose();
            mask.Dispose();
        }
    }
}
