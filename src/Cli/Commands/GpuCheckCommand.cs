using System.CommandLine;
using SparseCore.Cli.GpuCheck;
using SparseCore.Kernels.Ilgpu;

namespace SparseCore.Cli.Commands;

/// <summary>
/// `sparsecore gpu-check [--small] [--output FILE] [--ptx-dir DIR]`: what the first GPU session
/// measures (see <see cref="GpuCheckRunner"/>), written to one markdown file. Without a CUDA
/// device it says so and runs the small shapes on ILGPU's CPU simulator, which tests the plumbing.
/// </summary>
internal static class GpuCheckCommand
{
    public static Command Create()
    {
        var small = new Option<bool>("--small") { Description = "tiny shapes (always so on the CPU simulator)" };
        var output = new Option<string>("--output")
        {
            Description = "the results file (markdown)",
            DefaultValueFactory = _ => "gpu-check.md",
        };
        var ptx = new Option<string?>("--ptx-dir") { Description = "also write every kernel's PTX here (for ptxas -v)" };
        var sections = new Option<string>("--sections")
        {
            Description = $"comma-separated subset of {string.Join(",", GpuCheckRunner.SectionNames)} (default: all)",
            DefaultValueFactory = _ => string.Join(",", GpuCheckRunner.SectionNames),
        };
        var cmd = new Command("gpu-check", "device, self-test, kernel resources and timings (GEMM, conv, batch-norm, a ResNet-20 step) in one results file") { small, output, ptx, sections };
        cmd.SetAction(r =>
        {
            var chosen = r.GetValue(sections)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).ToHashSet();
            if (chosen.FirstOrDefault(s => !GpuCheckRunner.SectionNames.Contains(s)) is { } unknown)
                throw new ArgumentException($"gpu-check: unknown section '{unknown}'; choose from {string.Join(", ", GpuCheckRunner.SectionNames)}");
            var report = new GpuCheckReport(r.GetValue(output)!);
            report.Line("# sparsecore gpu-check");
            report.Line($"{DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, {Environment.MachineName}, .NET {Environment.Version}, {Environment.ProcessorCount} CPU threads");
            IlgpuBackend backend;
            if (IlgpuBackend.DescribeCudaDevices().Count > 0)
                backend = IlgpuBackend.CreateCuda();
            else
            {
                report.Line("No CUDA device found: running the small shapes on ILGPU's CPU simulator (this checks the plumbing; no figure below is a GPU's).");
                backend = IlgpuBackend.CreateCpuSimulator();
            }
            using (backend)
            {
                var shapes = r.GetValue(small) || !backend.IsCuda ? GpuCheckShapes.Small : GpuCheckShapes.Full;
                int failures = new GpuCheckRunner(backend, shapes, report).Run(r.GetValue(ptx), chosen);
                report.Line($"\n{(failures == 0 ? "All sections ran and the self-test passed." : $"{failures} failure(s): see above.")} Results: {report.Path}");
                return failures == 0 ? 0 : 1;
            }
        });
        return cmd;
    }
}
