using SparseCore.Kernels;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Pass.Prompts;

namespace SparseCore.Pass.Pipeline;

/// <summary>The fine-tuned network, its description (widths and prompt) and the stage's record.</summary>
public sealed record FineTuned(Module Model, ModelDescription Description, IReadOnlyList<EpochMetrics> History, double Seconds);

/// <summary>
/// Stage 2, the same for every method: the pruned network — behind a prompt unless
/// --no-stage2-prompt is given, stage 1's own or a fresh zero one — trained with its masks held
/// fixed (<paramref name="holdMasks"/>) by SGD (momentum 0.9, the weights with weight decay, the
/// prompt without), cosine, with a checkpoint each epoch in finetune/ that a resumed run continues from.
/// </summary>
public static class StageTwo
{
    public const string FolderName = "finetune";

    /// <param name="network">The extracted network (channel methods) or the dense one with its weights masked (weight methods).</param>
    /// <param name="holdMasks">Called after each backward pass so that pruned weights stay exactly zero.</param>
    public static FineTuned Run(PruneOptions s, PruneData data, Module network, ModelDescription description, float[]? stage1Prompt,
                                Action<Module> holdMasks, Backend backend, string runFolder, Action<string> log, ITrainingObserver? progress)
    {
        Module model = network;
        VisualPrompt? prompt = null;
        if (s.Stage2Prompt)
        {
            prompt = PromptSpec.Create(s.Prompt, new ModuleInit(backend, s.Seed + 3), description.Channels, description.Height, description.Width);
            if (prompt is not null)
            {
                if (stage1Prompt is not null) backend.Upload<float>(stage1Prompt, prompt.Prompt.Value.Buffer);
                model = new PromptedModel(prompt, network);
                description = description with { Prompt = PromptSpec.Of(prompt) };
            }
        }
        string folder = Path.Combine(runFolder, FolderName);
        Directory.CreateDirectory(folder);
        using var opt = new Sgd(model.Parameters(), s.FinetuneLr, 0.9f, s.FinetuneWeightDecay, withoutDecay: prompt is null ? null : [prompt.Prompt]);
        var augment = s.Augment ? new AugmentPipeline(new RandomCrop(description.Height, description.Width, padding: 2), new HorizontalFlip()) : null;
        using var loader = data.Loader(data.TrainIndices, s.BatchSize, (long)s.Seed, augment);
        var trainer = new Trainer(model, opt, new CosineSchedule(Math.Max(1, s.FinetuneEpochs * loader.BatchCount)), new TrainerOptions
        {
            Epochs = s.FinetuneEpochs, RunFolder = folder, CheckpointEvery = 1, Model = description, Split = data.Split, Settings = s.ToDictionary(),
            Stage = "stage 2 (fine-tuning)", AfterBackward = holdMasks,
        }, progress);
        string checkpoint = Path.Combine(folder, Checkpoint.LastFileName);
        if (File.Exists(checkpoint))
        {
            var info = trainer.Resume(checkpoint);
            log($"stage 2 resumed after epoch {info.Epoch}");
        }
        log($"stage 2: fine-tune the pruned network for {s.FinetuneEpochs} epochs on {data.TrainIndices.Length} images" +
            (prompt is null ? ", no prompt" : stage1Prompt is null ? ", with a fresh prompt" : ", with stage 1's prompt"));
        trainer.Fit(loader, data.ValidationLoader);
        model.Eval();
        double seconds = trainer.History.Sum(h => h.Seconds); // epochs before a resume included
        return new FineTuned(model, description, trainer.History, seconds);
    }
}
