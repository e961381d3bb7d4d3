using System.CommandLine;
using SparseCore.Kernels;

namespace SparseCore.Cli.Commands;

/// <summary>`sparsecore info`: the devices found and the one a run would use.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var device = CommonOptions.Device();
        var cmd = new Command("info", "show the compute devices found and the one chosen") { device };
        cmd.SetAction(r =>
        {
            Console.WriteLine($"SparseCore on .NET {Environment.Version}, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.OSDescription}");
            Console.WriteLine("devices found:");
            foreach (var line in Devices.Describe()) Console.WriteLine("  " + line);
            using var backend = Devices.Create(r.GetValue(device));
            Console.WriteLine($"chosen: {backend.Name} ({backend.DeviceDescription})");
            return 0;
        });
        return cmd;
    }
}
