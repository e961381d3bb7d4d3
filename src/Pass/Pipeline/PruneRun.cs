using SparseCore.Kernels.Diagnostics;
using System.Globalization;
using SparseCore.Kernels;
using SparseCore.Models.Flops;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Training;
using SparseCore.Pass.Compute;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Labels;
using SparseCore.Pass.Masks;
using SparseCore.Pass.Methods;
using SparseCore.Pass.Prompts;
using SparseCore.Tensors;

namespace SparseCore.Pass.Pipeline;

/// <summary>
/// A prune run end to end: dense network → the method's selection (stage 1) → its resume point
/// (masks.json for channel masks, weight-masks.safetensors for weight masks, and stage1-prompt.safetensors
/// for a learnt prompt) → extraction (channel masks only; weight masks stay masks) → stage 2 → the
/// pruned checkpoint and summary.json. Every stage leaves its product in the run folder, and a
/// resumed run picks up after the last one finished. Everything that can be refused — options,
/// data, the dense checkpoint (read whole), a writable output — is checked before a new run folder
/// exists, so a refused run leaves nothing behind.
/// </summary>
public static class PruneRun
{
    public const string MasksFileName = "masks.json";
    public const string PrunedFileName = "pruned.safetensors";
    public const string PromptFileName = "stage1-prompt.safetensors";

    /// <summary>The label mapping's entry in a saved selection's metadata.</summary>
    private const string LabelMapKey = "label_map_classes";

    public static PruneOutcome Run(PruneJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var s = job.Options;
        if (job.Resume is not null && !Directory.Exists(job.Resume)) throw new ArgumentException($"--resume: no run folder at {job.Resume}");
        if (job.From is not null && !File.Exists(job.From)) throw new ArgumentException($"--from: no checkpoint at {job.From}");
        string? source = DenseNetwork.Source(job.From, job.Resume);
        s.Validate(hasDense: source is not null);
        var denseSplit = source is null ? null : Checkpoint.ReadInfo(source).Split;
        using var data = new PruneData(s, job.Train, job.Test, denseSplit, source);
        if (source is not null && denseSplit is null)
            job.Log($"note: {source} records no validation split; validating on seed {s.Seed}'s {data.Split.Count} images, which it may have trained on");
        var description = new ModelDescription(s.Model, data.Train.Channels, data.Train.Height, data.Train.Width, data.Train.ClassCount);
        Module? loaded = source is null ? null : DenseNetwork.Load(source, description, job.Backend);
        string runFolder;
        try
        {
            if (job.Resume is not null) RunFolder.Reopen(runFolder = job.Resume, "--resume");
            else runFolder = RunFolder.Create(job.Output, $"{DateTime.Now:yyyyMMdd-HHmmss}-prune-{s.Label}-{s.Model}", job.Command);
        }
        catch
        {
            loaded?.Dispose();
            throw;
        }
        try
        {
            return new PruneOutcome(runFolder, Run(job, data, description, source, loaded, runFolder));
        }
        catch when (job.Resume is null)
        {
            RunFolder.RemoveIfUnused(runFolder);
            throw;
        }
    }

