using System.CommandLine;
using SparseCore.Kernels;
using SparseCore.Models.Flops;
using SparseCore.Models.Modules;
using SparseCore.Models.Zoo;
using SparseCore.Tensors;

namespace SparseCore.Cli.Commands;

/// <summary>`sparsecore info`: the devices found and the one chosen; with --model, its per-layer MACs table.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var device = CommonOptions.Device();
        var model = new Option<string?>("--model") { Description = $"print this backbone's per-layer parameters and MACs: {string.Join(", ", ModelZoo.Names)}" };
        var input = new Option<string>("--input") { Description = "input as CxHxW", DefaultValueFactory = _ => "1x28x28" };
        var classes = NumberOptions.Whole("--classes", "output classes", 10, 1);
        var cmd = new Command("info", "show the compute devices found and the one chosen, or a model's per-layer cost") { device, model, input, classes };
        cmd.SetAction(r =>
        {
            if (r.GetValue(model) is string name)
            {
                PrintModel(name, ParseInput(r.GetValue(input)!), r.GetValue(classes));
                return 0;
            }
            Console.WriteLine($"SparseCore on .NET {Environment.Version}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
            Console.WriteLine("devices found:");
            foreach (var line in Devices.Describe()) Console.WriteLine("  " + line);
            using var backend = Devices.Create(r.GetValue(device));
            Console.WriteLine($"chosen: {backend.Name} ({backend.DeviceDescription})");
            return 0;
        });
        return cmd;
    }

    private static void PrintModel(string name, (int C, int H, int W) input, int classes)
    {
        if (!ModelZoo.Names.Contains(name))
            throw new ArgumentException($"--model: unknown model '{name}'; known models: {string.Join(", ", ModelZoo.Names)}");
        // Costs come from a shape walk: the weights are allocated but never drawn or run.
        using var backend = new Kernels.Cpu.CpuBackend();
        using var net = ModelZoo.Create(name, ModuleInit.Undrawn(backend), input.C, input.H, input.W, classes);
        Console.WriteLine($"{name} at {input.C}×{input.H}×{input.W}, {classes} classes");
        Console.WriteLine(ModelCost.Measure(net, new Shape(1, input.C, input.H, input.W)).Format());
    }

    private static (int C, int H, int W) ParseInput(string text)
    {
        var parts = text.Split('x');
        if (parts.Length == 3 && int.TryParse(parts[0], out int c) && int.TryParse(parts[1], out int h) && int.TryParse(parts[2], out int w) && c > 0 && h > 0 && w > 0)
            return (c, h, w);
        throw new ArgumentException($"--input: '{text}' is not CxHxW with positive extents (e.g. 3x32x32)");
    }
}
