using System.Diagnostics;
using SparseCore.Kernels;

namespace SparseCore.Cli.GpuCheck;

/// <summary>
/// Seconds per call of work queued on a device: one warm-up call (compilation, caches, pool), a
/// synchronisation, then the repetitions back to back and one synchronisation at the end, so the
/// figure is device throughput and not launch-plus-wait latency.
/// </summary>
internal static class KernelClock
{
    public static double PerCall(Backend backend, int repetitions, Action call)
    {
        call();
        backend.Synchronize();
        var clock = Stopwatch.StartNew();
        for (int i = 0; i < repetitions; i++) call();
        backend.Synchronize();
        return clock.Elapsed.TotalSeconds / repetitions;
    }
}