    private static PruneSummary Run(PruneJob job, PruneData data, ModelDescription description, string? source, Module? loaded, string runFolder)
    {
        var s = job.Options;
        var backend = job.Backend;
        var method = PruningMethods.Create(s.Method);
        string rounded = s.RoundChannels > 1 ? $", kept channels rounded to multiples of {s.RoundChannels}" : "";
        job.Log($"prune {s.Model} by {s.Label} at {s.Budget} ({(method.Kind == SelectionKind.Channels ? ModeName(s) + " residual masks" + rounded : "weight masks")}) on {s.Data}, " +
                $"{backend.Name} ({backend.DeviceDescription}); run folder {runFolder}");
        using var dense = loaded ?? DenseNetwork.Train(s, data, backend, description, runFolder, job.Log, job.Progress());
        if (loaded is not null)
        {
            DenseNetwork.Keep(loaded, source!, description, data, runFolder);
            job.Log($"dense {s.Model} from {source}");
        }
        dense.Eval();
        var graph = ChannelGraph.Of(dense);
        var input = new Shape(1, description.Channels, description.Height, description.Width);
        long denseMacs = ModelCost.Measure(dense, input).Macs;
        var (denseMeasure, latency) = Measure(dense, data, input, denseMacs, s.LatencyBatch, Profiled(job, "dense"));
        job.Log(Text($"dense: validation {denseMeasure.ValidationAccuracy:P2}, test {denseMeasure.TestAccuracy:P2}, {denseMeasure.Macs / 1e6:F2} M MACs, {denseMeasure.LatencyMs:F2} ms per batch of {latency.Batch}"));

        var macsOf = ExtractedCost.MacsOf(dense, input, s.Mode);
        var context = new MethodContext
        {
            Options = s, Data = data, Dense = dense, Graph = graph, Backend = backend, RunFolder = runFolder, Log = job.Log, Progress = job.Progress,
            MacsOf = macsOf,
            Budget = s.Budget.Kind == BudgetKind.Sparsity
                ? new ChannelBudget(graph, s.Budget.Value, s.Mode, s.RoundChannels)
                : ChannelBudget.ForFlops(graph, s.Mode, macsOf, (long)Math.Round(s.Budget.Value * denseMacs), s.RoundChannels),
        };
        var found = SelectOrRestore(method, context, description);

        var stage = found switch
        {
            ChannelSelection channels => ExtractAndTune(job, data, dense, graph, description, channels, runFolder),
            WeightSelection weights => TuneMasked(job, data, dense, description, weights, runFolder),
            _ => throw new InvalidOperationException($"method {s.Method} returned a {found.GetType().Name}, neither channel nor weight masks"),
        };
        using var pruned = stage.Tuned.Model;
        var (prunedMeasure, _) = Measure(pruned, data, input, stage.Macs, s.LatencyBatch, Profiled(job, "pruned"));
        // Weight masks leave every layer at its dense shape: nothing to compare layer by layer.
        var compute = found is ChannelSelection ? ComputeProbe.Measure(dense, pruned, new Shape(s.LatencyBatch, input[1], input[2], input[3])) : null;
        var ablation = stage.Tuned.Prompted is { } prompted ? PromptAblationOf(pruned, prompted, data, prunedMeasure.TestAccuracy, s.PromptAtTest) : null;
        var kept = stage.Masks is { } held ? CheckpointState.Of(pruned).With(held.Named(pruned)) : CheckpointState.Of(pruned);
        Checkpoint.Save(Path.Combine(runFolder, PrunedFileName), kept, [], new CheckpointInfo
        {
            Model = stage.Tuned.Description, Epoch = s.FinetuneEpochs, Seed = (long)s.Seed, Split = data.Split, History = stage.Tuned.History.ToArray(),
            Settings = s.ToDictionary(),
        });
        stage.Masks?.Dispose();

        var cost = found.Cost;
        var summary = new PruneSummary
        {
            Method = s.Label, Model = s.Model, Data = s.Data, Mode = found is WeightSelection ? PruneSummary.WeightMode : ModeName(s),
            Sparsity = s.Sparsity ?? stage.Reached, FlopsTarget = s.Flops, RoundChannels = s.RoundChannels,
            PromptInStage2 = stage.Tuned.Description.Prompt is not null, Seed = s.Seed, Command = job.Command, Device = $"{backend.Name} ({backend.DeviceDescription})",
            Dense = denseMeasure, Pruned = prunedMeasure, MaskedMacs = stage.MaskedMacs, Latency = latency, Compute = compute, Layers = stage.Layers,
            Stages = new StageTimes(cost.Epochs, cost.Images, cost.Seconds ?? 0, s.FinetuneEpochs, stage.Tuned.Seconds),
            NonzeroParameters = found is WeightSelection ? prunedMeasure.Parameters - stage.Layers.Sum(l => (long)(l.Channels - l.Kept)) : null,
            PromptAblation = ablation, PromptAtTest = stage.Tuned.Prompted is null ? null : s.PromptAtTest, LabelMap = found.LabelMap,
        };
        PruneSummaryFile.Write(Path.Combine(runFolder, PruneSummaryFile.FileName), summary);
        job.Log(Text($"pruned: validation {prunedMeasure.ValidationAccuracy:P2}, test {prunedMeasure.TestAccuracy:P2}, {prunedMeasure.Macs / 1e6:F2} M MACs ({(double)prunedMeasure.Macs / denseMeasure.Macs:P1} of dense), {prunedMeasure.LatencyMs:F2} ms per batch"));
        if (ablation is not null)
            job.Log(Text($"pruned, test accuracy with the prompt {ablation.WithPrompt:P2}, without it {ablation.WithoutPrompt:P2} (the checkpoint tests {(s.PromptAtTest ? "with" : "without")} it)"));
        return summary;
    }

