using System.Globalization;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Pass.Labels;
using SparseCore.Pass.Pipeline;
using SparseCore.Pass.Prompts;
using SparseCore.Pass.Unstructured;

namespace SparseCore.Pass.Methods;

/// <summary>
/// A weight method that learns its mask as scores (<see cref="ScoredWeights"/>, <see cref="ScoreSearch"/>):
/// VPNs with a prompt, HYDRA without. Stage 1 runs --search-epochs over the --search-subset
/// images; its scores, prompt and optimizers are checkpointed every epoch and a resumed run continues them.
/// </summary>
public abstract class ScoreMethod : PruningMethod
{
    /// <summary>The batch-norm statistics stage 1 left (it runs batch-norm in training mode), which stage 2 starts from, kept for a resumed run.</summary>
    public const string BuffersFileName = "stage1-buffers.safetensors";

    public sealed override SelectionKind Kind => SelectionKind.Weights;

    /// <summary>Whether a prompt is learnt with the scores.</summary>
    protected abstract bool LearnsPrompt { get; }

    protected abstract string Name { get; }

    public override void Validate(PruneOptions options)
    {
        if (options.SearchEpochs == 0) throw new ArgumentException($"--search-epochs must be ≥ 1 for --method {options.Method}");
        if (LearnsPrompt && options.Prompt == "none") throw new ArgumentException($"--prompt none: {Name} learns a prompt with its scores");
    }

    public sealed override Selection Select(MethodContext context)
    {
        var s = context.Options;
        var data = context.Data;
        bool paired = LearnsPrompt && s.Iteration == "paired";
        using var scored = new ScoredWeights(context.Dense, s.Sparsity!.Value);
        using var prompt = LearnsPrompt
            ? PromptSpec.Create(s.Prompt, new ModuleInit(context.Backend, s.Seed + 1), data.Train.Channels, data.Train.Height, data.Train.Width)
            : null;
        using var augmented = data.Loader(data.SearchIndices, s.BatchSize, (long)s.Seed + 1, data.Augmentation());
        using var clean = paired ? data.Loader(data.SearchIndices, s.BatchSize, (long)s.Seed) : null;
        int[]? map = s.FrequencyMapping ? FrequencyMap(context, prompt, augmented) : null;
        var options = new ScoreSearchOptions
        {
            Epochs = s.SearchEpochs, LearningRate = s.ScoreLr, WeightDecay = s.ScoreWeightDecay, Paired = paired,
            PromptAtTest = s.PromptAtTest, RunFolder = context.RunFolder,
        };
        using var search = new ScoreSearch(context.Dense, scored, prompt, map, options, context.Progress());
        string checkpoint = Path.Combine(context.RunFolder, ScoreSearch.CheckpointFileName);
        if (File.Exists(checkpoint))
        {
            search.Resume(checkpoint);
            context.Log($"stage 1 resumed after epoch {search.CompletedEpochs}");
        }
        context.Log(Text($"stage 1 ({Name}): {s.SearchEpochs} epochs on {data.SearchIndices.Length} images, {scored.Scores.Sum(p => (long)p.Value.Size):N0} scores, ") +
                    Text($"{scored.Removed:N0} weights cut") + (prompt is null ? "" : paired ? ", prompted clean and unprompted augmented batches in turn" : ", prompted augmented batches"));
        IBatchSource source = paired ? new PairedBatches(clean!, augmented) : augmented;
        search.Fit(source, data.ValidationLoader);
        Checkpoint.Save(Path.Combine(context.RunFolder, BuffersFileName), BuffersOf(context.Dense), []);
        var (seconds, count) = scored.SelectionTime;
        context.Log(Text($"stage 1: the global cut took {1e3 * seconds / Math.Max(1, count):F2} ms per step on average ({count} cuts)"));
        return new WeightSelection(scored.Masks(), prompt?.Prompt.Value.ToArray(),
            new StageOneCost(s.SearchEpochs, data.SearchIndices.Length, search.History.Sum(h => h.Seconds))) { LabelMap = map };
    }

    public override void Restore(MethodContext context)
    {
        string path = Path.Combine(context.RunFolder, BuffersFileName);
        if (!File.Exists(path))
            throw new ArgumentException($"--resume: {context.RunFolder} has {Name}'s masks but not {BuffersFileName}, the batch-norm statistics stage 1 left");
        Checkpoint.Load(path, BuffersOf(context.Dense), []);
    }

    private static CheckpointState BuffersOf(Module network) => new([], [.. network.NamedBuffers()], []);

    /// <summary>
    /// VPNs' code: the mapping is computed once, before stage 1, on the network masked by the initial
    /// scores behind the zero prompt, over the augmented training loader — and frozen afterwards.
    /// </summary>
    private static int[] FrequencyMap(MethodContext context, VisualPrompt? prompt, DataLoader augmented)
    {
        Module view = prompt is null ? context.Dense : new PromptedModel(prompt, context.Dense);
        var map = FrequencyLabelMapping.Compute(view, augmented, context.Data.Train.ClassCount);
        context.Log($"label mapping (frequency): target class → source class {string.Join(", ", map.Select((src, c) => $"{c}→{src}"))}");
        return map;
    }

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
