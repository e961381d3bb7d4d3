using System.CommandLine;
using SparseCore.Cli.Pruning;
using SparseCore.Kernels;
using SparseCore.Models.Data;
using SparseCore.Models.IO;
using SparseCore.Models.Modules;
using SparseCore.Pass.Compute;
using SparseCore.Pass.Prompts;
using SparseCore.Tensors;

namespace SparseCore.Cli.Commands;

/// <summary>
/// `sparsecore explain CHECKPOINT [--batch 32] [--device D] [--output DIR]`: where a network's
/// forward time goes, layer by layer. For a pruned checkpoint (one with per-layer widths, as
/// `sparsecore prune` writes) every conv and linear layer is timed in the pruned network and in its
/// backbone at full width, so the speed-up its MACs predict stands beside the one measured; a dense
/// checkpoint is profiled alone. Prints the table and writes it as markdown with a bar chart.
/// </summary>
internal static class ExplainCommand
{
    public static Command Create()
    {
        var checkpoint = new Argument<string>("CHECKPOINT") { Description = "a .safetensors checkpoint: dense (train) or pruned (prune's pruned.safetensors)" };
        var batch = NumberOptions.Whole("--batch", "images per timed forward", 32, 1);
        var device = CommonOptions.Device();
        var output = new Option<string?>("--output") { Description = "folder for CHECKPOINT-explain.md and CHECKPOINT-explain.png (default: the checkpoint's folder)" };
        var cmd = new Command("explain", "per-layer compute report: MACs, measured time and GFLOP/s of every conv and linear layer, dense vs pruned")
        {
            checkpoint, batch, device, output,
        };
        cmd.SetAction(r => Run(r.GetValue(checkpoint)!, r.GetValue(batch), r.GetValue(device), r.GetValue(output)));
        return cmd;
    }

    private static int Run(string path, int batch, string? deviceName, string? output)
    {
        if (!File.Exists(path)) throw new ArgumentException($"explain: no checkpoint file at {path}");
        string folder = output ?? Path.GetDirectoryName(Path.GetFullPath(path))!;
        if (File.Exists(folder)) throw new ArgumentException($"--output: {folder} is a file, not a folder");
        var info = Checkpoint.ReadInfo(path);
        var m = info.Model ?? throw new DataFormatException(path, "__metadata__.model", "missing: the checkpoint does not say which network it holds");

        using var backend = Devices.Create(deviceName);
        using var net = PromptSpec.Build(m, ModuleInit.Undrawn(backend));
        Checkpoint.Load(path, net);
        // The backbone at full width, behind the same prompt and mapping; its weights are seeded, as
        // a dense kernel's time does not depend on the values.
        using var dense = m.Widths is null ? null : PromptSpec.Build(m with { Widths = null }, new ModuleInit(backend, 0));
        var input = new Shape(batch, m.Channels, m.Height, m.Width);
        var profile = dense is null ? ComputeProbe.Measure(net, null, input) : ComputeProbe.Measure(dense, net, input);

        string stem = Path.GetFileNameWithoutExtension(path) + "-explain";
        string markdown = Path.Combine(folder, stem + ".md"), plot = Path.Combine(folder, stem + ".png");
        string title = ExplainReport.Title(path, m, profile);
        ComputePlot.Write(plot, title, profile);
        AtomicFile.WriteAllText(markdown, ExplainReport.Markdown(path, m, profile, $"{backend.Name} ({backend.DeviceDescription})", Path.GetFileName(plot)));
        Console.WriteLine(title);
        Console.WriteLine(ExplainReport.Summary(profile));
        Console.WriteLine();
        Console.Write(ComputeTable.Text(profile));
        Console.WriteLine();
        Console.WriteLine($"wrote {markdown} and {plot}");
        return 0;
    }
}