    /// <summary>The test accuracy with the prompt and without it: the measured one, and the other forward run once more.</summary>
    private static PromptAblation PromptAblationOf(Module pruned, PromptedModel prompted, PruneData data, double measured, bool atTest)
    {
        prompted.UsePrompt = !atTest;
        double other = Trainer.Evaluate(pruned, data.TestLoader).Accuracy;
        prompted.UsePrompt = atTest;
        return atTest ? new PromptAblation(measured, other) : new PromptAblation(other, measured);
    }

    /// <summary>Stage 1, or its saved product on a resumed run (the method then restores what else it changed).</summary>
    private static Selection SelectOrRestore(PruningMethod method, MethodContext context, ModelDescription description)
    {
        var s = context.Options;
        string folder = context.RunFolder;
        string saved = Path.Combine(folder, method.Kind == SelectionKind.Channels ? MasksFileName : WeightMasks.FileName);
        if (File.Exists(saved))
        {
            IReadOnlyDictionary<string, string> info;
            Selection restored;
            if (method.Kind == SelectionKind.Channels)
            {
                var file = MaskFile.Read(saved, context.Graph);
                info = file.Info;
                restored = new ChannelSelection(file.Masks, SavedPrompt(s, context.Backend, folder, description), RecordedCost(info));
            }
            else
            {
                var (masks, metadata) = WeightMasks.Read(saved);
                info = metadata;
                restored = new WeightSelection(masks, SavedPrompt(s, context.Backend, folder, description), RecordedCost(info))
                {
                    LabelMap = info.TryGetValue(LabelMapKey, out string? map) ? ParseLabelMap(map, saved) : null,
                };
            }
            RequireSameSettings(s, info, saved);
            method.Restore(context);
            context.Log($"masks from {saved}");
            return restored;
        }

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var found = method.Select(context);
        found = found with { Cost = found.Cost with { Seconds = found.Cost.Seconds ?? clock.Elapsed.TotalSeconds } };
        var record = new Dictionary<string, string>(s.ToDictionary())
        {
            ["stage1_seconds"] = Text($"{found.Cost.Seconds:F1}"), ["stage1_epochs"] = Text($"{found.Cost.Epochs}"), ["stage1_images"] = Text($"{found.Cost.Images}"),
        };
        if (found.Prompt is { } prompt) SavePrompt(s, context.Backend, folder, description, prompt);
        if (found.LabelMap is { } labelMap) record[LabelMapKey] = LabelMapText.Format(labelMap);
        switch (found)
        {
            case ChannelSelection channels when method.Kind == SelectionKind.Channels:
                MaskFile.Write(saved, context.Graph, channels.Masks, record);
                break;
            case WeightSelection weights when method.Kind == SelectionKind.Weights:
                WeightMasks.Write(saved, context.Dense, weights.Masks, record);
                break;
            default:
                throw new InvalidOperationException($"method {s.Method} is a {method.Kind} method but returned a {found.GetType().Name}");
        }
        return found;
    }

