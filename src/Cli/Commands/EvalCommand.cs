using System.CommandLine;
using System.Globalization;
using SparseCore.Kernels;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Models.Training;
using SparseCore.Pass.Prompts;

namespace SparseCore.Cli.Commands;

/// <summary>
/// `sparsecore eval --checkpoint FILE`: rebuilds the network the checkpoint describes (backbone,
/// input, classes, per-layer widths, visual prompt — a pruned, prompted network needs nothing else)
/// and tests it.
/// </summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var checkpoint = new Option<string>("--checkpoint") { Description = "a .safetensors checkpoint written by train", Required = true };
        var data = CommonOptions.Data();
        var device = CommonOptions.Device();
        var cmd = new Command("eval", "evaluate a checkpoint on a dataset's test set") { checkpoint, data, device };
        cmd.SetAction(r =>
        {
            string path = r.GetValue(checkpoint)!;
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
            var result = Trainer.Evaluate(net, loader);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{m.Name} (epoch {info.Epoch}) on {test.Source}: test accuracy {result.Accuracy:P2}, loss {result.Loss:F4}, {result.Samples} images, {backend.Name}"));
            return 0;
        });
        return cmd;
    }
}
