using System.Diagnostics;
using System.Globalization;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Hypernetwork;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Prompts;
using SparseCore.Tensors;

namespace SparseCore.Pass.Search;

/// <summary>
/// PASS stage 1 (pass.md §1.9): the backbone frozen in evaluation mode (its batch-norm statistics
/// fixed), the prompt V (in training mode) and the hypernetwork learnt jointly by cross-entropy
/// through the masked network; every step draws fresh masks from the hypernetwork at the budget. Each epoch ends with
/// a checkpoint (prompt, hypernetwork, both optimizers, the recurrence threshold and achieved sparsity, the patch
/// prompt's step counter, the step and epoch) from which <see cref="Resume"/> continues identically.
/// </summary>
public sealed class PassSearch : IDisposable
{
    public const string CheckpointFileName = "search.safetensors";
    public const string MetricsFileName = "search-metrics.csv";

    /// <summary>The stage's name in a divergence error.</summary>
    private const string Stage = "stage 1 (search)";

    private readonly PromptedModel model;
    private readonly ChannelGraph graph;
    private readonly SearchState state;
    private readonly Sgd? promptOptimizer;
    private readonly AdamW hyperOptimizer;
    private readonly ITrainingObserver? observer;
    private readonly List<EpochMetrics> history = new();
    private CosineSchedule? schedule;

