using System.Globalization;
using SparseCore.Kernels;
using SparseCore.Models.Flops;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Training;
using SparseCore.Pass.Extraction;
using SparseCore.Pass.Graph;
using SparseCore.Pass.Masks;
using SparseCore.Tensors;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// `sparsecore prune` end to end: dense network → masks (stage 1 of the method) → masks.json →
/// extraction → stage 2 → the pruned checkpoint, summary.json and report.md with its plots. Every
/// stage leaves its product in the run folder, and --resume picks up after the last one finished.
/// </summary>
internal static class PrunePipeline
{
    public const string MasksFileName = "masks.json";
    public const string PrunedFileName = "pruned.safetensors";

    public static int Run(PruneSettings s, string command)
    {
        if (s.Resume is not null && !Directory.Exists(s.Resume)) throw new ArgumentException($"--resume: no run folder at {s.Resume}");
        // Everything that can be refused is checked before a new run folder exists — options, data,
        // the dense checkpoint (read whole), the device and a writable --output — so a refused run
        // leaves nothing behind.
        string? source = DenseNetwork.Source(s, s.Resume);
        var denseSplit = source is null ? null : Checkpoint.ReadInfo(source).Split;
        using var data = new PruneData(s, denseSplit, source);
        if (source is not null && denseSplit is null)
            Console.WriteLine($"note: {source} records no validation split; validating on seed {s.Seed}'s {data.Split.Count} images, which it may have trained on");
        var description = new ModelDescription(s.Model, data.Train.Channels, data.Train.Height, data.Train.Width, data.Train.ClassCount);
        using var backend = Devices.Create(s.Device);
        Module? loaded = source is null ? null : DenseNetwork.Load(source, description, backend);
        string runFolder;
        try
        {
            if (s.Resume is not null) RunFolder.Reopen(runFolder = s.Resume, "--resume");
            else runFolder = RunFolder.Create(s.Output, $"{DateTime.Now:yyyyMMdd-HHmmss}-prune-{s.Label}-{s.Model}", command);
        }
        catch
        {
            loaded?.Dispose();
            throw;
        }
        try
        {
            return Run(s, command, data, description, backend, source, loaded, runFolder);
        }
        catch when (s.Resume is null)
        {
            RunFolder.RemoveIfUnused(runFolder);
            throw;
        }
    }

    private static int Run(PruneSettings s, string command, PruneData data, ModelDescription description, Backend backend,
                           string? source, Module? loaded, string runFolder)
    {
        Console.WriteLine($"prune {s.Model} by {s.Label} at {Budget(s)} ({ModeName(s)} residual masks) on {s.Data}, " +
                          $"{backend.Name} ({backend.DeviceDescription}); run folder {runFolder}");
        using var dense = loaded ?? DenseNetwork.Train(s, data, backend, description, runFolder);
        if (loaded is not null)
        {
            DenseNetwork.Keep(loaded, source!, description, data, runFolder);
            Console.WriteLine($"dense {s.Model} from {source}");
        }
        dense.Eval();
        var graph = ChannelGraph.Of(dense);
        var input = new Shape(1, description.Channels, description.Height, description.Width);
        var (denseMeasure, latency) = Measure(dense, data, input, ModelCost.Measure(dense, input).Macs, s.LatencyBatch);
        Console.WriteLine(Text($"dense: validation {denseMeasure.ValidationAccuracy:P2}, test {denseMeasure.TestAccuracy:P2}, {denseMeasure.Macs / 1e6:F2} M MACs, {denseMeasure.LatencyMs:F2} ms per batch of {latency.Batch}"));

        string masksPath = Path.Combine(runFolder, MasksFileName);
        MaskResult found;
        if (File.Exists(masksPath))
        {
            var file = MaskFile.Read(masksPath, graph);
            RequireSameSettings(s, file.Info, masksPath);
            MaskSelection.RestoreSlimmed(s, dense, runFolder);
            found = new MaskResult(file.Masks, MaskSelection.SavedPrompt(s, backend, runFolder, description.Channels, description.Height, description.Width),
                Number(file.Info, "stage1_seconds"), (int)Number(file.Info, "stage1_epochs"), (int)Number(file.Info, "stage1_images"));
            Console.WriteLine($"masks from {masksPath}");
        }
        else
        {
            found = MaskSelection.Find(s, data, dense, graph, backend, runFolder);
            var info = new Dictionary<string, string>(s.ToDictionary())
            {
                ["stage1_seconds"] = Text($"{found.Seconds:F1}"), ["stage1_epochs"] = Text($"{found.Epochs}"), ["stage1_images"] = Text($"{found.Images}"),
            };
            MaskFile.Write(masksPath, graph, found.Masks, info);
        }

        var extracted = Extractor.Extract(dense, description, found.Masks, s.Mode);
        Console.WriteLine(Text($"extracted ({ModeName(s)}): {extracted.ExtractedMacs / 1e6:F2} M MACs ({(double)extracted.ExtractedMacs / extracted.DenseMacs:P1} of dense), masked count {extracted.MaskedMacs / 1e6:F2} M"));
        var tuned = FineTune.Run(s, data, extracted, found.Prompt, backend, runFolder);
        using var pruned = tuned.Model;
        var (prunedMeasure, _) = Measure(pruned, data, input, extracted.ExtractedMacs, s.LatencyBatch);
        Checkpoint.Save(Path.Combine(runFolder, PrunedFileName), pruned, info: new CheckpointInfo
        {
            Model = tuned.Description, Epoch = s.FinetuneEpochs, Seed = (long)s.Seed, Split = data.Split, History = tuned.History.ToArray(), Settings = s.ToDictionary(),
        });

        var summary = new PruneSummary
        {
            Method = s.Label, Model = s.Model, Data = s.Data, Mode = ModeName(s), Sparsity = s.Sparsity ?? ReachedSparsity(found.Masks), FlopsTarget = s.Flops,
            PromptInStage2 = tuned.Description.Prompt is not null, Seed = s.Seed, Command = command, Device = $"{backend.Name} ({backend.DeviceDescription})",
            Dense = denseMeasure, Pruned = prunedMeasure, MaskedMacs = extracted.MaskedMacs, Latency = latency,
            Layers = Layers(graph, found.Masks),
            Stages = new StageTimes(found.Epochs, found.Images, found.Seconds, s.FinetuneEpochs, tuned.Seconds),
        };
        PruneSummaryFile.Write(Path.Combine(runFolder, PruneSummaryFile.FileName), summary);
        PruneReport.Write(runFolder, summary);
        Console.WriteLine(Text($"pruned: validation {prunedMeasure.ValidationAccuracy:P2}, test {prunedMeasure.TestAccuracy:P2}, {prunedMeasure.Macs / 1e6:F2} M MACs ({(double)prunedMeasure.Macs / denseMeasure.Macs:P1} of dense), {prunedMeasure.LatencyMs:F2} ms per batch"));
        Console.WriteLine($"report: {Path.Combine(runFolder, PruneReport.FileName)}");
        return 0;
    }