    /// <summary>Stage 2's network, the masks it holds (weight methods) and what the summary reports of it.</summary>
    private sealed record StageTwoResult(FineTuned Tuned, long Macs, long MaskedMacs, double Reached, IReadOnlyList<LayerKeep> Layers, WeightMaskHold? Masks);

    private static StageTwoResult ExtractAndTune(PruneJob job, PruneData data, Module dense, ChannelGraph graph, ModelDescription description, ChannelSelection found, string runFolder)
    {
        var s = job.Options;
        var extracted = Extractor.Extract(dense, description, found.Masks, s.Mode);
        job.Log(Text($"extracted ({ModeName(s)}): {extracted.ExtractedMacs / 1e6:F2} M MACs ({(double)extracted.ExtractedMacs / extracted.DenseMacs:P1} of dense), masked count {extracted.MaskedMacs / 1e6:F2} M"));
        // Union mode: the channels a residual stream keeps but the writer's own mask drops stay exactly 0.
        using var zeroed = new ZeroedChannelHold(extracted);
        var tuned = StageTwo.Run(s, data, extracted.Model, extracted.Description!, found.Prompt, found.LabelMap, _ => zeroed.MaskGradients(),
            job.Backend, runFolder, job.Log, job.Progress());
        var layers = graph.Layers.Where(l => l.Mask is not null)
            .Select(l => new LayerKeep(l.Name, l.OutChannels, found.Masks[l.Mask!.Value].Count(v => v != 0f))).ToArray();
        double reached = 1.0 - (double)found.Masks.Sum(m => m.Count(v => v != 0f)) / found.Masks.Sum(m => m.Length);
        return new StageTwoResult(tuned, extracted.ExtractedMacs, extracted.MaskedMacs, reached, layers, null);
    }

    private static StageTwoResult TuneMasked(PruneJob job, PruneData data, Module dense, ModelDescription description, WeightSelection found, string runFolder)
    {
        var s = job.Options;
        var hold = new WeightMaskHold(dense, found.Masks);
        try
        {
            long total = found.Masks.Values.Sum(m => (long)m.Length), kept = found.Masks.Values.Sum(m => (long)m.Count(v => v != 0f));
            job.Log(Text($"weight masks: {kept:N0} of {total:N0} prunable weights kept ({(double)kept / total:P1})"));
            var tuned = StageTwo.Run(s, data, dense, description, found.Prompt, found.LabelMap, _ => hold.MaskGradients(), job.Backend, runFolder, job.Log, job.Progress());
            var input = new Shape(1, description.Channels, description.Height, description.Width);
            var (macs, maskedMacs) = MaskedCost(dense, input, found.Masks);
            // In the network's order, whatever order the masks were read back in.
            var layers = dense.NamedParameters().Where(p => found.Masks.ContainsKey(p.Name))
                .Select(p => new LayerKeep(p.Name, found.Masks[p.Name].Length, found.Masks[p.Name].Count(v => v != 0f))).ToArray();
            // Stage 2 trained the dense network in place (disposing both it and the tuned view is harmless: a tensor's release is idempotent).
            return new StageTwoResult(tuned, macs, maskedMacs, 1.0 - (double)kept / total, layers, hold);
        }
        catch
        {
            hold.Dispose();
            throw;
        }
    }

    /// <summary>The dense MACs (what a dense kernel runs) and the MACs of the kept weights alone, layer by layer.</summary>
    private static (long Macs, long Masked) MaskedCost(Module network, Shape input, IReadOnlyDictionary<string, float[]> masks)
    {
        var cost = ModelCost.Measure(network, input);
        double masked = 0;
        foreach (var row in cost.Rows)
        {
            string weight = row.Name + ".weight";
            masked += masks.TryGetValue(weight, out var m) ? row.Macs * ((double)m.Count(v => v != 0f) / m.Length) : row.Macs;
        }
        return (cost.Macs, (long)Math.Round(masked));
    }