    public PassSearch(PromptedModel model, ChannelHypernetwork hypernetwork, ChannelBudget budget, SearchOptions options, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(hypernetwork);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Epochs < 1) throw new ArgumentException($"stage 1: epochs must be at least 1, got {options.Epochs}");
        this.model = model;
        graph = hypernetwork.Graph;
        Options = options;
        this.observer = observer;
        Generator = new MaskGenerator(hypernetwork, budget, options.Recurrence);
        foreach (var p in model.Backbone.Parameters()) p.Frozen = true;
        model.Prompt.Prompt.Frozen = !options.TrainPrompt;
        state = new SearchState(model.Prompt, hypernetwork);
        promptOptimizer = options.TrainPrompt
            ? new Sgd([model.Prompt.Prompt], options.PromptLearningRate, options.PromptMomentum, options.PromptWeightDecay)
            : null;
        hyperOptimizer = new AdamW(hypernetwork.Parameters(), options.HypernetworkLearningRate, weightDecay: options.HypernetworkWeightDecay);
    }

    public SearchOptions Options { get; }
    public MaskGenerator Generator { get; }
    public IReadOnlyList<EpochMetrics> History => history;
    public int GlobalStep { get; private set; }
    public int CompletedEpochs { get; private set; }

    /// <summary>The masks of the latest step, one 0/1 vector per distinct mask.</summary>
    public IReadOnlyList<float[]>? LastMasks { get; private set; }

    private long? resumedSeed;

    /// <summary>
    /// Trains from the epoch after <see cref="CompletedEpochs"/> to <see cref="SearchOptions.Epochs"/>,
    /// or only to <paramref name="stopAfter"/> (the schedule still spans every epoch, as when a run is interrupted).
    /// </summary>
    public void Fit(DataLoader train, DataLoader? validation, int? stopAfter = null)
    {
        if (resumedSeed is long seed && seed != train.Seed)
            throw new InvalidOperationException(
                $"stage 1: the checkpoint was searched with loader seed {seed}, this loader's seed is {train.Seed}; " +
                "resuming with another seed would visit the data in a different order than the interrupted run");
        schedule = new CosineSchedule(Options.Epochs * train.BatchCount);
        for (int epoch = CompletedEpochs + 1; epoch <= Math.Min(Options.Epochs, stopAfter ?? int.MaxValue); epoch++)
        {
            var m = TrainEpoch(train, epoch);
            Divergence.CheckState(Stage, state, Optimizers, epoch, GlobalStep, CompletedEpochs);
            if (validation is not null)
            {
                var e = Evaluate(validation);
                m = m with { EvalLoss = e.Loss, EvalAccuracy = e.Accuracy };
            }
            history.Add(m);
            CompletedEpochs = epoch;
            observer?.EpochCompleted(m);
            if (Options.RunFolder is not null)
            {
                MetricsCsv.Write(Path.Combine(Options.RunFolder, MetricsFileName), history);
                Save(Path.Combine(Options.RunFolder, CheckpointFileName), train.Seed);
            }
        }
    }

    /// <summary>
    /// The masks for the current prompt and hypernetwork, drawn without recording a tape and without
    /// moving the recurrence's state (<see cref="MaskGenerator.Peek"/>): what stage 1 exports.
    /// </summary>
    public IReadOnlyList<float[]> FinalMasks() => Generator.Budget.Split(CurrentMask());

    /// <summary>Validation loss and accuracy of the masked, prompted network with the current masks; the search's state is left as it was.</summary>
    public EvalResult Evaluate(DataLoader data)
    {
        using var mask = Tensor.FromArray(model.Prompt.Prompt.Value.Backend, CurrentMask(), new Shape(graph.TotalChannels)).Persist();
        using var applier = new MaskApplier(model, graph, mask);
        return Trainer.Evaluate(model, data);
    }

    /// <summary>The current masks, concatenated in graph order.</summary>
    private float[] CurrentMask()
    {
        using var scope = new TensorScope();
        using var noGrad = Autograd.NoGrad();
        return Generator.Peek(model.Prompt.Prompt.Value).Values.ToArray();
    }

    private EpochMetrics TrainEpoch(DataLoader train, int epoch)
    {
        int steps = train.BatchCount, step = 0, samples = 0, correct = 0;
        double lossSum = 0;
        observer?.EpochStarted(epoch, Options.Epochs, steps);
        var clock = Stopwatch.StartNew();
        foreach (var batch in train.Epoch(epoch))
        {
            double loss;
            int right;
            try
            {
                (loss, right) = Step(batch);
            }
            catch (NonFiniteScoreException e)
            {
                // The hypernetwork's own weights went bad in the previous update; its scores show it first.
                throw Divergence.At(Stage, $"the hypernetwork's channel score {e.Index} is {e.Score}", epoch, step + 1, steps,
                                    hyperOptimizer.LearningRate, CompletedEpochs);
            }
            Divergence.CheckLoss(Stage, loss / batch.Count, epoch, step + 1, steps, hyperOptimizer.LearningRate, CompletedEpochs);
            lossSum += loss;
            correct += right;
            samples += batch.Count;
            step++;
            observer?.StepCompleted(epoch, step, steps, lossSum / samples, (double)correct / samples, samples / clock.Elapsed.TotalSeconds);
        }
        double seconds = clock.Elapsed.TotalSeconds;
        return new EpochMetrics(epoch, lossSum / samples, (double)correct / samples, null, null,
            hyperOptimizer.LearningRate, seconds, samples / seconds);
    }

    /// <summary>One step (at the base learning rates outside <see cref="Fit"/>): masks from the hypernetwork, masked forward of the prompted batch, cross-entropy, both updates.</summary>
    public (double LossSum, int Correct) Step(Batch batch)
    {
        var backend = model.Prompt.Prompt.Value.Backend;
        if (schedule is not null)
        {
            if (promptOptimizer is not null) schedule.Apply(promptOptimizer, GlobalStep);
            schedule.Apply(hyperOptimizer, GlobalStep);
        }
        // Set every step, as evaluation in between resets the modes: the frozen backbone evaluates
        // (its batch-norm statistics stay fixed, pass.md §6.9) while the prompt trains, so that a
        // random patch draws a new position each step instead of sitting at its evaluation corner.
        model.Eval();
        model.Prompt.Train();
        using var scope = new TensorScope();
        var masks = Generator.Next(model.Prompt.Prompt.Value);
        LastMasks = Generator.Budget.Split(masks.Values.ToArray());
        using var applier = new MaskApplier(model, graph, masks);
        var x = Tensor.FromArray(backend, batch.Pixels, new Shape(batch.Count, batch.Channels, batch.Height, batch.Width));
        var logits = model.Forward(x);
        var loss = F.CrossEntropy(logits, IntTensor.Labels(backend, batch.Labels, logits.Shape[1]));
        loss.Backward();
        promptOptimizer?.Step();
        hyperOptimizer.Step();
        promptOptimizer?.ZeroGrad();
        hyperOptimizer.ZeroGrad();
        GlobalStep++;
        int right = Trainer.CountCorrect(logits, batch.Labels);
        return (loss.Item() * batch.Count, right);
    }

    public void Save(string path, long seed)
    {
        var settings = new Dictionary<string, string>
        {
            ["threshold"] = Generator.Threshold?.ToString("R", CultureInfo.InvariantCulture) ?? "",
            ["sparsity"] = Generator.LastSparsity.ToString("R", CultureInfo.InvariantCulture),
            ["prompt_steps"] = (model.Prompt is PatchPrompt patch ? patch.Steps : 0).ToString(CultureInfo.InvariantCulture),
        };
        Checkpoint.Save(path, state, Optimizers, new CheckpointInfo
        {
            Epoch = CompletedEpochs,
            GlobalStep = GlobalStep,
            Seed = seed,
            History = history.ToArray(),
            Settings = settings,
        });
    }

    /// <summary>Restores prompt, hypernetwork, optimizers, threshold, achieved sparsity, step, epoch and history; returns the loader seed the search used.</summary>
    public long Resume(string path)
    {
        var info = Checkpoint.Load(path, state, Optimizers);
        GlobalStep = info.GlobalStep;
        CompletedEpochs = info.Epoch;
        history.Clear();
        history.AddRange(Options.RunFolder is null ? info.History : MetricsCsv.WithTimes(info.History, Path.Combine(Options.RunFolder, MetricsFileName)));
        string threshold = info.Settings.GetValueOrDefault("threshold", "");
        Generator.Threshold = threshold.Length == 0 ? null : Setting<float>(path, info, "threshold", "");
        Generator.LastSparsity = Setting<double>(path, info, "sparsity", "0");
        if (model.Prompt is PatchPrompt patch) patch.Steps = Setting<ulong>(path, info, "prompt_steps", "0");
        resumedSeed = info.Seed;
        return info.Seed ?? 0;
    }

    /// <summary>A number from the checkpoint's settings, or an error naming the file and the field.</summary>
    private static T Setting<T>(string path, CheckpointInfo info, string key, string fallback) where T : IParsable<T>
    {
        string text = info.Settings.GetValueOrDefault(key, fallback);
        return T.TryParse(text, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{path}: __metadata__ setting '{key}' = '{text}' is not a {typeof(T).Name}");
    }

    private IReadOnlyList<Optimizer> Optimizers => promptOptimizer is null ? [hyperOptimizer] : [hyperOptimizer, promptOptimizer];

    public void Dispose()
    {
        promptOptimizer?.Dispose();
        hyperOptimizer.Dispose();
    }

    /// <summary>What stage 1 learns, as one module for its checkpoint: "prompt.prompt" and "hypernetwork.*".</summary>
    private sealed class SearchState : Module
    {
        public SearchState(VisualPrompt prompt, ChannelHypernetwork hypernetwork)
        {
            AddModule("prompt", prompt);
            AddModule("hypernetwork", hypernetwork);
        }

        protected override Tensor ForwardCore(Tensor x) =>
            throw new NotSupportedException("the stage-1 state is saved and loaded, never run");

        /// <summary>The prompt and hypernetwork belong to their owners; this view disposes nothing.</summary>
        public override void Dispose()
        {
        }
    }
}
