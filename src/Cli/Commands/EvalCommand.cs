using System.CommandLine;
using System.Globalization;
using SparseCore.Kernels;
using SparseCore.Kernels.Diagnostics;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Training;
using SparseCore.Pass.Prompts;
using SparseCore.Cli.Pruning;
using SparseCore.Pass.Unstructured;
using SparseCore.Tensors;

namespace SparseCore.Cli.Commands;

/// <summary>
/// `sparsecore eval --checkpoint FILE`: rebuilds the network the checkpoint describes (backbone,
/// input, classes, per-layer widths, visual prompt — a pruned, prompted network needs nothing else)
/// and tests it; with --sparse a weight-pruned network's layers run on sparse-weight kernels, and
/// the per-layer plan (density, dense and sparse time, the kernel chosen) is printed first.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "a .safetensors checkpoint written by train", Required = true };
        var data = CommonOptions.Data();
        var device = CommonOptions.Device();
        var sparse = new Option<string?>("--sparse")
        {
            Description = "run the conv and linear layers of a weight-pruned network on sparse-weight kernels: auto (per layer, whichever kernel measured faster) | all",
        };
        var profile = CommonOptions.Profile();
        var cmd = new Command("eval", "evaluate a checkpoint on a dataset's test set") { checkpoint, data, device, sparse, profile };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(checkpoint)!;
            var choice = r.GetValue(sparse) switch
            {
                null => (SparseChoice?)null,
                "auto" => SparseChoice.Measured,
                "all" => SparseChoice.Always,
                var other => throw new ArgumentException($"--sparse: expected auto or all, got '{other}'"),
            };
            if (!File.Exists(path)) throw new ArgumentException($"--checkpoint: no file at {path}");
            var info = Checkpoint.ReadInfo(path);
            var m = info.Model ?? throw new DataFormatException(path, "__metadata__.model", "missing: the checkpoint does not say which network it holds");
            var test = DataSource.LoadTest(r.GetValue(data)!, info.Seed ?? 0);
            InputNormalization.RequirePixelUnit(info, path, "--checkpoint");
            if (test.Channels != m.Channels || test.Height != m.Height || test.Width != m.Width || test.ClassCount != m.TargetClasses)
                throw new ArgumentException($"--data: images are {test.Channels}×{test.Height}×{test.Width} with {test.ClassCount} classes; " +
                                            $"the checkpoint's {m.Name} expects {m.Channels}×{m.Height}×{m.Width} with {m.TargetClasses}");
            using var backend = Devices.Create(r.GetValue(device));
            using var net = PromptSpec.Build(m, ModuleInit.Undrawn(backend));
            Checkpoint.Load(path, net);
            using var loader = new DataLoader(test, 500, shuffle: false);
            using var plan = choice is { } c ? SparseExecution.Plan(net, new Shape(loader.BatchSize, m.Channels, m.Height, m.Width), c) : null;
            if (plan is not null) Console.Write(SparseLayerTable.Format(plan.Layers, loader.BatchSize));
            var profiler = r.GetValue(profile) ? backend.Profiler = new Profiler() : null;
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = Trainer.Evaluate(net, loader);
            double seconds = clock.Elapsed.TotalSeconds;
            backend.Profiler = null;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{m.Name} (epoch {info.Epoch}) on {test.Source}: test accuracy {result.Accuracy:P2}, loss {result.Loss:F4}, {result.Samples} images, {backend.Name}" +
                $"{(plan is null ? "" : ", sparse-weight kernels")}, {result.Samples / seconds:F0} images/s"));
            if (profiler is not null) Console.Write(ProfileTable.Format(profiler, seconds, $"eval {m.Name} on {backend.Name}, {result.Samples} images"));
            return 0;
        });
        return cmd;
    }
}
