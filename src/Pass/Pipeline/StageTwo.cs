using SparseCore.Kernels;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Pass.Labels;
using SparseCore.Pass.Prompts;

namespace SparseCore.Pass.Pipeline;

/// <summary>The fine-tuned network, its description (widths, prompt, label map), its prompted view (null without a prompt), and the stage's record.</summary>
public sealed record FineTuned(Module Model, ModelDescription Description, PromptedModel? Prompted, IReadOnlyList<EpochMetrics> History, double Seconds);

/// <summary>
/// Stage 2, the same for every method: the pruned network — behind a prompt unless
/// --no-stage2-prompt is given, stage 1's own or a fresh zero one, and answering through the
/// method's label mapping if it made one — trained with its masks held fixed
/// (<paramref name="holdMasks"/>) by SGD (momentum 0.9, the weights with weight decay, the prompt
/// without), cosine, with a checkpoint each epoch in finetune/ that a resumed run continues from.
/// VPNs' paired iteration (<see cref="PruneOptions.PairedSteps"/>) alternates a prompted clean
/// batch and an unprompted augmented one, and validation runs the test-time forward
/// (<see cref="PruneOptions.PromptAtTest"/>).
/// </summary>
public static class StageTwo
{
    public const string FolderName = "finetune";

    /// <param name="network">The extracted network (channel methods) or the dense one with its weights masked (weight methods).</param>
    /// <param name="labelMap">Source class per target class, or null for the head's own classes.</param>
    /// <param name="holdMasks">Called after each backward pass so that pruned weights stay exactly zero.</param>
    public static FineTuned Run(PruneOptions s, PruneData data, Module network, ModelDescription description, float[]? stage1Prompt, int[]? labelMap,
                                Action<Module> holdMasks, Backend backend, string runFolder, Action<string> log, ITrainingObserver? progress)
    {
        Module model = network;
        VisualPrompt? prompt = null;
        PromptedModel? prompted = null;
        if (s.Stage2Prompt)
        {
            prompt = PromptSpec.Create(s.Prompt, new ModuleInit(backend, s.Seed + 3), description.Channels, description.Height, description.Width);
            if (prompt is not null)
            {
                if (stage1Prompt is not null) backend.Upload<float>(stage1Prompt, prompt.Prompt.Value.Buffer);
                model = prompted = new PromptedModel(prompt, network);
                description = description with { Prompt = PromptSpec.Of(prompt), PromptAtTest = s.PromptAtTest };
            }
        }
        if (labelMap is not null)
        {
            model = new LabelMappedModel(model, labelMap);
            description = description with { LabelMap = LabelMapText.Format(labelMap) };
        }
        string folder = Path.Combine(runFolder, FolderName);
        Directory.CreateDirectory(folder);
        using var opt = new Sgd(model.Parameters(), s.FinetuneLr, 0.9f, s.FinetuneWeightDecay, withoutDecay: prompt is null ? null : [prompt.Prompt]);
        bool paired = s.PairedSteps && prompted is not null;
        using var loader = data.Loader(data.TrainIndices, s.BatchSize, (long)s.Seed, paired || s.Augment ? data.Augmentation() : null);
        using var clean = paired ? data.Loader(data.TrainIndices, s.BatchSize, (long)s.Seed + 2) : null;
        IBatchSource source = paired ? new PairedBatches(clean!, loader) : loader;
        var trainer = new Trainer(model, opt, new CosineSchedule(Math.Max(1, s.FinetuneEpochs * source.BatchCount)), new TrainerOptions
        {
            Epochs = s.FinetuneEpochs, RunFolder = folder, CheckpointEvery = 1, Model = description, Split = data.Split, Settings = s.ToDictionary(),
            Stage = "stage 2 (fine-tuning)", AfterBackward = holdMasks,
            Hook = prompted is null ? null : new PromptSwitch(prompted, paired, s.PromptAtTest),
        }, progress);
        string checkpoint = Path.Combine(folder, Checkpoint.LastFileName);
        if (File.Exists(checkpoint))
        {
            var info = trainer.Resume(checkpoint);
            log($"stage 2 resumed after epoch {info.Epoch}");
        }
        log($"stage 2: fine-tune the pruned network for {s.FinetuneEpochs} epochs on {data.TrainIndices.Length} images" +
            (prompt is null ? ", no prompt" : stage1Prompt is null ? ", with a fresh prompt" : ", with stage 1's prompt") +
            (paired ? " (prompted clean and unprompted augmented batches in turn)" : "") +
            (prompted is not null && !s.PromptAtTest ? "; tested without the prompt" : ""));
        trainer.Fit(source, data.ValidationLoader);
        model.Eval();
        if (prompted is not null) prompted.UsePrompt = s.PromptAtTest;
        double seconds = trainer.History.Sum(h => h.Seconds); // epochs before a resume included
        return new FineTuned(model, description, prompted, trainer.History, seconds);
    }
}