    /// <summary>Accuracy, cost and latency of one network, and how the latency was taken (the probe's own record).</summary>
    private static (RunMeasure Measure, LatencySetup Latency) Measure(Module model, PruneData data, Shape input, long macs, int latencyBatch,
                                                                       Action<Profiler>? profiled)
    {
        double validation = data.ValidationLoader is null ? double.NaN : Trainer.Evaluate(model, data.ValidationLoader).Accuracy;
        double test = Trainer.Evaluate(model, data.TestLoader).Accuracy;
        long parameters = ModelCost.Measure(model, input).Parameters;
        var profiler = profiled is null ? null : new Profiler();
        var timing = LatencyProbe.Measure(model, new Shape(latencyBatch, input[1], input[2], input[3]), profiler: profiler);
        if (profiler is not null) profiled!(profiler);
        return (new RunMeasure(validation, test, macs, parameters, timing.MedianMs), timing.Setup);
    }

    private static Action<Profiler>? Profiled(PruneJob job, string network) =>
        job.LatencyProfiled is { } report ? p => report(network, p) : null;

    private static void SavePrompt(PruneOptions s, Backend backend, string folder, ModelDescription d, float[] values)
    {
        using var prompt = PromptSpec.Create(s.Prompt, ModuleInit.Undrawn(backend), d.Channels, d.Height, d.Width)
            ?? throw new InvalidOperationException($"a method learnt a prompt, but --prompt {s.Prompt} has none to hold it");
        backend.Upload<float>(values, prompt.Prompt.Value.Buffer);
        Checkpoint.Save(Path.Combine(folder, PromptFileName), prompt);
    }

    /// <summary>The prompt stage 1 saved beside the masks, for a resumed run's stage 2; null when there is none.</summary>
    private static float[]? SavedPrompt(PruneOptions s, Backend backend, string folder, ModelDescription d)
    {
        string path = Path.Combine(folder, PromptFileName);
        if (!File.Exists(path)) return null;
        using var prompt = PromptSpec.Create(s.Prompt, ModuleInit.Undrawn(backend), d.Channels, d.Height, d.Width)!;
        Checkpoint.Load(path, prompt);
        return prompt.Prompt.Value.ToArray();
    }

    /// <summary>
    /// A resumed run must be the run it resumes: the saved selection records the settings that made it.
    /// A setting recorded only away from its default counts as its default where it is absent.
    /// </summary>
    private static void RequireSameSettings(PruneOptions s, IReadOnlyDictionary<string, string> recorded, string path)
    {
        var asked = s.ToDictionary();
        foreach (var key in asked.Keys.Union(PruneOptions.Defaults.Keys))
        {
            string? value = asked.GetValueOrDefault(key) ?? PruneOptions.Defaults[key];
            string? before = recorded.GetValueOrDefault(key) ?? PruneOptions.Defaults.GetValueOrDefault(key);
            if (before is not null && before != value)
                throw new ArgumentException($"--resume: {path} was made with {key} = '{before}', this command asks for '{value}'; resume with the same options");
        }
    }

    private static int[] ParseLabelMap(string text, string path)
    {
        try { return LabelMapText.Parse(text, int.MaxValue); }
        catch (ArgumentException e) { throw new Models.Data.DataFormatException(path, LabelMapKey, e.Message); }
    }

    private static StageOneCost RecordedCost(IReadOnlyDictionary<string, string> info) =>
        new((int)Number(info, "stage1_epochs"), (int)Number(info, "stage1_images"), Number(info, "stage1_seconds"));

    private static string ModeName(PruneOptions s) => PruneOptions.ModeName(s.Mode);

    private static double Number(IReadOnlyDictionary<string, string> info, string key) =>
        info.TryGetValue(key, out string? v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : 0;

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
