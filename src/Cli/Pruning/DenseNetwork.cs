using SparseCore.Kernels;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Optim;
using SparseCore.Models.Training;
using SparseCore.Models.Zoo;

namespace SparseCore.Cli.Pruning;

/// <summary>
/// The network to prune: read from --from (its description must be the --model on this data), or
/// trained here first (SGD Nesterov 0.05, cosine, as `sparsecore train`), and kept in the run
/// folder as dense.safetensors so that a resumed run prunes the very same weights.
/// </summary>
internal static class DenseNetwork
{
    public const string FileName = "dense.safetensors";

    public static (Module Model, ModelDescription Description) Obtain(PruneSettings s, PruneData data, Backend backend, string runFolder)
    {
        var description = new ModelDescription(s.Model, data.Train.Channels, data.Train.Height, data.Train.Width, data.Train.ClassCount);
        string kept = Path.Combine(runFolder, FileName);
        string? source = File.Exists(kept) ? kept : s.From;
        if (source is not null)
        {
            var info = Checkpoint.ReadInfo(source);
            if (info.Model is { } m && (m.Name != description.Name || m.Widths is not null || m.Prompt is not null
                                        || m.Channels != description.Channels || m.Height != description.Height || m.Width != description.Width || m.Classes != description.Classes))
                throw new ArgumentException($"--from: {source} holds {m.Name} ({m.Channels}×{m.Height}×{m.Width}, {m.Classes} classes{(m.Widths is null ? "" : ", pruned")}); " +
                                            $"this run prunes a dense {description.Name} on {description.Channels}×{description.Height}×{description.Width} images with {description.Classes} classes");
            var net = ModelZoo.Create(s.Model, ModuleInit.Undrawn(backend), description.Channels, description.Height, description.Width, description.Classes);
            try
            {
                Checkpoint.Load(source, net);
                if (source != kept) Checkpoint.Save(kept, net, info: new CheckpointInfo { Model = description, Seed = info.Seed, Settings = info.Settings });
                Console.WriteLine($"dense {s.Model} from {source}");
                return (net, description);
            }
            catch
            {
                net.Dispose();
                throw;
            }
        }
        if (s.DenseEpochs == 0) throw new ArgumentException("no dense network: give --from FILE, or --dense-epochs > 0 to train one first");
        return (Train(s, data, backend, description, kept), description);
    }

    private static Module Train(PruneSettings s, PruneData data, Backend backend, ModelDescription description, string path)
    {
        Console.WriteLine($"training the dense {s.Model} for {s.DenseEpochs} epochs first (give --from to prune an existing checkpoint)");
        var net = ModelZoo.Create(s.Model, new ModuleInit(backend, s.Seed), description.Channels, description.Height, description.Width, description.Classes);
        try
        {
            using var opt = new Sgd(net.Parameters(), 0.05f, 0.9f, 5e-4f, nesterov: true);
            using var loader = data.Loader(data.TrainIndices, s.BatchSize, (long)s.Seed);
            var trainer = new Trainer(net, opt, new CosineSchedule(s.DenseEpochs * loader.BatchCount),
                new TrainerOptions { Epochs = s.DenseEpochs, Model = description }, ConsoleProgress.ForConsole());
            trainer.Fit(loader, data.ValidationLoader);
            Checkpoint.Save(path, net, info: new CheckpointInfo { Model = description, Epoch = s.DenseEpochs, Seed = (long)s.Seed });
            return net;
        }
        catch
        {
            net.Dispose();
            throw;
        }
    }
}
