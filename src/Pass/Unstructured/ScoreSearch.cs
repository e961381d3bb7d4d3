using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Pass.Labels;
using SparseCore.Pass.Prompts;

namespace SparseCore.Pass.Unstructured;

/// <summary>
/// Score training, stage 1 of VPNs (a prompt learnt with the scores) and of HYDRA (no
/// prompt): the network's weights and batch-norm affine parameters frozen, its batch-norm in
/// training mode so the running statistics follow the changing mask, the scores (and prompt)
/// trained by Adam with coupled L2 under a per-epoch cosine, and the global mask re-cut before
/// every forward pass — after every score step, as the code does. With
/// <see cref="ScoreSearchOptions.Paired"/> the steps alternate a prompted clean batch and an
/// unprompted augmented one; on the unprompted step the prompt has no gradient and its optimizer
/// skips it (PyTorch ≥ 2.0's semantics). The loop is <see cref="Trainer"/>'s, with this as its hook,
/// and each epoch's checkpoint holds the scores, prompt, batch-norm statistics and both optimizers.
/// </summary>
public sealed class ScoreSearch : IDisposable, ITrainingHook
{
    public const string CheckpointFileName = "scores.safetensors";
    public const string MetricsFileName = "score-metrics.csv";

    private readonly ScoredWeights scored;
    private readonly PromptedModel? prompted;
    private readonly Module model;
    private readonly Adam scoreOptimizer;
    private readonly Adam? promptOptimizer;
    private readonly Trainer trainer;
    private readonly (Parameter Parameter, bool Frozen)[] frozen;

    /// <param name="network">The dense network, the scores' layers attached (it is trained in place: its batch-norm statistics move).</param>
    /// <param name="prompt">The prompt to learn with the scores, or null (HYDRA); owned by the caller.</param>
    /// <param name="labelMap">Source class per target class when a source head is reused, else null.</param>
    public ScoreSearch(Module network, ScoredWeights scored, VisualPrompt? prompt, int[]? labelMap, ScoreSearchOptions options, ITrainingObserver? observer = null)
    {
        ArgumentNullException.ThrowIfNull(network);
        ArgumentNullException.ThrowIfNull(scored);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Epochs < 1) throw new ArgumentException($"stage 1: epochs must be at least 1, got {options.Epochs}");
        if (options.Paired && prompt is null) throw new ArgumentException("stage 1: paired steps alternate a prompted and an unprompted batch; they need a prompt");
        this.scored = scored;
        Options = options;
        frozen = network.Parameters().Select(p => (p, p.Frozen)).ToArray();
        foreach (var p in network.Parameters()) p.Frozen = true;
        // The views adopt the network's layers; disposing them would dispose it, so they are not disposed here.
        prompted = prompt is null ? null : new PromptedModel(prompt, network);
        Module view = prompted ?? network;
        model = labelMap is null ? view : new LabelMappedModel(view, labelMap);
        scoreOptimizer = new Adam(scored.Scores, options.LearningRate, weightDecay: options.WeightDecay);
        promptOptimizer = prompt is null ? null : new Adam([prompt.Prompt], options.LearningRate, weightDecay: options.WeightDecay);
        trainer = new Trainer(model, promptOptimizer is null ? [scoreOptimizer] : [scoreOptimizer, promptOptimizer], null, new TrainerOptions
        {
            Epochs = options.Epochs, RunFolder = options.RunFolder, CheckpointEvery = options.RunFolder is null ? 0 : 1,
            MetricsFileName = MetricsFileName, CheckpointFileName = CheckpointFileName, Stage = "stage 1 (score search)", Hook = this,
            Checkpointed = new CheckpointState(
                [.. scored.Scores.Select(s => (s.Name, s)), .. prompt is null ? [] : new[] { ("prompt.prompt", prompt.Prompt) }],
                [.. network.NamedBuffers()], []),
        }, observer);
    }

    public ScoreSearchOptions Options { get; }
    public IReadOnlyList<EpochMetrics> History => trainer.History;
    public int CompletedEpochs => trainer.CompletedEpochs;

    /// <summary>Trains to <see cref="ScoreSearchOptions.Epochs"/> (or <paramref name="stopAfter"/>), the cosine stepped per epoch.</summary>
    public void Fit(IBatchSource train, DataLoader? validation, int? stopAfter = null)
    {
        if (Options.Paired != train is PairedBatches)
            throw new ArgumentException(Options.Paired ? "stage 1: paired steps need a PairedBatches source" : "stage 1: a PairedBatches source needs paired steps");
        trainer.Schedule = new EpochCosineSchedule(train.BatchCount, Options.Epochs);
        trainer.Fit(train, validation, stopAfter);
    }

    /// <summary>One step on one batch, the <paramref name="step"/>-th of its epoch (which says, when paired, whether it runs prompted), at the base learning rates.</summary>
    public (double LossSum, int Correct) Step(Batch batch, int step) => trainer.Step(batch, step);

    /// <summary>Restores scores, prompt, batch-norm statistics, optimizers and history; the masks follow the scores.</summary>
    public void Resume(string path) => trainer.Resume(path);

    IDisposable? ITrainingHook.BeginStep(int step)
    {
        model.Train();
        if (prompted is not null) prompted.UsePrompt = !Options.Paired || PairedBatches.IsFirst(step);
        scored.Recompute();
        return null;
    }

    IDisposable? ITrainingHook.BeginEvaluation()
    {
        scored.Recompute();
        if (prompted is null) return null;
        prompted.UsePrompt = Options.PromptAtTest;
        return new Restore(() => prompted.UsePrompt = true);
    }

    IReadOnlyDictionary<string, string> ITrainingHook.SaveState() => new Dictionary<string, string>();

    void ITrainingHook.RestoreState(string path, IReadOnlyDictionary<string, string> settings) => scored.Recompute();

    /// <summary>Releases the optimizers and unfreezes what it froze; the prompt and the network stay the caller's.</summary>
    public void Dispose()
    {
        scoreOptimizer.Dispose();
        promptOptimizer?.Dispose();
        if (prompted is not null) prompted.UsePrompt = true;
        foreach (var (p, wasFrozen) in frozen) p.Frozen = wasFrozen;
    }

    private sealed class Restore(Action undo) : IDisposable
    {
        public void Dispose() => undo();
    }
}
