using System.CommandLine;
using System.Globalization;
using SparseCore.Kernels;
using SparseCore.Kernels.Cpu;
using SparseCore.Kernels.Diagnostics;

namespace SparseCore.Cli.Commands;

/// <summary>`sparsecore selftest`: every kernel on the chosen device against the CPU reference.</summary>
internal static class SelfTestCommand
{
    public static Command Create()
    {
        var device = CommonOptions.Device();
        var small = new Option<bool>("--small") { Description = "tiny shapes (for the ILGPU CPU simulator)" };
        var cmd = new Command("selftest", "check every kernel on a device against the CPU reference, printing a pass/fail table") { device, small };
        cmd.SetAction(r =>
        {
            using var target = Devices.Create(r.GetValue(device));
            using var reference = new CpuBackend();
            bool tiny = r.GetValue(small) || target.Name == "ilgpu-cpu";
            Console.WriteLine($"selftest on {target.Name} ({target.DeviceDescription}) against {reference.Name}, {(tiny ? "small" : "full")} shapes");
            var results = new KernelSelfTest(target, reference, tiny).Run();
            var c = CultureInfo.InvariantCulture;
            Console.Write(TextTable.Format(["kernel", "shape", "error", "tolerance", "ms", "result"], [.. results.Select(x => new[]
            {
                x.Kernel, x.Shape, x.Error.ToString("E2", c), x.Tolerance.ToString("E0", c), x.Milliseconds.ToString("F2", c), x.Passed ? "pass" : "FAIL",
            })]));
            int failed = results.Count(x => !x.Passed);
            Console.WriteLine($"{results.Count - failed} passed, {failed} failed");
            return failed == 0 ? 0 : 1;
        });
        return cmd;
    }
}