    /// <summary>Accuracy, cost and latency of one network, and how the latency was taken (the probe's own record).</summary>
    private static (RunMeasure Measure, LatencySetup Latency) Measure(Module model, PruneData data, Shape input, long macs, int latencyBatch)
    {
        double validation = data.ValidationLoader is null ? double.NaN : Trainer.Evaluate(model, data.ValidationLoader).Accuracy;
        double test = Trainer.Evaluate(model, data.TestLoader).Accuracy;
        long parameters = ModelCost.Measure(model, input).Parameters;
        var timing = LatencyProbe.Measure(model, new Shape(latencyBatch, input[1], input[2], input[3]));
        return (new RunMeasure(validation, test, macs, parameters, timing.MedianMs), timing.Setup);
    }

    /// <summary>Each prunable conv with its dense width and the channels its own mask keeps.</summary>
    private static IReadOnlyList<LayerKeep> Layers(ChannelGraph graph, IReadOnlyList<float[]> masks) =>
        graph.Layers.Where(l => l.Mask is not null)
            .Select(l => new LayerKeep(l.Name, l.OutChannels, masks[l.Mask!.Value].Count(v => v != 0f))).ToArray();

    /// <summary>A resumed run must be the run it resumes: masks.json records the settings that made it.</summary>
    private static void RequireSameSettings(PruneSettings s, IReadOnlyDictionary<string, string> recorded, string masksPath)
    {
        foreach (var (key, value) in s.ToDictionary())
            if (recorded.TryGetValue(key, out string? before) && before != value)
                throw new ArgumentException($"--resume: {masksPath} was made with {key} = '{before}', this command asks for '{value}'; resume with the same options");
    }

    /// <summary>The channel sparsity the masks reached (pruned share of the distinct masks' channels): what met a --flops target.</summary>
    private static double ReachedSparsity(IReadOnlyList<float[]> masks) =>
        1.0 - (double)masks.Sum(m => m.Count(v => v != 0f)) / masks.Sum(m => m.Length);

    private static string ModeName(PruneSettings s) => PruneSettings.ModeName(s.Mode);

    private static string Budget(PruneSettings s) =>
        s.Sparsity is double sparsity ? Text($"channel sparsity {sparsity}") : Text($"{s.Flops} of the dense MACs");

    private static double Number(IReadOnlyDictionary<string, string> info, string key) =>
        info.TryGetValue(key, out string? v) && double.TryParse(v, NumberStyles.Float, CultureInfo.InvariantCulture, out double d) ? d : 0;

    private static string Text(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
