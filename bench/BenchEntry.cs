using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using SparseCore.Bench.Network;

namespace SparseCore.Bench;

/// <summary>
/// Entry points for the benchmark suites. <see cref="Run"/> uses BenchmarkDotNet's in-process
/// toolchain: a published single-file `sparsecore bench` on a machine with no .NET SDK cannot
/// build the per-benchmark child projects the default toolchain needs. The first argument
/// `network` runs the whole-network benchmark instead, whose own harness alternates the engine
/// with peers in other processes (<see cref="NetworkBenchmark"/>).
/// </summary>
public static class BenchEntry
{
    /// <summary>Runs the suites selected by <paramref name="args"/> (BenchmarkDotNet CLI syntax) in this process.</summary>
    public static int Run(string[] args) => Run(args, inProcess: true);

    internal static int Run(string[] args, bool inProcess)
    {
        if (args.Length > 0 && args[0] == NetworkBenchmark.Command)
            return NetworkBenchmark.Run(args[1..]);
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(BenchEntry).Assembly).Run(args, CreateConfig(inProcess));
        return summaries.Any(s => s.HasCriticalValidationErrors || s.Reports.Any(r => !r.Success)) ? 1 : 0;
    }

    /// <summary>
    /// A short job: this 2-vCPU VM drifts ~10 % between passes minutes apart anyway, so
    /// BenchmarkDotNet's default 15–100 iterations buy little; 15 iterations of ~250 ms keep the
    /// GEMM suite near five minutes.
    /// </summary>
    private static IConfig CreateConfig(bool inProcess)
    {
        var job = Job.Default
            .WithWarmupCount(3)
            .WithIterationCount(15)
            .WithIterationTime(Perfolizer.Horology.TimeInterval.FromMilliseconds(250));
        if (inProcess)
            job = job.WithToolchain(InProcessEmitToolchain.Instance);

        return DefaultConfig.Instance
            .AddJob(job.AsDefault())
            .AddColumn(StatisticColumn.Median)
            .WithOptions(ConfigOptions.JoinSummary);
    }
}
