using SparseCore.Kernels;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;

namespace SparseCore.Pass.Pipeline;

/// <summary>
/// The network to prune: read from --from (its description must be the --model on this data), or
/// trained here first (SGD Nesterov 0.05, cosine, as `sparsecore train`), and kept in the run
/// folder as dense.safetensors so that a resumed run prunes the very same weights.
/// </summary>
public static class DenseNetwork
{
    public const string FileName = "dense.safetensors";

    /// <summary>The checkpoint a run prunes: its own kept copy when resuming, else --from; null when it trains one.</summary>
    public static string? Source(string? from, string? runFolder)
    {
        string? kept = runFolder is null ? null : Path.Combine(runFolder, FileName);
        return kept is not null && File.Exists(kept) ? kept : from;
    }

    /// <summary>
    /// Reads the dense network from <paramref name="source"/> — whole, so a broken file is refused
    /// before the run folder exists.
    /// </summary>
    public static Module Load(string source, ModelDescription description, Backend backend)
    {
        var info = Checkpoint.ReadInfo(source);
        if (info.Model is { } m && (m.Name != description.Name || m.Widths is not null || m.Prompt is not null
                                    || m.Channels != description.Channels || m.Height != description.Height || m.Width != description.Width || m.Classes != description.Classes))
            throw new ArgumentException($"--from: {source} holds {m.Name} ({m.Channels}×{m.Height}×{m.Width}, {m.Classes} classes{(m.Widths is null ? "" : ", pruned")}); " +
                                        $"this run prunes a dense {description.Name} on {description.Channels}×{description.Height}×{description.Width} images with {description.Classes} classes");
        InputNormalization.RequirePixelUnit(info, source, "--from");
        var net = ModelZoo.Create(description.Name, ModuleInit.Undrawn(backend), description.Channels, description.Height, description.Width, description.Classes);
        try
        {
            Checkpoint.Load(source, net);
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }

    /// <summary>Keeps <paramref name="net"/> as the run folder's dense.safetensors (unless it was read from there), with the split it was validated on.</summary>
    public static void Keep(Module net, string source, ModelDescription description, PruneData data, string runFolder)
    {
        string kept = Path.Combine(runFolder, FileName);
        if (Path.GetFullPath(source) == Path.GetFullPath(kept)) return;
        var info = Checkpoint.ReadInfo(source);
        Checkpoint.Save(kept, net, info: new CheckpointInfo { Model = description, Seed = info.Seed, Split = data.Split, Settings = info.Settings });
    }

    public static Module Train(PruneOptions s, PruneData data, Backend backend, ModelDescription description, string runFolder, Action<string> log, ITrainingObserver? progress)
    {
        if (s.DenseEpochs == 0) throw new ArgumentException("no dense network: give --from FILE, or --dense-epochs > 0 to train one first");
        log($"training the dense {s.Model} for {s.DenseEpochs} epochs first (give --from to prune an existing checkpoint)");
        var net = ModelZoo.Create(s.Model, new ModuleInit(backend, s.Seed), description.Channels, description.Height, description.Width, description.Classes);
        try
        {
            using var opt = new Sgd(net.Parameters(), 0.05f, 0.9f, 5e-4f, nesterov: true);
            using var loader = data.Loader(data.TrainIndices, s.BatchSize, (long)s.Seed);
            var trainer = new Trainer(net, opt, new CosineSchedule(s.DenseEpochs * loader.BatchCount),
                new TrainerOptions { Epochs = s.DenseEpochs, Model = description, Stage = "dense training" }, progress);
            trainer.Fit(loader, data.ValidationLoader);
            Checkpoint.Save(Path.Combine(runFolder, FileName), net,
                info: new CheckpointInfo { Model = description, Epoch = s.DenseEpochs, Seed = (long)s.Seed, Split = data.Split });
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }
}
